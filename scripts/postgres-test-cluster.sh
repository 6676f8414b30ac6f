#!/usr/bin/env bash
# A PostgreSQL server on 127.0.0.1 for bevara's catalog tests: its own data directory and port, started with
# pg_ctl as the postgres user, never touching the clusters of /etc/postgresql (Debian's `main` on 5432).
#
#   scripts/postgres-test-cluster.sh up      install Debian's postgresql when missing, create the cluster when
#                                            missing, start it, create the role and database `bevara` (idempotent)
#   scripts/postgres-test-cluster.sh status  exit 0 when the server accepts the `bevara` login
#   scripts/postgres-test-cluster.sh env     print `export BEVARA_TEST_POSTGRES_URL=...` (eval "$(... env)")
#   scripts/postgres-test-cluster.sh down    stop the server and remove its directory
#
# Environment (defaults in brackets):
#   BEVARA_TEST_POSTGRES_DIR [/var/lib/bevara-test-postgres]  data/, run/ (socket), postgres.log
#   BEVARA_TEST_POSTGRES_PORT [55432]                         on 127.0.0.1
#   BEVARA_TEST_POSTGRES_PASSWORD [bevara-test-password]      password of the role `bevara` (it may create databases)
#   BEVARA_TEST_POSTGRES_UP_TIMEOUT [60]                      seconds the server may take to start
# The cluster's default collation is ICU Swedish (sv-SE), so that an ORDER BY relying on the server's collation
# instead of byte order shows in the tests. Durability is off (fsync, full_page_writes): test data only.
set -Eeuo pipefail

DIR="${BEVARA_TEST_POSTGRES_DIR:-/var/lib/bevara-test-postgres}"
PORT="${BEVARA_TEST_POSTGRES_PORT:-55432}"
PASSWORD="${BEVARA_TEST_POSTGRES_PASSWORD:-bevara-test-password}"
UP_TIMEOUT="${BEVARA_TEST_POSTGRES_UP_TIMEOUT:-60}"
DATA="$DIR/data"
RUN="$DIR/run"
LOG="$DIR/postgres.log"
URL="postgres://bevara:${PASSWORD}@127.0.0.1:${PORT}/bevara"
T0=$(date +%s%N)

log() {
  local ms=$((($(date +%s%N) - T0) / 1000000))
  printf 'postgres-test-cluster: %s (%d.%ds)\n' "$*" $((ms / 1000)) $((ms % 1000 / 100)) >&2
}
die() {
  echo "postgres-test-cluster: ERROR: $*" >&2
  exit 1
}

