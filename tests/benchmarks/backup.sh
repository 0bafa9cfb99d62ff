#!/usr/bin/env bash
# Backing up and restoring a PostgreSQL database of SIZE_MB (default 1024) against doing it by hand:
# `paas backup run db` (pg_dump's custom format in the replica, sealed with AES-GCM, checksummed, put at
# the local destination with its manifest) vs `docker exec … pg_dump | gzip > file`; then
# `paas backup restore ID --yes` (checksum, open, pg_restore --clean) vs `gunzip -c file | docker exec -i … psql`.
# Whole processes, paired run by run by farm-bench; peak memory is the largest process each waited for.
# Usage: tests/benchmarks/backup.sh [SIZE_MB=1024] [RUNS=3]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
size_mb="${1:-1024}"
runs="${2:-3}"
command -v farm-bench >/dev/null || { echo "needs farm-bench (the tool library's timer)"; exit 1; }
bash "$root/scripts/setup-engines.sh" --template-images >/dev/null
"$root/paas" --help >/dev/null # build the CLI before timing anything

work="$(mktemp -d)"
trap '"$root/paas" destroy "$work/app" --env dev --yes --volumes --data-dir "$work/data" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/data" && chmod 700 "$work/data"
printf 'targets:\n  local: { kind: docker, socket: /var/run/docker.sock }\n' >"$work/data/platform.yaml"
cat >"$work/app/paas.yaml" <<YAML
version: 1
project: benchbk
environments:
  dev: { branch: main }
services:
  db:
    template: postgres
    resources: { memory: 2Gi }
    backup: { schedule: "0 3 * * *", keep: 100 }
YAML
"$root/paas" apply "$work/app" --env dev --yes --data-dir "$work/data" >/dev/null
db=$(docker ps -q --filter label=paas.project=benchbk --filter label=paas.service=db)
rows=$((size_mb * 1024 * 1024 / 1100)) # about 1.1 KB a row, all told
echo "== filling db with ${size_mb} MiB (${rows} rows)"
docker exec -u 999 "$db" psql -q -U app -d app -c "CREATE TABLE blob (id bigserial PRIMARY KEY, payload text NOT NULL)" \
  -c "INSERT INTO blob (payload) SELECT string_agg(md5(random()::text || g::text || i::text), '') FROM generate_series(1, $rows) g, generate_series(1, 31) i GROUP BY g"
echo "database size: $(docker exec -u 999 "$db" psql -tA -U app -d app -c "SELECT pg_size_pretty(pg_database_size('app'))")"
cd "$work/app"
echo "== backup: paas backup run db  vs  docker exec pg_dump | gzip > file"
farm-bench -n "$runs" --timeout 3600 \
  --vs "sh -c 'docker exec -u 999 $db pg_dump -U app -d app | gzip > $work/by-hand.sql.gz'" \
  -- "$root/paas" backup run db --env dev --data-dir "$work/data"
ls -l "$work/data/backups" | tail -n 2
ls -l "$work/by-hand.sql.gz"
id=$("$root/paas" backup list --data-dir "$work/data" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][0]["id"])')
echo "== restore: paas backup restore $id --yes  vs  gunzip -c file | docker exec -i psql"
farm-bench -n "$runs" --timeout 3600 \
  --vs "sh -c 'docker exec -u 999 $db psql -q -U app -d app -c \"DROP TABLE IF EXISTS blob\" && gunzip -c $work/by-hand.sql.gz | docker exec -i -u 999 $db psql -q -U app -d app >/dev/null'" \
  -- "$root/paas" backup restore "$id" --yes --data-dir "$work/data"
echo "rows after the last restore: $(docker exec -u 999 "$db" psql -tA -U app -d app -c 'SELECT count(*) FROM blob')"
