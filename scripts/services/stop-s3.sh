#!/usr/bin/env bash
# Stops the S3 server started by start-s3.sh (radosgw, then the OSD and the monitor), by their pid files.
set -uo pipefail
D=${TCW_S3_DIR:-${TMPDIR:-/tmp}/tcw-s3}
pids=()
for f in "$D"/run/client.rgw.a.pid "$D"/run/osd.*.pid "$D"/run/mon.a.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if kill "$pid" 2>/dev/null; then pids+=("$pid"); fi
done
# Wait for them to go so that a start right after finds the ports free.
for _ in $(seq 1 50); do
  left=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
  [ "$left" = 0 ] && break
  sleep 0.2
done
for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
rm -f "$D/ready"
echo "stopped"
