#!/usr/bin/env bash
# A cron run by hand, start to end with its output, against the peer: `paas cron run` (a one-off
# container of the service's image, env and network under the container policy; recorded, output
# kept, container removed) vs `docker-compose run --rm` of the same image, command and network.
# Both whole processes (CLI start-up included), paired run by run by farm-bench.
# Usage: tests/benchmarks/cron-run.sh [RUNS=10]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-10}"
command -v docker-compose >/dev/null || { echo "installing docker-compose (Debian package)"; apt-get install -y -qq docker-compose >/dev/null; }
command -v farm-bench >/dev/null || { echo "needs farm-bench (the tool library's timer)"; exit 1; }
bash "$root/scripts/setup-engines.sh" >/dev/null
docker image inspect busybox:1.36 >/dev/null 2>&1 || { echo "busybox:1.36 is missing: run ./test once (it builds the local base image)"; exit 1; }
"$root/paas" --help >/dev/null # build the CLI before timing anything

work="$(mktemp -d)"
trap '"$root/paas" destroy "$work/app" --env dev --yes --data-dir "$work/data" >/dev/null 2>&1 || true; docker-compose -p benchcron -f "$work/compose/docker-compose.yml" down -t 1 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/compose"
cat >"$work/app/paas.yaml" <<'YAML'
version: 1
project: benchcron
environments:
  dev: { branch: main }
services:
  web:
    image: busybox:1.36
    command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]
    port: 8080
    env: { GREETING: hello }
crons:
  tick:
    service: web
    schedule: "@daily"
    command: ["sh", "-c", "echo $GREETING"]
    concurrency: allow
YAML
cat >"$work/compose/docker-compose.yml" <<'YAML'
version: "3.7"
services:
  web:
    image: busybox:1.36
    command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]
    environment: { GREETING: hello }
    init: true
    security_opt: ["no-new-privileges"]
    cap_drop: [ALL]
    pids_limit: 512
YAML
"$root/paas" apply "$work/app" --env dev --yes --data-dir "$work/data" >/dev/null
docker-compose -p benchcron -f "$work/compose/docker-compose.yml" up -d >/dev/null 2>&1
farm-bench -n "$runs" --timeout 600 \
  --vs "docker-compose -p benchcron -f $work/compose/docker-compose.yml run --rm -T web sh -c 'echo \$GREETING'" \
  -- "$root/paas" cron run tick --env dev --dir "$work/app" --data-dir "$work/data"
# Every run was recorded, with its output, and no job container is left.
"$root/paas" cron history tick --env dev --dir "$work/app" --data-dir "$work/data" --output json | grep -c '"outcome": "succeeded"' | sed 's/^/succeeded runs recorded: /'
echo "job containers left: $(docker ps -aq --filter label=paas.cron=tick --filter label=paas.project=benchcron | wc -l)"
