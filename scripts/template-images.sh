#!/usr/bin/env bash
# Builds, from Debian packages, the images the template catalogue names (debian:bookworm-slim,
# postgres:15, mariadb:10.11, redis:7), each behind its official image's contract (the
# environment variables, paths, ports and user of the official image), and loads them into Docker
# and Podman under the official names. No registry is needed; a real machine pulls the official
# images instead. Each image carries the hash of its recipe (scripts/images/NAME): an image whose
# recipe did not change is kept, so a second run takes a second. Run as root (setup-engines.sh does).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
log() { printf '[images] %s\n' "$*"; }
cache=${PAAS_IMAGE_CACHE:-/var/cache/paas-images}
suite=bookworm

hash_of() { (cd images && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }
label_of() { "$1" image inspect --format '{{ index .Config.Labels "paas.recipe" }}' "$2" 2>/dev/null || true; }
engines=()
docker version >/dev/null 2>&1 && engines+=(docker)
podman version >/dev/null 2>&1 && engines+=(podman)
[ ${#engines[@]} -gt 0 ] || { log "neither docker nor podman answers"; exit 1; }
builder=${engines[0]}

# debian:bookworm-slim: a minbase debootstrap, imported (the official image is built the same way).
base_hash=$(printf '%s minbase' "$suite" | sha256sum | cut -c1-16)
if [ "$(label_of "$builder" debian:$suite-slim)" != "$base_hash" ]; then
  mkdir -p "$cache"
  if [ ! -s "$cache/$suite-minbase.tar" ]; then
    command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install debootstrap"; exit 1; }
    log "debootstrap --variant=minbase $suite (about a minute)"
    root=$(mktemp -d)
    debootstrap --variant=minbase "$suite" "$root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
      || { log "debootstrap failed; tail of $cache/debootstrap.log:"; tail -20 "$cache/debootstrap.log"; rm -rf "$root"; exit 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$cache/$suite-minbase.tar.partial" . && mv "$cache/$suite-minbase.tar.partial" "$cache/$suite-minbase.tar"
    rm -rf "$root"
  fi
  log "importing debian:$suite-slim"
  "$builder" import --change "LABEL paas.recipe=$base_hash" --change 'CMD ["bash"]' "$cache/$suite-minbase.tar" "debian:$suite-slim" >/dev/null
fi

built=("debian:$suite-slim")
for recipe in postgres:15 mariadb:10.11 redis:7; do
  name=${recipe%%:*}
  hash=$(hash_of "$name")
  built+=("$recipe")
  [ "$(label_of "$builder" "$recipe")" = "$hash" ] && continue
  log "building $recipe from Debian packages"
  "$builder" build -q --label "paas.recipe=$hash" -t "$recipe" "images/$name" >/dev/null
done

# The other engine gets the same images (no second apt run): saved by one, loaded by the other.
for engine in "${engines[@]:1}"; do
  for image in "${built[@]}"; do
    want=$(label_of "$builder" "$image")
    [ "$(label_of "$engine" "docker.io/library/$image")" = "$want" ] && continue
    log "loading $image into $engine"
    "$builder" save "$image" | "$engine" load -q >/dev/null
    # A saved "redis:7" loads as localhost/redis:7; builds and runs ask for the official name.
    [ "$engine" = podman ] && podman tag "localhost/$image" "docker.io/library/$image"
  done
done
log "ready: ${built[*]} on ${engines[*]}"
