#!/usr/bin/env bash
# Installs and starts what `./paas quickstart` and the integration tests need on a Debian machine, as root:
# Docker Engine, Podman (with runc), busybox-static for the local base image, and the test image registry.
# Facts behind each setting: ../shared/notes/container-engines.md. Safe to run twice.
set -euo pipefail

log() { printf '[setup] %s\n' "$*"; }

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  log "not root on Debian: installing nothing; engine tests need Docker/Podman already running"
  exit 0
fi

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
# netavark + aardvark-dns: Podman networks with DNS by service name and isolation between them;
# catatonit: Podman's init process (containers run with an init that forwards SIGTERM).
[ -x /usr/lib/podman/netavark ] || [ -x /usr/libexec/podman/netavark ] || need+=(netavark)
command -v aardvark-dns >/dev/null || [ -x /usr/lib/podman/aardvark-dns ] || [ -x /usr/libexec/podman/aardvark-dns ] || need+=(aardvark-dns)
[ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)
# The local base image copies /bin/busybox into an empty image, so it must be the static build.
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need+=(busybox-static)
# runsc: gVisor, the sandbox of `sandbox: gvisor` services (registered with both engines below);
# jq merges its registration into a daemon.json that exists already.
command -v runsc >/dev/null || need+=(runsc)
command -v jq >/dev/null || need+=(jq)
# tzdata: crons read their schedule in a named time zone (timeZone: Europe/Paris).
[ -f /usr/share/zoneinfo/Europe/Paris ] || need+=(tzdata)
# rsyslog with its TLS driver: the syslog drain's tests ship RFC 5424 over TLS to a real rsyslogd.
command -v rsyslogd >/dev/null || need+=(rsyslog)
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ] || ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1 || need+=(rsyslog-gnutls)
# caddy: the ingress (started by the platform itself, through its admin API).
command -v caddy >/dev/null || need+=(caddy)
# nftables: the platform keeps its networks apart with a table of its own (README, network isolation).
command -v nft >/dev/null || need+=(nftables)
# wrk: tests/benchmarks/route-changes.sh (keep-alive load that never retries a dropped connection).
command -v wrk >/dev/null || need+=(wrk)
# iproute2: the firewall tests reach the host from a network namespace of their own over a veth pair.
command -v ip >/dev/null || need+=(iproute2)
# chromium: the browser the UI tests drive (Playwright with Debian's build; nothing is downloaded).
command -v chromium >/dev/null || need+=(chromium)
# openssh-client: ssh:// repositories are fetched by OpenSSH (libgit2's exec transport);
# openssh-server: the tests' private Git host over SSH (each test starts its own sshd on a free port).
command -v ssh >/dev/null || need+=(openssh-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# docker-registry: the tests' image registry (distribution 2.8; each test serves its own config on a free port).
command -v docker-registry >/dev/null || need+=(docker-registry)
# apache2-utils: `htpasswd -B`, the bcrypt password file the registry's basic auth requires.
command -v htpasswd >/dev/null || need+=(apache2-utils)
# kubectl checks that the tests' FAKE Kubernetes API server speaks the real protocol (the machine image has
# v1.32 from the Cloud SDK; Debian's kubernetes-client where it is missing).
command -v kubectl >/dev/null || need+=(kubernetes-client)
# zsh: the completion script `paas completion zsh` prints is run by a real zsh in the CLI tests.
command -v zsh >/dev/null || need+=(zsh)
# debootstrap: the Debian base of the template catalogue's images (scripts/template-images.sh).
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# maildev (npm): the SMTP server the e-mail notification channel is tested against.
if [ ! -x /opt/paas-test-tools/node_modules/.bin/maildev ] && command -v npm >/dev/null; then
  log "installing maildev (npm) into /opt/paas-test-tools"
  npm install --prefix /opt/paas-test-tools --no-audit --no-fund --loglevel=error maildev@3.0.0 >/dev/null
fi
# s3rver (npm): a second S3-compatible store for the backup tests, beside moto_server.
if [ ! -x /opt/paas-test-tools/node_modules/.bin/s3rver ] && command -v npm >/dev/null; then
  log "installing s3rver (npm) into /opt/paas-test-tools"
  npm install --prefix /opt/paas-test-tools --no-audit --no-fund --loglevel=error s3rver@3.7.1 >/dev/null
fi
# sshd's privilege separation user and directory: the package's own scripts make them only where
# adduser and an init system are present, which a minimal machine lacks.
if ! id sshd >/dev/null 2>&1; then
  group=(); getent group sshd >/dev/null && group=(-g sshd) # the package may have made the group alone
  useradd --system --no-create-home --home-dir /run/sshd --shell /usr/sbin/nologin "${group[@]}" sshd
fi
mkdir -p /run/sshd && chmod 0755 /run/sshd
# The registry package's own service (port 5000, /var/lib/docker-registry) is unused: where its
# postinst could start it (an init system, no policy-rc.d forbidding it), stop it and keep it off.
if [ -f /run/docker-registry.pid ]; then start-stop-daemon --stop --quiet --oknodo --pidfile /run/docker-registry.pid || true; fi
if [ -d /run/systemd/system ]; then systemctl disable --now docker-registry.service >/dev/null 2>&1 || true; fi

mkdir -p /etc/docker /etc/containers
# The sandbox lacks CAP_SYS_RESOURCE: containers may only lower rlimits, so defaults must be low.
# runsc is registered with `--network=host`: this release refuses every network mode without it (it
# then uses the network namespace the engine made for the container, not the host's).
gvisor='{"path":"/usr/bin/runsc","runtimeArgs":["--network=host"]}'
docker_reload=0
if [ ! -f /etc/docker/daemon.json ]; then
  cat >/etc/docker/daemon.json <<JSON
{"default-ulimits":{"nofile":{"Name":"nofile","Hard":1024,"Soft":1024}},"runtimes":{"runsc":$gvisor}}
JSON
elif ! grep -q '"runsc"' /etc/docker/daemon.json; then
  jq --argjson gvisor "$gvisor" '.runtimes.runsc = $gvisor' /etc/docker/daemon.json >/etc/docker/daemon.json.new
  mv /etc/docker/daemon.json.new /etc/docker/daemon.json
  docker_reload=1
fi
# Podman has no per-runtime arguments: its runsc is a wrapper adding the same one.
mkdir -p /usr/local/lib/paas /etc/containers/containers.conf.d
if [ ! -x /usr/local/lib/paas/runsc ]; then
  printf '#!/bin/sh\n# gVisor for Podman, with the argument this runsc release needs (scripts/setup-engines.sh).\nexec /usr/bin/runsc --network=host "$@"\n' >/usr/local/lib/paas/runsc
  chmod 0755 /usr/local/lib/paas/runsc
fi
if [ ! -f /etc/containers/containers.conf.d/paas-runsc.conf ]; then
  printf '[engine.runtimes]\nrunsc = ["/usr/local/lib/paas/runsc"]\n' >/etc/containers/containers.conf.d/paas-runsc.conf
  pkill -f 'podman system service' || true # a running service keeps the old runtimes
fi
if ! grep -q 'network_backend = "netavark"' /etc/containers/containers.conf 2>/dev/null; then
  cat >/etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[network]
network_backend = "netavark"
[engine]
runtime = "runc"
CONF
  pkill -f 'podman system service' || true # a running service keeps the old network backend
  # A bridge left by the CNI backend holds the same subnet as netavark's default network.
  if ip link show cni-podman0 >/dev/null 2>&1; then ip link delete cni-podman0 || true; fi
fi

ping_socket() { curl -fsS --max-time 2 --unix-socket "$1" http://localhost/_ping >/dev/null 2>&1; }
wait_socket() {
  for _ in $(seq 1 60); do ping_socket "$1" && return 0; sleep 0.5; done
  return 1
}

if [ "$docker_reload" = 1 ] && pidof dockerd >/dev/null; then
  log "reloading dockerd's runtimes"
  kill -HUP "$(pidof dockerd)"
fi
if ! ping_socket /var/run/docker.sock; then
  log "starting dockerd"
  setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  wait_socket /var/run/docker.sock || { log "dockerd did not answer; tail of its log:"; tail -20 /var/log/dockerd.log; exit 1; }
fi
if ! ping_socket /run/podman/podman.sock; then
  log "starting podman system service"
  mkdir -p /run/podman
  setsid podman system service --time=0 unix:///run/podman/podman.sock >/var/log/podman-service.log 2>&1 < /dev/null &
  wait_socket /run/podman/podman.sock || { log "podman service did not answer; tail of its log:"; tail -20 /var/log/podman-service.log; exit 1; }
fi
log "docker and podman answer on /var/run/docker.sock and /run/podman/podman.sock"
# --template-images (./test): the images the template catalogue names (postgres, mariadb, redis),
# built from Debian packages under their official names, since no registry is reachable here.
# Kept between runs; the quick start does not need them.
if [ "${1:-}" = --template-images ]; then bash "$(dirname "${BASH_SOURCE[0]}")/template-images.sh"; fi
