#!/usr/bin/env bash
# Starts the Docker daemon the docker engine's tests (and bench) run against, and builds their local images
# (no registry is reachable from CI, so nothing is pulled):
#   local/busybox:latest   a root filesystem of Debian's busybox-static, `docker import`ed (under a second)
#   local/debian:bookworm  debootstrap minbase, only with TCW_DOCKER_DEBIAN_IMAGE=1 (about 35 s)
#
# Idempotent: a daemon that answers on the socket is reused, images that exist are kept. Installs Debian's
# docker.io, busybox-static, zstd and lz4 when missing (needs root and apt-get). Starts dockerd by hand (no systemd):
# overlay2, falling back to vfs. Prints DOCKER_SOCKET=<path> on stdout; progress goes to stderr.
# Env: TCW_DOCKER_SOCKET (default /var/run/docker.sock), TCW_DOCKER_DIR (log and pid file, default
#      ${TMPDIR:-/tmp}/tcw-docker).
# Exit codes: 0 ready, 2 cannot install or start here (not root, no apt-get), 1 anything else.
set -euo pipefail

D=${TCW_DOCKER_DIR:-${TMPDIR:-/tmp}/tcw-docker}
SOCK=${TCW_DOCKER_SOCKET:-/var/run/docker.sock}
export DOCKER_HOST=unix://$SOCK
mkdir -p "$D"
t0=$(date +%s%N)
log() { printf 'start-docker [+%ss]: %s\n' "$(( ($(date +%s%N) - t0) / 1000000000 ))" "$*" >&2; }
ready() { docker version >/dev/null 2>&1; }

# One start at a time (parallel test processes may all ask).
exec 9>"$D.lock"
flock 9

# zstd and lz4 decompress task images (and the tests make such images).
missing=0
for tool in dockerd docker busybox zstd lz4; do command -v "$tool" >/dev/null || missing=1; done
if [ "$missing" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "dockerd/busybox/zstd/lz4 are not installed and installing them needs root (apt-get install docker.io busybox-static zstd lz4)"
    exit 2
  fi
  command -v apt-get >/dev/null || { log "docker.io is not installed and there is no apt-get to install it with"; exit 2; }
  log "installing docker.io, busybox-static, zstd and lz4 (about 25 s)"
  apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 "$@" >&2; }
  apt_install() { apt_get install -y -q --no-install-recommends docker.io busybox-static zstd lz4 ca-certificates; }
  if ! apt_install; then
    apt_get update -q || log "apt-get update reported errors; trying the install anyway"
    apt_install
  fi
fi

start_dockerd() { # $1 = storage driver
  local extra=()
  # Without iptables (some containers) the default bridge cannot be set up: no bridge then.
  iptables -L -n >/dev/null 2>&1 || extra+=(--iptables=false --bridge=none)
  # The daemon inherits neither the lock (fd 9) nor the caller's pipes.
  nohup dockerd --host="unix://$SOCK" --storage-driver="$1" "${extra[@]}" </dev/null >"$D/dockerd.log" 2>&1 9>&- &
  echo $! >"$D/dockerd.pid"
  for _ in $(seq 1 150); do
    ready && return 0
    kill -0 "$(cat "$D/dockerd.pid")" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

if ready; then
  log "dockerd already answers on $SOCK (reused)"
else
  if [ "$(id -u)" != 0 ]; then
    log "no Docker daemon answers on $SOCK and starting one needs root"
    exit 2
  fi
  log "starting dockerd (overlay2) on $SOCK"
  if ! start_dockerd overlay2; then
    kill "$(cat "$D/dockerd.pid")" 2>/dev/null || true
    sleep 1
    log "overlay2 failed ($(tail -1 "$D/dockerd.log")), trying vfs"
    if ! start_dockerd vfs; then
      tail -30 "$D/dockerd.log" >&2
      log "dockerd did not start; see $D/dockerd.log"
      exit 1
    fi
  fi
  log "dockerd up: driver $(docker info --format '{{.Driver}}')"
fi

if ! docker image inspect local/busybox:latest >/dev/null 2>&1; then
  R=$(mktemp -d)
  trap 'rm -rf "$R"' EXIT
  mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,proc,sys,dev,root,var,home,work}
  cp "$(command -v busybox)" "$R/bin/busybox"
  chroot "$R" /bin/busybox --install -s
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$R/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
  chmod 1777 "$R/tmp"
  tar -C "$R" --numeric-owner -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["/bin/sh"]' - local/busybox:latest >/dev/null
  rm -rf "$R"
  log "imported local/busybox:latest"
fi
if [ "${TCW_DOCKER_DEBIAN_IMAGE:-0}" = 1 ] && ! docker image inspect local/debian:bookworm >/dev/null 2>&1; then
  command -v debootstrap >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q debootstrap >&2
  R=$(mktemp -d)
  trap 'rm -rf "$R"' EXIT
  log "debootstrap bookworm minbase (about 35 s)"
  debootstrap --variant=minbase bookworm "$R" >&2
  rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/*
  tar -C "$R" --numeric-owner -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'ENV LANG=C.UTF-8' \
    -c 'CMD ["/bin/bash"]' - local/debian:bookworm >/dev/null
  rm -rf "$R"
  log "imported local/debian:bookworm"
fi
docker run --rm --network none local/busybox:latest true >&2
log "ready (smoke test docker run --rm local/busybox true passed)"
echo "DOCKER_SOCKET=$SOCK"
