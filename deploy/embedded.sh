#!/bin/sh
# embedded.sh up|down|status - the platform on one machine: a PostgreSQL
# cluster under var/pg, the services of proto/yjc_services.def (read by
# deploy/services.sh, which deploy/pg.sh sources) and the reference vendor
# client on loopback, logs in var/log, pid files in var/run.  `make up` /
# `make down` call it; data survives a down/up.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/deploy/pg.sh"
VAR=${YJC_VAR:-$ROOT/var}
BIN=${YJC_BIN:-$ROOT/build/bin}
PGPORT=${YJC_PG_PORT:-54329}
DB=yjcloud
export YJC_KEYS="${YJC_KEYS:-$VAR/keys}"
[ -f "$VAR/calendar-local.csv" ] && export YJC_CALENDAR_LOCAL="$VAR/calendar-local.csv"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_daemon() { # NAME COMMAND...
    name=$1
    shift
    if alive "$VAR/run/$name.pid"; then return 0; fi
    # own session: an interrupt of `make` does not stop the platform
    setsid nohup "$@" >>"$VAR/log/$name.log" 2>&1 &
    echo $! >"$VAR/run/$name.pid"
}

# "intake 7101, review 7102, ...": where each service listens by default.
service_ports() {
    yjc_services | awk '{ printf "%s%s %s", sep, $2, $4; sep = ", " }'
}

demo_actors() {
    PATH="$BIN:$PATH" sh "$ROOT/deploy/demo-actors.sh" >/dev/null
}

up() {
    mkdir -p "$VAR/log" "$VAR/run"
    [ -d "$VAR/pg/data" ] || pg_init "$VAR/pg" "$PGPORT"
    pg_running "$VAR/pg" || pg_start "$VAR/pg"
    yjc_bootstrap "$PGPORT" "$DB" >/dev/null
    demo_actors
    for spec in $YJC_SERVICE_SPECS; do
        yjc_spec "$spec"
        YJC_DB=$(yjc_conninfo "$PGPORT" "$DB" "$svc_schema") \
            start_daemon "$svc_dir" "$BIN/yjc-$svc_dir"
    done
    start_daemon vendor-sim "$BIN/yjc-vendor-sim" --as vendor
    i=0
    until "$BIN/yjcloud" --as admin status >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -ge 60 ]; then
            echo "services did not come up; see $VAR/log/" >&2
            "$BIN/yjcloud" --as admin status >&2 || true
            exit 1
        fi
        sleep 0.5
    done
    "$BIN/yjcloud" --as admin status
    cat <<MSG

永嘉县政务云业务管理平台已启动。
  数据库   PostgreSQL 15，127.0.0.1:$PGPORT，数据在 $VAR/pg
  服务     $(service_ports)
  供应商   供应商队列 7106（yjc-vendor-sim 以 vendor 身份自动接单）
  日志     $VAR/log/    进程号 $VAR/run/
  身份     $YJC_KEYS（bureau, vendor, auditor, admin, edu=县教育局, health=县卫生健康局）
  命令行   export PATH=$BIN:\$PATH; yjcloud --help
  停止     make down
MSG
}

down() {
    for pidfile in "$VAR"/run/*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            i=0
            while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
                sleep 0.1
                i=$((i + 1))
            done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$pidfile"
    done
    pg_stop "$VAR/pg"
    echo "已停止（数据保留在 $VAR）"
}

status() {
    if pg_running "$VAR/pg"; then
        echo "PostgreSQL: 运行中（127.0.0.1:$PGPORT）"
    else
        echo "PostgreSQL: 未运行"
    fi
    "$BIN/yjcloud" --as admin status
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
*)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
