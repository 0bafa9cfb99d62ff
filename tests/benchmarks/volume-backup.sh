#!/usr/bin/env bash
# Backing up a service's volume of SIZE_MB (default 512) against doing it by hand:
# `paas backup run files` (the service stopped, a busybox helper tars the volume, the stream sealed
# with AES-GCM, checksummed, digested, put at the local destination with its manifest, the same
# replica started again and health-checked) vs `docker stop C; docker run --rm -v VOLUME:/v
# -v DIR:/backup busybox tar -c -f /backup/file -C /v .; docker start C` (Docker's documented
# recipe for backing up a volume, with the container stopped for consistency).
# Whole processes, paired run by run by farm-bench; peak memory is the largest process each waited for.
# Usage: tests/benchmarks/volume-backup.sh [SIZE_MB=512] [RUNS=3]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
size_mb="${1:-512}"
runs="${2:-3}"
command -v farm-bench >/dev/null || { echo "needs farm-bench (the tool library's timer)"; exit 1; }
bash "$root/scripts/setup-engines.sh" >/dev/null
"$root/paas" --help >/dev/null # build the CLI before timing anything

work="$(mktemp -d)"
trap '"$root/paas" destroy "$work/app" --env dev --yes --volumes --data-dir "$work/data" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/data" && chmod 700 "$work/data"
printf 'targets:\n  local: { kind: docker, socket: /var/run/docker.sock }\n' >"$work/data/platform.yaml"
cat >"$work/app/paas.yaml" <<YAML
version: 1
project: benchvol
environments:
  dev: { branch: main }
services:
  files:
    image: busybox:1.36
    command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]
    port: 8080
    health: { path: /hostname, interval: 1s, timeout: 1s, retries: 3 }
    deploy: { drain: 1s }
    volumes: { data: /data }
    backup: { schedule: "0 3 * * *", keep: 100 }
YAML
"$root/paas" apply "$work/app" --env dev --yes --data-dir "$work/data" >/dev/null
container=$(docker ps -q --filter label=paas.project=benchvol --filter label=paas.service=files)
volume=$(docker inspect -f '{{range .Mounts}}{{.Name}}{{end}}' "$container")
echo "== filling $volume with ${size_mb} MiB (files of 1 MiB)"
docker exec "$container" sh -c "for i in \$(seq 1 $size_mb); do dd if=/dev/urandom of=/data/f\$i bs=1M count=1 2>/dev/null; done"
cd "$work/app"
echo "== backup: paas backup run files  vs  docker stop; docker run --rm busybox tar; docker start"
mkdir -p "$work/by-hand"
farm-bench -n "$runs" --timeout 3600 \
  --vs "sh -c 'docker stop -t 1 $container >/dev/null && docker run --rm -v $volume:/v -v $work/by-hand:/backup busybox:1.36 tar -c -f /backup/volume.tar -C /v .; docker start $container >/dev/null'" \
  -- "$root/paas" backup run files --env dev --data-dir "$work/data"
ls -l "$work/data/backups" | tail -n 2
ls -l "$work/by-hand"
echo "== how long the service was down in one more paas run (its progress line)"
"$root/paas" backup run files --env dev --data-dir "$work/data" 2>&1 | grep "runs again"
