#!/usr/bin/env bash
# Runs a container image of the service built with buildah (`buildah bud -t localhost/kinematics-service:check .`
# from the repository root) with a read-only
# root file system and a tmpfs at /data as its only writable mount, as the Kubernetes Deployment
# does, and reports: the image size, the time from start to /readyz 200, an upload (201, stored
# in /data), and a clean exit on SIGTERM. Needs root (mount, chroot) and buildah.
#
# Usage: scripts/container-readonly-check.sh [IMAGE]   (default localhost/kinematics-service:check)
set -euo pipefail
image=${1:-localhost/kinematics-service:check}
port=${CHECK_PORT:-18081}
log() { printf '[readonly-check] %s\n' "$*" >&2; }

ctr=$(buildah from "$image")
mnt=$(buildah mount "$ctr")
root=$(mktemp -d)
cleanup() {
  [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null || true
  for m in "$root/data" "$root/dev" "$root/proc" "$root"; do umount "$m" 2>/dev/null || true; done
  rmdir "$root" 2>/dev/null || true
  buildah umount "$ctr" >/dev/null 2>&1 || true
  buildah rm "$ctr" >/dev/null 2>&1 || true
}
trap cleanup EXIT
mount --bind "$mnt" "$root"
mount -o remount,bind,ro "$root"
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount -t tmpfs -o size=64m,uid=1000,gid=1000 tmpfs "$root/data"
if touch "$root/app/should-fail" 2>/dev/null; then log "FAIL: the root file system is writable"; exit 1; fi

size=$(buildah images --format '{{.Size}}' "$image" | head -1)
started=$(date +%s%N)
chroot --userspec=1000:1000 "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production \
  HOST=127.0.0.1 PORT="$port" ROBOTS_DIR=/app/robots DATA_DIR=/data LOG_LEVEL=warn \
  sh -c 'cd /app && exec node dist/server.js' &
pid=$!
for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { log "FAIL: the service exited"; exit 1; }
  sleep 0.02
done
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/robots?id=ro_check" -H 'content-type: application/xml' \
  --data-binary '<robot name="ro_check"><link name="a"/><link name="b"/><joint name="j" type="continuous"><parent link="a"/><child link="b"/><axis xyz="0 0 1"/></joint></robot>')
[ "$code" = 201 ] || { log "FAIL: upload answered $code"; exit 1; }
[ -f "$root/data/ro_check.urdf" ] || { log "FAIL: the upload is not in /data"; exit 1; }
kill -TERM "$pid"
status=0; wait "$pid" || status=$?
pid=
[ "$status" = 0 ] || { log "FAIL: exit status $status after SIGTERM"; exit 1; }
echo "read-only container check: PASS (image $size, /readyz 200 after ${ready_ms} ms, upload stored in /data, exit 0 on SIGTERM)"
