#!/usr/bin/env bash
# Private PostgreSQL and Redis servers for development and tests, kept under var/.
#
#   scripts/services.sh start     start both (idempotent; fast when they already run)
#   scripts/services.sh stop      stop both
#   scripts/services.sh status    show what runs (exit 3 when a private server is down)
#   scripts/services.sh env       print `export DATABASE_URL=... REDIS_URL=...` for eval
#   scripts/services.sh packages  print the Debian packages the servers need that are missing
#
# A server is skipped when its URL is already set (DATABASE_URL, REDIS_URL). Ports default to
# 54329 and 63799 (HELPDESK_PG_PORT, HELPDESK_REDIS_PORT override them). The port a server was
# started on is remembered under var/, so `env` in another shell prints the same URL. When the
# default port is taken by something else (say a second checkout on this machine) and no port was
# asked for, the next free one is used instead. Everything binds to 127.0.0.1 only.
#
# HELPDESK_VAR_DIR (default var/) keeps a second, separate pair elsewhere: with it and two other
# ports, crash tests can restart a PostgreSQL of their own while others use the default pair.
#   HELPDESK_VAR_DIR=/tmp/chaos/var HELPDESK_PG_PORT=54339 HELPDESK_REDIS_PORT=63809 \
#       scripts/services.sh start
set -euo pipefail
umask 022

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${HELPDESK_VAR_DIR:-$ROOT/var}
PG_DIR=$VAR/pg
PG_DATA=$PG_DIR/data
PG_PORT_FILE=$PG_DIR/port
PG_LOG=$VAR/log/postgres.log
REDIS_DIR=$VAR/redis
REDIS_CONF=$REDIS_DIR/redis.conf
REDIS_PORT_FILE=$REDIS_DIR/port
REDIS_PID=$VAR/run/redis.pid
REDIS_LOG=$VAR/log/redis.log
PG_MIN_MAJOR=15
WAIT_SECONDS=${HELPDESK_SERVICES_TIMEOUT:-30}

