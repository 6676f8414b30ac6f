#!/usr/bin/env bash
# A real single-node Ceph cluster (one monitor, one OSD, radosgw) on 127.0.0.1 for bevara's S3 tests.
# No systemd, no Docker: the daemons run as plain processes of root; all state lives in one directory.
#
#   scripts/ceph-test-cluster.sh up      install Debian's ceph packages when missing, start the cluster, create
#                                        the S3 test user, wait until RGW answers signed S3 requests (idempotent)
#   scripts/ceph-test-cluster.sh status  exit 0 when every daemon runs and RGW answers a signed ListBuckets
#   scripts/ceph-test-cluster.sh env     print `export BEVARA_TEST_S3_...` (use: eval "$(... env)")
#   scripts/ceph-test-cluster.sh check   S3 round trip, versioning and Object Lock, signed with curl --aws-sigv4
#   scripts/ceph-test-cluster.sh down    stop the daemons and remove the state directory
#
# Environment (defaults in brackets):
#   CEPH_TEST_DIR [/tmp/bevara-ceph]   ceph.conf, mon/osd/rgw data, logs, pid files, sockets
#   CEPH_RGW_PORT [7480]               RGW (S3) on 127.0.0.1
#   CEPH_MON_PORT [3300]               monitor, msgr2 only, on 127.0.0.1
#   CEPH_OSD_BACKEND [memstore]        memstore (RAM, fast) or bluestore (sparse file in the state directory)
#   CEPH_OSD_SIZE_GB [4 memstore, 10 bluestore]  capacity the OSD reports
#   CEPH_UP_TIMEOUT [120]              seconds each daemon may take to come up
#   BEVARA_TEST_S3_ACCESS_KEY, BEVARA_TEST_S3_SECRET_KEY, BEVARA_TEST_S3_REGION [us-east-1]: test credentials
# Ceph 16 (bookworm) has no mgr here (not needed for S3), so `ceph health` reports HEALTH_WARN: status does not use it.
set -Eeuo pipefail

DIR="${CEPH_TEST_DIR:-/tmp/bevara-ceph}"
RGW_PORT="${CEPH_RGW_PORT:-7480}"
MON_PORT="${CEPH_MON_PORT:-3300}"
BACKEND="${CEPH_OSD_BACKEND:-memstore}"
UP_TIMEOUT="${CEPH_UP_TIMEOUT:-120}"
ACCESS_KEY="${BEVARA_TEST_S3_ACCESS_KEY:-BEVARATESTACCESSKEY1}"
SECRET_KEY="${BEVARA_TEST_S3_SECRET_KEY:-bevara-test-secret-key-not-for-production}"
REGION="${BEVARA_TEST_S3_REGION:-us-east-1}"
ENDPOINT="http://127.0.0.1:${RGW_PORT}"
CONF="$DIR/ceph.conf"
MARKER="$DIR/.bevara-ceph-test-cluster"
PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)
T0=$(date +%s%N)

log() {
  local ms=$((($(date +%s%N) - T0) / 1000000))
  printf 'ceph-test-cluster: %s (%d.%ds)\n' "$*" $((ms / 1000)) $((ms % 1000 / 100)) >&2
}
die() {
  echo "ceph-test-cluster: ERROR: $*" >&2
  exit 1
}

