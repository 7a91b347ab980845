#!/usr/bin/env bash
# Starts a throwaway S3 server for the artifact tests: a single-node Ceph (one monitor, one OSD on the
# in-memory `memstore` object store, no cephx, pools of size 1) with radosgw on 127.0.0.1:$TCW_S3_PORT.
# Real signature checks (unlike S3 fakes), so presigned-URL tests mean something. Data lives in memory
# and in $TCW_S3_DIR: it is gone when the daemons stop.
#
# Idempotent: when it is already running it is reused. Installs Debian's radosgw, ceph-mon and ceph-osd
# when missing (needs root and apt-get; no systemd needed: the daemons are started by hand).
# Prints the connection details as KEY=value lines on stdout (progress goes to stderr):
#   S3_ENDPOINT=http://127.0.0.1:7480  S3_REGION=us-east-1  S3_ACCESS_KEY_ID=...  S3_SECRET_ACCESS_KEY=...
# Exit codes: 0 ready, 2 cannot install or start here (not root, no apt-get), 1 anything else.
set -euo pipefail

D=${TCW_S3_DIR:-${TMPDIR:-/tmp}/tcw-s3}
PORT=${TCW_S3_PORT:-7480}
MON_PORT=${TCW_S3_MON_PORT:-6789}
AK=${TCW_S3_ACCESS_KEY:-TASKWORKERTESTKEY000}
SK=${TCW_S3_SECRET_KEY:-taskworkertestsecret0000000000000000000}
ENDPOINT="http://127.0.0.1:$PORT"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { echo "start-s3: $*" >&2; }
details() {
  echo "S3_ENDPOINT=$ENDPOINT"
  echo "S3_REGION=us-east-1"
  echo "S3_ACCESS_KEY_ID=$AK"
  echo "S3_SECRET_ACCESS_KEY=$SK"
}
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
answers() { curl -s -o /dev/null --max-time 2 "$ENDPOINT/"; }
running() { [ -f "$D/ready" ] && alive "$D/run/client.rgw.a.pid" && answers; }

# One start at a time (parallel test processes may all ask); the lock lives outside $D, which is recreated.
mkdir -p "$(dirname "$D")"
exec 9>"$D.lock"
flock 9

if running; then
  log "radosgw already running on $ENDPOINT (reused)"
  details
  exit 0
fi

missing=0
for tool in radosgw ceph-mon ceph-osd curl; do command -v "$tool" >/dev/null || missing=1; done
if [ "$missing" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "radosgw is not installed and installing it needs root (apt-get install radosgw ceph-mon ceph-osd curl)"
    exit 2
  fi
  if ! command -v apt-get >/dev/null; then
    log "radosgw is not installed and there is no apt-get to install it with"
    exit 2
  fi
  log "installing radosgw, ceph-mon, ceph-osd (about 35 s)"
  apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 "$@" >&2
  }
  apt_install() { apt_get install -y -q --no-install-recommends radosgw ceph-mon ceph-osd curl; }
  # A new machine's package lists may be stale (404 on the archives): refresh them and try again. An update
  # that fails for one source (an unreachable extra repository) may still have refreshed Debian's, so the
  # install is tried anyway; a mirror that hiccups gets one more round after a pause.
  refresh() { apt_get update -q || log "apt-get update reported errors; trying the install anyway"; }
  if ! apt_install; then
    refresh
    if ! apt_install; then
      log "installing failed; trying once more in 10 s"
      sleep 10
      refresh
      apt_install
    fi
  fi
fi
if [ "$(id -u)" != 0 ]; then
  # The daemons themselves could run unprivileged, but the layout below was only ever verified as root.
  log "starting radosgw needs root"
  exit 2
fi

# Leftovers of an instance that died (or half started) would hold the ports.
TCW_S3_DIR="$D" bash "$HERE/stop-s3.sh" >/dev/null 2>&1 || true

log "starting ceph-mon, ceph-osd (memstore) and radosgw in $D (about 15 s)"
rm -rf "$D"
mkdir -p "$D"/{run,log,mon,osd,rgw}
FSID=$(cat /proc/sys/kernel/random/uuid)
cat >"$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
mon data = $D/mon/\$cluster-\$id
osd data = $D/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 2147483648
ms bind ipv6 = false
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $D/rgw
rgw dns name = localhost
CONF
export CEPH_CONF="$D/ceph.conf"

ceph-authtool --create-keyring "$D/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$D/monmap" --keyring "$D/mon.keyring" >&2
# Daemons get no inherited descriptors: not the lock (fd 9), not the caller's pipes (stdio).
ceph-mon -i a </dev/null >"$D/log/mon.out" 2>&1 9>&-
OSD=$(ceph osd create)
mkdir -p "$D/osd/ceph-$OSD"
ceph-osd -i "$OSD" --mkfs >/dev/null 2>&1
ceph osd crush add "osd.$OSD" 1.0 root=default host=localhost >/dev/null 2>&1
ceph-osd -i "$OSD" </dev/null >"$D/log/osd.out" 2>&1 9>&-
for _ in $(seq 1 120); do ceph osd stat 2>/dev/null | grep -q '1 up' && break; sleep 0.5; done
radosgw -n client.rgw.a </dev/null >"$D/log/rgw.out" 2>&1 9>&-
for _ in $(seq 1 240); do answers && break; sleep 0.5; done
if ! answers; then
  log "radosgw did not answer on $ENDPOINT; see $D/log/"
  exit 1
fi
# The user may already exist when radosgw came up on a reused pool; create it or make sure of its keys.
if ! radosgw-admin user create --uid=worker --display-name=worker --access-key="$AK" --secret-key="$SK" \
  >/dev/null 2>&1; then
  radosgw-admin key create --uid=worker --key-type=s3 --access-key="$AK" --secret-key="$SK" >/dev/null
fi
touch "$D/ready"
log "radosgw ready on $ENDPOINT"
details