say() { printf 'services: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

# --- ports and URLs -----------------------------------------------------------------------------

pg_port() {
    if [[ -n ${HELPDESK_PG_PORT:-} ]]; then
        echo "$HELPDESK_PG_PORT"
    elif [[ -s $PG_PORT_FILE ]]; then
        cat "$PG_PORT_FILE"
    else
        echo 54329
    fi
}

redis_port() {
    if [[ -n ${HELPDESK_REDIS_PORT:-} ]]; then
        echo "$HELPDESK_REDIS_PORT"
    elif [[ -s $REDIS_PORT_FILE ]]; then
        cat "$REDIS_PORT_FILE"
    else
        echo 63799
    fi
}

database_url() { echo "${DATABASE_URL:-postgres://helpdesk@127.0.0.1:$(pg_port)/helpdesk}"; }
redis_url() { echo "${REDIS_URL:-redis://127.0.0.1:$(redis_port)/0}"; }

# Hide a password in a URL before printing it.
mask_url() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Pick a port for a server that is not running: the asked or remembered one, or the next free one
# after it when it is taken by someone else and nobody asked for it explicitly.
choose_port() { # name current explicit
    local name=$1 port=$2 explicit=$3 candidate
    port_in_use "$port" || {
        echo "$port"
        return
    }
    [[ -z $explicit ]] || die "$name: port $port on 127.0.0.1 is already in use by another program"
    for ((candidate = port + 1; candidate < port + 100; candidate++)); do
        if ! port_in_use "$candidate"; then
            say "$name: port $port is taken by another program; using $candidate instead"
            echo "$candidate"
            return
        fi
    done
    die "$name: no free port in $port..$((port + 99))"
}

# True when process $1 exists and, where /proc tells, is named $2 (a recycled pid is not ours).
pid_alive() { # pid name
    local stat
    [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
    [[ -r /proc/$1/stat ]] || return 0
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    # "pid (comm) state ...": a zombie (a killed server nobody reaped yet) counts as dead.
    [[ $stat == *"($2"*")"* && ${stat##*) } != Z* ]]
}

# --- binaries -----------------------------------------------------------------------------------

# Prints the bin directory of the newest PostgreSQL server >= 15, or nothing.
find_pg_bindir() {
    local dirs=() dir major best="" best_major=0
    if command -v pg_config >/dev/null 2>&1; then
        dirs+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    dirs+=(/usr/lib/postgresql/*/bin)
    if command -v initdb >/dev/null 2>&1; then
        dirs+=("$(dirname "$(command -v initdb)")")
    fi
    for dir in "${dirs[@]}"; do
        [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres && -x $dir/psql ]] || continue
        major=$("$dir/postgres" --version 2>/dev/null | sed -nE 's/^[^0-9]*([0-9]+).*/\1/p')
        [[ -n $major ]] || continue
        if ((major >= PG_MIN_MAJOR && major > best_major)); then
            best=$dir
            best_major=$major
        fi
    done
    echo "$best"
}

pg_has_trgm() { # bindir
    local share
    share=$("$1/pg_config" --sharedir 2>/dev/null) || share=""
    [[ -n $share && -f $share/extension/pg_trgm.control ]] && return 0
    compgen -G "/usr/share/postgresql/*/extension/pg_trgm.control" >/dev/null
}

missing_packages() {
    local bindir missing=()
    if [[ -z ${DATABASE_URL:-} ]]; then
        bindir=$(find_pg_bindir)
        if [[ -z $bindir ]]; then
            missing+=(postgresql postgresql-contrib)
        elif ! pg_has_trgm "$bindir"; then
            missing+=(postgresql-contrib)
        fi
    fi
    if [[ -z ${REDIS_URL:-} ]]; then
        command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
            || missing+=(redis-server)
    fi
    # The email tests poll a real IMAP server: an unprivileged Dovecot of their own.
    [[ -x /usr/sbin/dovecot ]] || command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
    echo "${missing[*]}"
}

ensure_binaries() {
    if [[ -n $(missing_packages) ]]; then
        "$ROOT/scripts/bootstrap.sh" --system-only
    fi
    if [[ -z ${DATABASE_URL:-} ]]; then
        PG_BIN=$(find_pg_bindir)
        [[ -n $PG_BIN ]] || die "no PostgreSQL >= $PG_MIN_MAJOR server binaries found"
    fi
}

# --- PostgreSQL ---------------------------------------------------------------------------------

# PostgreSQL refuses to run as root: then it runs as the `postgres` system user.
if [[ $(id -u) -eq 0 ]]; then
    PG_USER=postgres
else
    PG_USER=$(id -un)
fi

as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        "$@"
    fi
}

pg_pid() {
    [[ -f $PG_DATA/postmaster.pid ]] && head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true
}

pg_running() { pid_alive "$(pg_pid)" postgres; }

# The port the running server listens on (line 4 of postmaster.pid).
pg_running_port() { sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true; }

# After a crash (kill -9) postmaster.pid names a dead server. PostgreSQL copes with that by itself,
# except when the dead postmaster is a zombie nobody has reaped yet (containers whose init does not
# reap): it then takes the pid for a live server and refuses to start. Wait for the old backends
# (processes whose working directory is the data directory) to exit, then drop the stale file.
pg_clear_stale_pidfile() {
    local pid deadline proc busy
    pid=$(pg_pid)
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && ! pg_running || return 0
    deadline=$((SECONDS + 15))
    while :; do
        busy=""
        for proc in /proc/[0-9]*; do
            [[ $(readlink "$proc/cwd" 2>/dev/null) == "$PG_DATA" ]] || continue
            pid_alive "${proc#/proc/}" postgres && busy=${proc#/proc/} && break
        done
        [[ -n $busy ]] || break
        ((SECONDS < deadline)) || die "postgres: process $busy of a crashed server is still running"
        sleep 0.2
    done
    say "postgres: removing the lock files of crashed server $pid (an unreaped zombie)"
    local port sockdir
    port=$(sed -n 4p "$PG_DATA/postmaster.pid")
    sockdir=$(sed -n 5p "$PG_DATA/postmaster.pid")
    if [[ -n $port && -n $sockdir && -f $sockdir/.s.PGSQL.$port.lock ]] \
        && [[ $(head -n 1 "$sockdir/.s.PGSQL.$port.lock") == "$pid" ]]; then
        as_pg rm -f "$sockdir/.s.PGSQL.$port.lock" "$sockdir/.s.PGSQL.$port"
    fi
    as_pg rm -f "$PG_DATA/postmaster.pid"
}

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -t 2 >/dev/null 2>&1; }

psql_admin() { # port args...
    local port=$1
    shift
    PGOPTIONS='' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
        -d postgres "$@"
}

# The unix socket path must stay under the kernel's 107-byte limit; deep checkouts use /tmp.
pg_socket_dir() { # port
    local dir=$PG_DIR/run
    if ((${#dir} + ${#1} + 12 > 100)); then
        dir=/tmp/helpdesk-pg-$(printf '%s' "$ROOT${HELPDESK_VAR_DIR:+:$VAR}" | md5sum | cut -c1-12)
    fi
    echo "$dir"
}

# The postgres user must be able to reach var/pg through every parent directory.
pg_make_reachable() {
    local dir path=""
    [[ $(id -u) -eq 0 ]] || return 0
    as_pg test -x "$VAR" && return 0
    # Top down, so each check sees its parents already fixed.
    IFS=/ read -r -a parts <<<"${VAR#/}"
    for dir in "${parts[@]}"; do
        path=$path/$dir
        if ! as_pg test -x "$path"; then
            say "postgres: allowing user $PG_USER to traverse $path (chmod o+x)"
            chmod o+x "$path"
        fi
    done
}

pg_locale_args() {
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        echo "--locale=C.UTF-8"
    else
        echo "--no-locale"
    fi
}

pg_init() {
    local tmp=$PG_DIR/data.init
    say "postgres: creating a cluster in ${PG_DATA#"$ROOT"/} ($("$PG_BIN/postgres" --version))"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    [[ $(id -u) -ne 0 ]] || chown -R "$PG_USER:" "$PG_DIR"
    # shellcheck disable=SC2046
    as_pg "$PG_BIN/initdb" -D "$tmp" -U postgres -A trust -E UTF8 $(pg_locale_args) \
        >"$VAR/log/initdb.log" 2>&1 || {
        tail -n 20 "$VAR/log/initdb.log" >&2
        die "postgres: initdb failed (see var/log/initdb.log)"
    }
    as_pg tee "$tmp/pg_hba.conf" >/dev/null <<'EOF'
# Private development cluster: trust, and only over the unix socket and 127.0.0.1.
# TYPE  DATABASE     USER  ADDRESS       METHOD
local   all          all                 trust
host    all          all   127.0.0.1/32  trust
local   replication  all                 trust
host    replication  all   127.0.0.1/32  trust
EOF
    echo "include 'helpdesk.conf'" | as_pg tee -a "$tmp/postgresql.conf" >/dev/null
    mv "$tmp" "$PG_DATA"
}

# Written on every start, so changes here reach existing clusters at their next restart.
pg_write_conf() { # port socketdir
    as_pg tee "$PG_DATA/helpdesk.conf" >/dev/null <<EOF
# Written by scripts/services.sh on every start; edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$2'
max_connections = 200
shared_buffers = 256MB
# Crash tests need real durability: fsync stays on. Losing the last few commits on an OS crash is
# acceptable in development, so commits do not wait for the WAL flush.
fsync = on
full_page_writes = on
synchronous_commit = off
work_mem = 16MB
maintenance_work_mem = 256MB
effective_cache_size = 4GB
random_page_cost = 1.1
jit = off
max_wal_size = 4GB
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

pg_start() {
    local port explicit=${HELPDESK_PG_PORT:-} sockdir deadline state
    port=$(pg_port)
    mkdir -p "$PG_DIR" "$VAR/log"
    pg_make_reachable
    if pg_running; then
        local running
        running=$(pg_running_port)
        if [[ -n $explicit && -n $running && $running != "$explicit" ]]; then
            die "postgres: already running on port $running, not $explicit; run '$0 stop' first"
        fi
        port=${running:-$port}
        deadline=$((SECONDS + WAIT_SECONDS))
        while pg_running && ! pg_ready "$port" && ((SECONDS < deadline)); do
            sleep 0.2
        done
        if pg_ready "$port"; then
            state=$(pg_ensure_db "$port")
            say "postgres: already running on 127.0.0.1:$port${state:+ ($state)}"
            return
        fi
        ! pg_running || die "postgres: pid $(pg_pid) runs but does not accept connections" \
            "on 127.0.0.1:$port after ${WAIT_SECONDS}s (see var/log/postgres.log)"
        port=$(pg_port)
    fi
    # Not running (never started, stopped, or died): start it.
    [[ -f $PG_DATA/PG_VERSION ]] || pg_init
    pg_clear_stale_pidfile
    port=$(choose_port postgres "$port" "$explicit")
    sockdir=$(pg_socket_dir "$port")
    mkdir -p "$sockdir"
    touch "$PG_LOG"
    [[ $(id -u) -ne 0 ]] || chown "$PG_USER:" "$PG_DIR" "$sockdir" "$PG_LOG"
    pg_write_conf "$port" "$sockdir"
    echo "$port" >"$PG_PORT_FILE"
    # pg_ctl -w returns once the server accepts connections, or fails after the timeout.
    # 9>&-: the server must not inherit (and so hold forever) the lock of this script.
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_SECONDS" start \
        >/dev/null 9>&-; then
        tail -n 20 "$PG_LOG" >&2 || true
        die "postgres: did not start within ${WAIT_SECONDS}s (see var/log/postgres.log)"
    fi
    deadline=$((SECONDS + WAIT_SECONDS))
    until pg_ready "$port"; do
        if ((SECONDS >= deadline)); then
            tail -n 20 "$PG_LOG" >&2 || true
            die "postgres: not accepting connections on 127.0.0.1:$port after ${WAIT_SECONDS}s"
        fi
        sleep 0.2
    done
    state=$(pg_ensure_db "$port")
    say "postgres: running on 127.0.0.1:$port${state:+ ($state)}"
}

# Role `helpdesk` is a superuser so tests can create databases and extensions.
pg_ensure_db() { # port
    local have
    have=$(psql_admin "$1" -tAc "SELECT
        (SELECT count(*) FROM pg_roles WHERE rolname = 'helpdesk')::text ||
        (SELECT count(*) FROM pg_database WHERE datname = 'helpdesk')::text") \
        || die "postgres: cannot connect as postgres on 127.0.0.1:$1"
    [[ $have == 11 ]] && return
    if [[ ${have:0:1} == 0 ]]; then
        psql_admin "$1" -c "CREATE ROLE helpdesk LOGIN SUPERUSER"
        echo -n "created role helpdesk; "
    fi
    if [[ ${have:1:1} == 0 ]]; then
        psql_admin "$1" -c "CREATE DATABASE helpdesk OWNER helpdesk"
        echo -n "created database helpdesk"
    fi
}

pg_stop() {
    if ! pg_running; then
        say "postgres: not running"
        return
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null \
        || die "postgres: did not stop within 60s"
    say "postgres: stopped"
}

pg_status() {
    local port
    port=$(pg_port)
    if pg_running && pg_ready "$port"; then
        echo "postgres: running, pid $(pg_pid), $(database_url)"
    elif pg_running; then
        echo "postgres: starting or stuck, pid $(pg_pid), port $port"
        return 1
    else
        echo "postgres: stopped (data ${PG_DATA#"$ROOT"/})"
        return 1
    fi
}

# --- Redis --------------------------------------------------------------------------------------

redis_pid() { [[ -f $REDIS_PID ]] && cat "$REDIS_PID" 2>/dev/null || true; }

redis_running() { pid_alive "$(redis_pid)" redis-server; }

redis_ping() { # port -> PONG, LOADING..., or nothing
    redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | head -n 1 || true
}

redis_write_conf() { # port
    cat >"$REDIS_CONF" <<EOF
# Written by scripts/services.sh on every start; edit the script, not this file.
bind 127.0.0.1
protected-mode yes
port $1
daemonize yes
pidfile $REDIS_PID
logfile $REDIS_LOG
dir $REDIS_DIR
# Redis is the Celery broker: keep what is queued across restarts and never drop keys.
appendonly yes
appendfsync everysec
maxmemory-policy noeviction
# Room for several test runs side by side, each on its own cache and broker databases.
databases 32
EOF
}

redis_start() {
    local port explicit=${HELPDESK_REDIS_PORT:-} deadline reply started=""
    port=$(redis_port)
    if redis_running; then
        local running
        running=$(cat "$REDIS_PORT_FILE" 2>/dev/null || true)
        if [[ -n $explicit && -n $running && $running != "$explicit" ]]; then
            die "redis: already running on port $running, not $explicit; run '$0 stop' first"
        fi
        port=${running:-$port}
    else
        port=$(choose_port redis "$port" "$explicit")
        mkdir -p "$REDIS_DIR" "$VAR/run" "$VAR/log"
        redis_write_conf "$port"
        echo "$port" >"$REDIS_PORT_FILE"
        redis-server "$REDIS_CONF" 9>&- || die "redis: redis-server failed (see var/log/redis.log)"
        started="started"
    fi
    deadline=$((SECONDS + WAIT_SECONDS))
    while reply=$(redis_ping "$port") && [[ $reply != PONG ]]; do
        if ((SECONDS >= deadline)); then
            tail -n 20 "$REDIS_LOG" >&2 || true
            die "redis: no PONG on 127.0.0.1:$port after ${WAIT_SECONDS}s (last reply: ${reply:-none})"
        fi
        sleep 0.2
    done
    say "redis: ${started:-already running} on 127.0.0.1:$port"
}

redis_stop() {
    local pid deadline
    pid=$(redis_pid)
    if ! pid_alive "$pid" redis-server; then
        say "redis: not running"
        return
    fi
    # SIGTERM is Redis's clean shutdown (flushes the append-only file). Signalling the pid from our
    # own pidfile never reaches another Redis that happens to listen on the configured port.
    kill -TERM "$pid"
    deadline=$((SECONDS + 30))
    while pid_alive "$pid" redis-server; do
        ((SECONDS < deadline)) || die "redis: pid $pid did not exit within 30s"
        sleep 0.1
    done
    say "redis: stopped"
}

redis_status() {
    local port
    port=$(redis_port)
    if redis_running && [[ $(redis_ping "$port") == PONG ]]; then
        echo "redis: running, pid $(redis_pid), $(redis_url)"
    elif redis_running; then
        echo "redis: starting or stuck, pid $(redis_pid), port $port"
        return 1
    else
        echo "redis: stopped (data ${REDIS_DIR#"$ROOT"/})"
        return 1
    fi
}

# --- commands -----------------------------------------------------------------------------------

# One start/stop at a time per checkout (fd 9; the servers are started with it closed).
lock() {
    mkdir -p "$VAR/run"
    exec 9>"$VAR/run/services.lock"
    flock -w 120 9 || die "another scripts/services.sh is still running"
}

cmd_start() {
    lock
    ensure_binaries
    if [[ -n ${DATABASE_URL:-} ]]; then
        say "postgres: using DATABASE_URL=$(mask_url "$DATABASE_URL")"
    else
        pg_start
    fi
    if [[ -n ${REDIS_URL:-} ]]; then
        say "redis: using REDIS_URL=$(mask_url "$REDIS_URL")"
    else
        redis_start
    fi
}

cmd_stop() {
    lock
    if [[ -z ${DATABASE_URL:-} ]]; then
        PG_BIN=$(find_pg_bindir)
        if [[ -n $PG_BIN ]]; then pg_stop; fi
    fi
    if [[ -z ${REDIS_URL:-} ]] && command -v redis-cli >/dev/null 2>&1; then
        redis_stop
    fi
}

cmd_status() {
    local rc=0
    if [[ -n ${DATABASE_URL:-} ]]; then
        echo "postgres: external, DATABASE_URL=$(mask_url "$DATABASE_URL")"
    else
        PG_BIN=$(find_pg_bindir)
        if [[ -z $PG_BIN ]]; then
            echo "postgres: not installed"
            rc=3
        else
            pg_status || rc=3
        fi
    fi
    if [[ -n ${REDIS_URL:-} ]]; then
        echo "redis: external, REDIS_URL=$(mask_url "$REDIS_URL")"
    elif ! command -v redis-cli >/dev/null 2>&1; then
        echo "redis: not installed"
        rc=3
    else
        redis_status || rc=3
    fi
    return $rc
}

# For crash tests: restart the private PostgreSQL (fast: open connections are cut).
cmd_restart_postgres() {
    lock
    PG_BIN=$(find_pg_bindir)
    [[ -n $PG_BIN ]] && pg_running || die "postgres: the private server is not running"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -m fast -w -t "$WAIT_SECONDS" restart \
        >/dev/null 9>&- || die "postgres: did not restart within ${WAIT_SECONDS}s"
    say "postgres: restarted"
}

cmd_env() {
    # A server named by the caller is not ours to restart (the crash tests skip that scenario).
    if [[ -n ${DATABASE_URL:-} ]]; then echo "export HELPDESK_EXTERNAL_DATABASE=1"; fi
    printf 'export DATABASE_URL=%q\n' "$(database_url)"
    printf 'export REDIS_URL=%q\n' "$(redis_url)"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
restart-postgres) cmd_restart_postgres ;;
packages) missing_packages ;;
*)
    echo "usage: $0 start|stop|status|env|packages|restart-postgres" >&2
    exit 2
    ;;
esac