case "$BACKEND" in
memstore) SIZE_GB="${CEPH_OSD_SIZE_GB:-4}" ;;
bluestore) SIZE_GB="${CEPH_OSD_SIZE_GB:-10}" ;;
*) die "CEPH_OSD_BACKEND must be memstore or bluestore, got '$BACKEND'" ;;
esac
[[ "$DIR" == /* && "$DIR" != "/" ]] || die "CEPH_TEST_DIR must be an absolute path other than /, got '$DIR'"

# ---------------------------------------------------------------- install

install_packages() {
  local missing=() tool
  for tool in ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw radosgw-admin:radosgw ceph:ceph-common \
    monmaptool:ceph-common curl:curl setsid:util-linux; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}; install: sudo apt-get install --no-install-recommends ${PACKAGES[*]} curl"
  local apt_log started
  apt_log=$(mktemp /tmp/bevara-ceph-apt.XXXXXX)
  started=$(date +%s)
  export DEBIAN_FRONTEND=noninteractive
  log "installing ${missing[*]} with apt-get (takes 1-3 minutes; full log: $apt_log)"
  if ! apt-get update -q -o DPkg::Lock::Timeout=300 >>"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    die "apt-get update failed"
  fi
  log "apt-get update done, installing"
  # Progress: one line per 10 downloaded and per 10 configured packages.
  if ! apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 \
    "${missing[@]}" 2>&1 | tee -a "$apt_log" |
    awk '/^Get:/ { g++; if (g % 10 == 0) { printf "ceph-test-cluster: apt: %d packages downloaded\n", g; fflush() } }
         /^Setting up / { s++; if (s % 10 == 0) { printf "ceph-test-cluster: apt: %d packages set up\n", s; fflush() } }' >&2; then
    tail -n 30 "$apt_log" >&2
    die "apt-get install ${missing[*]} failed"
  fi
  rm -f "$apt_log"
  log "installed in $(($(date +%s) - started)) s: $(dpkg-query -W -f '${Package} ${Version}  ' "${PACKAGES[@]}")"
}

# ---------------------------------------------------------------- processes

# pid of a daemon we started, if it still runs with our ceph.conf (guards against reused pids)
daemon_pid() {
  local file="$DIR/pids/$1.pid" pid cmdline
  [ -f "$file" ] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *" -c $CONF "* ]] || return 1
  echo "$pid"
}

# start_daemon NAME COMMAND...: runs COMMAND in the foreground of its own session, records its pid
start_daemon() {
  local name=$1
  shift
  # 9>&-: the daemons must not inherit (and so hold forever) the lock taken in main
  setsid "$@" -f </dev/null >>"$DIR/log/$name.out" 2>&1 9>&- &
  echo $! >"$DIR/pids/$name.pid"
}

# stop_daemon NAME GRACE_TENTHS: SIGTERM, up to GRACE_TENTHS/10 s grace, then SIGKILL
stop_daemon() {
  local pid i
  pid=$(daemon_pid "$1") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $2; i++)); do
    daemon_pid "$1" >/dev/null || return 0 # gone, or a zombie child of this shell (empty cmdline)
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# stop_daemons [GRACE_TENTHS]: one after another (about 2 s each), as RGW hangs on shutdown without its OSD
# and an OSD waits for the monitor's ack; GRACE_TENTHS=0 kills at once (stale daemons of a broken cluster)
stop_daemons() {
  [ -d "$DIR/pids" ] || return 0
  local name
  for name in rgw osd mon; do stop_daemon "$name" "${1:-50}"; done
  rm -f "$DIR"/pids/*.pid
}

# removes the state directory, but only one this script created
remove_state() {
  [ -e "$DIR" ] || return 0
  [ -f "$MARKER" ] || die "$DIR exists but was not created by this script (no $(basename "$MARKER")); remove it yourself"
  rm -rf -- "$DIR"
}

ceph_cli() { timeout 20 ceph -c "$CONF" --connect-timeout 10 "$@"; }

# wait_for WHAT DAEMON COMMAND...: retries COMMAND until it succeeds, the daemon dies or the timeout passes
wait_for() {
  local what=$1 daemon=$2 deadline=$(($(date +%s) + UP_TIMEOUT))
  shift 2
  until "$@" >/dev/null 2>&1; do
    daemon_pid "$daemon" >/dev/null || die "$daemon exited while waiting for $what"
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${UP_TIMEOUT}s waiting for $what"
    sleep 0.3
  done
}

# ---------------------------------------------------------------- S3 with curl

# s3 METHOD PATH [curl args...]: signed S3 request, prints the body, fails on HTTP >= 400
s3() {
  local method=$1 path=$2
  shift 2
  curl -sS --fail-with-body --max-time 30 --aws-sigv4 "aws:amz:${REGION}:s3" --user "${ACCESS_KEY}:${SECRET_KEY}" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X "$method" "$@" "${ENDPOINT}${path}"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

rgw_answers_anonymous() { curl -sf --max-time 5 -o /dev/null "$ENDPOINT/"; }

# ---------------------------------------------------------------- commands

write_conf() {
  local fsid=$1
  cat >"$CONF" <<EOF
# written by scripts/ceph-test-cluster.sh: single-node test cluster, no authentication, loopback only
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# with auth none, msgr2 still defaults to "secure" towards the monitor and RGW then fails with -13
ms mon client mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
keyring = $DIR/keyring
run dir = $DIR/run
crash dir = $DIR/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 2
mon data avail crit = 1
# the monitor batches map changes for 1 s by default; RGW creates 7 pools one after another on first start
paxos propose interval = 0.1

[mon]
mon data = $DIR/mon/\$cluster-\$id
log file = $DIR/log/\$name.log
mon cluster log file = $DIR/log/cluster.log

[osd]
osd data = $DIR/osd/\$cluster-\$id
log file = $DIR/log/\$name.log
osd objectstore = $BACKEND
memstore device bytes = $((SIZE_GB * 1024 * 1024 * 1024))
bluestore block create = true
bluestore block size = $((SIZE_GB * 1024 * 1024 * 1024))
bluestore cache autotune = false
bluestore cache size = 134217728

[client.rgw.a]
log file = $DIR/log/\$name.log
rgw data = $DIR/rgw
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw thread pool size = 64
# object tails (> 4 MiB) are freed by garbage collection, by default 2 h after a delete; memstore keeps them in RAM
rgw gc obj min wait = 10
rgw gc processor period = 30
EOF
}

on_up_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return 0
  echo "ceph-test-cluster: 'up' failed; last lines of the daemon logs:" >&2
  local f
  for f in "$DIR"/log/*.log "$DIR"/log/*.out; do
    [ -s "$f" ] || continue
    echo "----- $f" >&2
    tail -n 25 "$f" >&2
  done
  echo "ceph-test-cluster: stopping what was started; logs kept in $DIR/log" >&2
  stop_daemons
  rm -rf -- "$DIR/mon" "$DIR/osd" "$DIR/rgw" "$DIR/run"
  exit "$rc"
}

healthy() {
  [ -f "$MARKER" ] || return 1
  local name
  for name in mon osd rgw; do daemon_pid "$name" >/dev/null || return 1; done
  s3 GET / -o /dev/null 2>/dev/null
}

cmd_up() {
  if healthy; then
    log "already running and healthy at $ENDPOINT"
    return 0
  fi
  install_packages
  if [ -e "$DIR" ]; then
    log "cleaning stale state in $DIR"
    stop_daemons 0
    remove_state
  fi
  local port
  for port in "$MON_PORT" "$RGW_PORT"; do
    ! port_in_use "$port" || die "127.0.0.1:$port is already in use (another cluster? set CEPH_MON_PORT/CEPH_RGW_PORT)"
  done
  trap on_up_exit EXIT
  mkdir -p "$DIR"/{mon,osd,rgw,run,log,pids,crash}
  touch "$MARKER"
  local fsid osd_uuid osd_id
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"
  ceph-authtool -C "$DIR/keyring" -g -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" -g -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/keyring" >>"$DIR/log/mkfs.out" 2>&1 ||
    die "ceph-mon --mkfs failed"
  start_daemon mon ceph-mon -c "$CONF" -i a
  wait_for "the monitor to form a quorum" mon ceph_cli quorum_status
  log "monitor up on 127.0.0.1:$MON_PORT"

  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(ceph_cli osd new "$osd_uuid") || die "ceph osd new failed"
  mkdir -p "$DIR/osd/ceph-$osd_id"
  ceph-osd -c "$CONF" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >>"$DIR/log/mkfs.out" 2>&1 ||
    die "ceph-osd --mkfs ($BACKEND) failed"
  start_daemon osd ceph-osd -c "$CONF" -i "$osd_id"
  wait_for "osd.$osd_id to come up" osd bash -c "timeout 20 ceph -c '$CONF' --connect-timeout 10 osd stat -f json | grep -q '\"num_up_osds\":1'"
  log "osd.$osd_id up ($BACKEND, ${SIZE_GB} GiB)"

  start_daemon rgw radosgw -c "$CONF" -n client.rgw.a
  wait_for "RGW to answer on $ENDPOINT" rgw rgw_answers_anonymous
  log "RGW answers on $ENDPOINT"

  timeout 60 radosgw-admin -c "$CONF" user create --uid=bevara-test --display-name="bevara test" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >>"$DIR/log/radosgw-admin.out" 2>&1 ||
    die "radosgw-admin user create failed"
  # A signed create + delete of a probe bucket proves authentication and pool creation work end to end.
  local probe="bevara-probe-$$"
  wait_for "a signed S3 CreateBucket" rgw s3 PUT "/$probe"
  s3 DELETE "/$probe" >/dev/null || die "deleting the probe bucket failed"
  cat >"$DIR/s3.env" <<EOF
export BEVARA_TEST_S3_ENDPOINT=$ENDPOINT
export BEVARA_TEST_S3_ACCESS_KEY=$ACCESS_KEY
export BEVARA_TEST_S3_SECRET_KEY=$SECRET_KEY
export BEVARA_TEST_S3_REGION=$REGION
EOF
  trap - EXIT
  log "cluster ready: S3 at $ENDPOINT (state in $DIR; stop with: $0 down)"
}

cmd_status() {
  if healthy; then
    echo "ceph-test-cluster: running, S3 at $ENDPOINT, pids: $(cat "$DIR"/pids/*.pid | tr '\n' ' ')"
    return 0
  fi
  local name state=""
  for name in mon osd rgw; do
    if daemon_pid "$name" >/dev/null; then state+=" $name=running"; else state+=" $name=stopped"; fi
  done
  echo "ceph-test-cluster: not healthy:$state (state in $DIR, S3 at $ENDPOINT)" >&2
  return 1
}

cmd_env() {
  if [ -f "$DIR/s3.env" ]; then
    cat "$DIR/s3.env"
  else
    echo "ceph-test-cluster: warning: cluster in $DIR is not up; run: $0 up" >&2
    printf 'export BEVARA_TEST_S3_ENDPOINT=%s\nexport BEVARA_TEST_S3_ACCESS_KEY=%s\n' "$ENDPOINT" "$ACCESS_KEY"
    printf 'export BEVARA_TEST_S3_SECRET_KEY=%s\nexport BEVARA_TEST_S3_REGION=%s\n' "$SECRET_KEY" "$REGION"
  fi
}

cmd_down() {
  if [ ! -e "$DIR" ]; then
    log "nothing to stop ($DIR does not exist)"
    return 0
  fi
  stop_daemons
  remove_state
  log "stopped, $DIR removed"
}

main() {
  local cmd=${1:-}
  case "$cmd" in
  up | down | status | env | check) ;;
  *)
    echo "usage: $0 up|down|status|env|check" >&2
    exit 2
    ;;
  esac
  if [ "$cmd" = check ]; then
    # shellcheck source=scripts/ceph/s3-check.sh
    source "$(dirname "${BASH_SOURCE[0]}")/ceph/s3-check.sh"
  fi
  # one writer at a time (parallel CI steps, test workers); the lock lives next to the state directory
  if [ "$cmd" = up ] || [ "$cmd" = down ]; then
    exec 9>"${DIR%/}.lock"
    flock -w 600 9 || die "another '$0' holds ${DIR%/}.lock"
  fi
  "cmd_$cmd"
}

main "$@"
