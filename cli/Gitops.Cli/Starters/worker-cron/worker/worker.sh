#!/bin/sh
# Replace with your worker: this one polls on an interval and logs each pass.
echo "worker started, polling every ${POLL_SECONDS:-30}s"
while true; do
  echo "poll at $(date -u +%H:%M:%S)"
  sleep "${POLL_SECONDS:-30}"
done