[[ "$DIR" == /* && "$DIR" != "/" ]] || die "BEVARA_TEST_POSTGRES_DIR must be an absolute path other than /, got '$DIR'"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "BEVARA_TEST_POSTGRES_PORT must be a number, got '$PORT'"
[[ "$PASSWORD" =~ ^[A-Za-z0-9._~-]+$ ]] || die "BEVARA_TEST_POSTGRES_PASSWORD may hold only A-Z a-z 0-9 . _ ~ -"

# The newest installed server's bin directory (Debian keeps each major version apart), or nothing.
bindir() {
  local newest
  newest=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [ -x "$newest/postgres" ] && echo "$newest"
}

install_packages() {
  if [ -n "$(bindir)" ] && id postgres >/dev/null 2>&1 && command -v runuser >/dev/null; then return 0; fi
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed; install it (sudo apt-get install postgresql) or set BEVARA_TEST_POSTGRES_URL"
  local apt_log started
  apt_log=$(mktemp /tmp/bevara-postgres-apt.XXXXXX)
  started=$(date +%s)
  export DEBIAN_FRONTEND=noninteractive
  log "installing postgresql with apt-get (full log: $apt_log)"
  if ! apt-get update -q -o DPkg::Lock::Timeout=300 >>"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    die "apt-get update failed"
  fi
  if ! apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 \
    postgresql util-linux >>"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    die "apt-get install postgresql failed"
  fi
  rm -f "$apt_log"
  [ -n "$(bindir)" ] || die "postgresql installed, but no server binary under /usr/lib/postgresql/*/bin"
  log "installed in $(($(date +%s) - started)) s: $(dpkg-query -W -f '${Package} ${Version}' postgresql)"
}

as_postgres() {
  runuser -u postgres -- "$@"
}

# psql as the superuser over the cluster's own socket (peer authentication).
admin_sql() {
  as_postgres "$(bindir)/psql" -h "$RUN" -p "$PORT" -d postgres -v ON_ERROR_STOP=1 -qAtX "$@"
}

running() {
  [ -n "$(bindir)" ] && [ -f "$DATA/PG_VERSION" ] &&
    as_postgres "$(bindir)/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

# A postmaster.pid whose pid now belongs to another process (after a reboot or a killed machine) would make
# pg_ctl think the server runs: remove it, and the socket lock files, unless that pid is this cluster's postmaster.
clear_stale_pid() {
  local pid
  [ -f "$DATA/postmaster.pid" ] || return 0
  pid=$(head -n 1 "$DATA/postmaster.pid")
  if [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-D $DATA "; then
    return 0
  fi
  log "removing stale postmaster.pid (pid $pid is not this cluster's postgres)"
  rm -f "$DATA/postmaster.pid" "$RUN"/.s.PGSQL."$PORT"*
}

init_cluster() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  log "creating the cluster in $DATA"
  rm -rf "$DATA"
  install -d -o postgres -g postgres -m 0700 "$DATA"
  local pwfile
  pwfile=$(mktemp "$DIR/.pw.XXXXXX")
  # The superuser gets a random password nobody needs: it logs in over the socket (peer authentication).
  head -c 24 /dev/urandom | base64 >"$pwfile"
  chown postgres "$pwfile"
  if ! as_postgres "$(bindir)/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" --encoding=UTF8 \
    --locale=C.UTF-8 --locale-provider=icu --icu-locale=sv-SE \
    --auth-local=peer --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1; then
    rm -f "$pwfile"
    tail -n 20 "$DIR/initdb.log" >&2
    die "initdb failed (log: $DIR/initdb.log)"
  fi
  rm -f "$pwfile"
}

start_server() {
  clear_stale_pid
  running && return 0
  install -d -o postgres -g postgres -m 0755 "$RUN"
  touch "$LOG" && chown postgres "$LOG"
  log "starting postgres on 127.0.0.1:$PORT"
  local options="-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$RUN"
  options+=" -c max_connections=300 -c shared_buffers=128MB -c fsync=off -c synchronous_commit=off"
  options+=" -c full_page_writes=off -c password_encryption=scram-sha-256"
  # 9>&-: the server must not inherit (and so hold forever) the lock taken in main.
  if ! as_postgres "$(bindir)/pg_ctl" -D "$DATA" -l "$LOG" -w -t "$UP_TIMEOUT" -o "$options" start \
    >/dev/null 9>&-; then
    tail -n 20 "$LOG" >&2
    die "postgres did not start (log: $LOG)"
  fi
}

create_role() {
  local exists
  exists=$(admin_sql -c "SELECT 1 FROM pg_roles WHERE rolname = 'bevara'")
  if [ "$exists" != 1 ]; then
    admin_sql -c "CREATE ROLE bevara LOGIN CREATEDB PASSWORD '$PASSWORD'"
  else
    admin_sql -c "ALTER ROLE bevara LOGIN CREATEDB PASSWORD '$PASSWORD'"
  fi
  exists=$(admin_sql -c "SELECT 1 FROM pg_database WHERE datname = 'bevara'")
  [ "$exists" = 1 ] || admin_sql -c "CREATE DATABASE bevara OWNER bevara"
}

status() {
  running && PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=5 "$(bindir)/psql" -h 127.0.0.1 -p "$PORT" -U bevara \
    -d bevara -qAtX -c 'SELECT 1' >/dev/null 2>&1
}

up() {
  install_packages
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "another postgres-test-cluster.sh holds $DIR/.lock"
  if status; then
    log "already up on 127.0.0.1:$PORT"
    return 0
  fi
  init_cluster
  start_server
  create_role
  status || die "postgres runs, but the role bevara cannot log in over 127.0.0.1:$PORT (log: $LOG)"
  log "up on 127.0.0.1:$PORT ($("$(bindir)/postgres" --version))"
}

down() {
  [ -d "$DIR" ] || return 0
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "another postgres-test-cluster.sh holds $DIR/.lock"
  if running; then as_postgres "$(bindir)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
  rm -rf "$DIR"
  log "stopped and removed $DIR"
}

case "${1:-}" in
up) up ;;
status) status ;;
env) echo "export BEVARA_TEST_POSTGRES_URL=$URL" ;;
down) down ;;
*)
  echo "usage: $0 up|status|env|down" >&2
  exit 2
  ;;
esac
