#!/bin/sh
# The nightly report: a stand-in that prints what a real job would compute.
echo "report $1 for ${SHOP_NAME:-shop}: $(date -u +%Y-%m-%d)"
