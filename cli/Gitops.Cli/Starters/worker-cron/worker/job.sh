#!/bin/sh
# Runs on the cron schedule with the worker's env and secrets.
echo "job $1 ran at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
