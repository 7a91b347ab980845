#!/usr/bin/env bash
# Makes this machine ready for the sandbox engine: bubblewrap (`bwrap`), `setpriv`, cgroups (v1 memory,
# pids, cpu and freezer controllers, or v2 with memory, pids and cpu) and unprivileged user namespaces
# (bwrap runs as the task user, not as root).
#
# Idempotent: installs Debian's bubblewrap only when `bwrap` is missing (needs root and apt-get). What it
# cannot install (cgroups, user namespaces, util-linux's setpriv) it only checks.
# Progress goes to stderr. Exit codes: 0 ready, 2 cannot be made ready here (not root, no apt-get, no
# cgroups, user namespaces off), 1 anything else (an install that broke).
set -euo pipefail

log() { echo "install-sandbox: $*" >&2; }
cannot() {
  log "$*"
  exit 2
}

if [ "$(id -u)" != 0 ]; then
  cannot "the sandbox engine runs as root (it gives tasks their own uids and cgroups); run this as root"
fi

# One install at a time: parallel test processes may all call this script.
LOCK=${TMPDIR:-/tmp}/tcw-install-sandbox.lock
exec 9>"$LOCK"
flock 9

if ! command -v bwrap >/dev/null; then
  command -v apt-get >/dev/null || cannot "bubblewrap is not installed and there is no apt-get to install it with"
  log "installing bubblewrap (about 8 s)"
  apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 "$@" >&2
  }
  apt_install() { apt_get install -y -q --no-install-recommends bubblewrap; }
  # Stale package lists (404 on the archive) are refreshed once; a failing extra source does not stop it.
  if ! apt_install; then
    apt_get update -q || log "apt-get update reported errors; trying the install anyway"
    apt_install
  fi
fi

for tool in bwrap setpriv; do
  command -v "$tool" >/dev/null || cannot "$tool is missing (Debian: bubblewrap, util-linux)"
done

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  for controller in memory pids cpu; do
    grep -qw "$controller" /sys/fs/cgroup/cgroup.controllers ||
      cannot "cgroup v2 is mounted but its $controller controller is not available"
  done
else
  for controller in memory pids cpu freezer; do
    [ -f "/sys/fs/cgroup/$controller/cgroup.procs" ] ||
      cannot "the cgroup v1 $controller controller is not mounted at /sys/fs/cgroup/$controller"
  done
fi

userns=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)
clone=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)
if [ "$userns" = 0 ] || [ "$clone" = 0 ]; then
  cannot "unprivileged user namespaces are disabled (sysctl user.max_user_namespaces / kernel.unprivileged_userns_clone)"
fi

log "ready: $(bwrap --version)"
