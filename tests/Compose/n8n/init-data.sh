#!/bin/sh
# Test data: stands for n8n-hosting's script that creates the non-root database user.
echo "init"
