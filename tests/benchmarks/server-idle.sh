#!/usr/bin/env bash
# Measures `paas server` at rest: resident memory and CPU with N watched repositories (default 10)
# polled every POLL seconds (default 10, six times the default rate, so idle cost shows), against
# dockerd's own figures in the same run, after WARMUP seconds (default 15; longer lets .NET's
# tiered JIT finish recompiling the hot paths of the first polls).
# Usage: tests/benchmarks/server-idle.sh [REPOS] [SECONDS] [POLL] [WARMUP]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
repos="${1:-10}" seconds="${2:-60}" poll="${3:-10}" warmup="${4:-15}"
bash "$root/scripts/setup-engines.sh" >/dev/null
"$root/paas" --help >/dev/null

work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/data"
printf 'allowFileUrls: true\ntargets:\n  local: { kind: docker }\n' >"$work/data/platform.yaml"
for i in $(seq 1 "$repos"); do
  git init -q --bare "$work/r$i.git"
  git init -q -b main "$work/w$i"
  printf 'version: 1\nproject: idle%s\nenvironments:\n  production: { branch: release }\nservices:\n  web: { image: busybox:1.36 }\n' "$i" >"$work/w$i/paas.yaml"
  git -C "$work/w$i" -c user.email=b@example.com -c user.name=bench add -A
  git -C "$work/w$i" -c user.email=b@example.com -c user.name=bench commit -q -m init
  git -C "$work/w$i" push -q "$work/r$i.git" main
  "$root/paas" repo add "file://$work/r$i.git" --project "idle$i" --data-dir "$work/data" >/dev/null
done

"$root/paas" server --data-dir "$work/data" --listen http://127.0.0.1:18787 --poll "$poll" >"$work/server.log" 2>&1 &
server=$!
sleep "$warmup" # start-up and the first fetch of every repository

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
dockerd=$(pgrep -xo dockerd)
hz=$(getconf CLK_TCK)
s0=$(ticks "$server"); d0=$(ticks "$dockerd")
sleep "$seconds"
s1=$(ticks "$server"); d1=$(ticks "$dockerd")

echo "$repos repositories polled every ${poll}s, measured over ${seconds}s after a ${warmup}s warm-up"
printf '| process | resident memory | CPU (of one core) |\n| --- | --- | --- |\n'
awk -v r="$(rss_mb "$server")" -v t=$((s1 - s0)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "| paas server | %s MB | %.2f %% |\n", r, 100 * t / hz / s }'
awk -v r="$(rss_mb "$dockerd")" -v t=$((d1 - d0)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "| dockerd (same run) | %s MB | %.2f %% |\n", r, 100 * t / hz / s }'
