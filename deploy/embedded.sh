#!/bin/sh
# embedded.sh up|down|status - the platform on one machine: a PostgreSQL
# cluster (see pg_dir), the services of proto/yjc_services.def (read by
# deploy/services.sh, which deploy/pg.sh sources) and the reference vendor
# client on loopback, logs in var/log, pid files in var/run.  `make up` /
# `make down` call it; data survives a down/up.
#
# The database is not open to other local users: its superuser is reached
# only through a socket folder that only the cluster's owner can open, and
# each service role logs in over 127.0.0.1 with a generated scram-sha-256
# password kept in var/pgpass (0600; the services get it as PGPASSFILE).
#
# Settings (environment): YJC_PG_PORT (54329), YJC_<SERVICE>_ENDPOINT and
# YJC_VENDOR_ENDPOINT (the services' ports, tcp://127.0.0.1:71xx), YJC_VAR,
# YJC_BIN, YJC_PG_DIR (where a new cluster goes), YJC_PG_USER (as root).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/deploy/pg.sh"
VAR=${YJC_VAR:-$ROOT/var}
BIN=${YJC_BIN:-$ROOT/build/bin}
PGPORT=${YJC_PG_PORT:-54329}
DB=yjcloud
PGPASS=$VAR/pgpass
export YJC_KEYS="${YJC_KEYS:-$VAR/keys}"

# pg_dir: where this checkout's cluster lives.  As a user, var/pg.  As root
# the cluster runs as YJC_PG_USER, who may not reach the checkout (a clone
# under /root or in a 0700 folder), and we change no folder's mode above
# it: the cluster goes to /var/lib/yjcloud/<hash of the checkout's path>
# (0700, owned by that user) and var/pg is a symbolic link to it, so a
# moved checkout keeps its data.  A cluster already in var/pg stays there.
pg_dir() {
    if [ -L "$VAR/pg" ]; then
        readlink "$VAR/pg"
    elif [ -d "$VAR/pg/data" ]; then
        echo "$VAR/pg"
    elif [ -n "${YJC_PG_DIR:-}" ]; then
        echo "$YJC_PG_DIR"
    elif pg_is_root; then
        echo "/var/lib/yjcloud/$(printf %s "$ROOT" | sha256sum | cut -c1-12)"
    else
        echo "$VAR/pg"
    fi
}
PGDIR=$(pg_dir)
PG_SU_SOCK=$PGDIR/sock # yjc_bootstrap: the superuser through the socket

# new_cluster: a secure cluster in PGDIR, var/pg pointing to it.
new_cluster() {
    if [ "$PGDIR" != "$VAR/pg" ]; then
        parent=$(dirname "$PGDIR")
        # the owner must traverse it: made 0755 when we create it
        [ -d "$parent" ] || install -d -m 0755 "$parent"
        pg_init "$PGDIR" "$PGPORT" secure
        echo "$ROOT" >"$PGDIR/checkout" # whose cluster this is
        ln -sfn "$PGDIR" "$VAR/pg"
    else
        pg_init "$PGDIR" "$PGPORT" secure
    fi
}
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
# (YJC_<IDENT>_ENDPOINT moves one.)
service_ports() {
    sep=
    for spec in $YJC_SERVICE_SPECS; do
        yjc_spec "$spec"
        eval "ep=\${YJC_${svc_ident}_ENDPOINT:-tcp://127.0.0.1:$svc_port}"
        printf '%s%s %s' "$sep" "$svc_name" "${ep##*:}"
        sep=", "
    done
}

# web_first_admin: the console's first account (webadmin, role admin) when
# there is none; its one-time password is shown once, never stored.
web_first_admin() {
    [ -f "$YJC_KEYS/web/webadmin.sealed" ] && return 0
    "$BIN/yjcloud" web-user add webadmin --role admin
}

demo_actors() {
    PATH="$BIN:$PATH" sh "$ROOT/deploy/demo-actors.sh" >/dev/null
}

up() {
    mkdir -p "$VAR/log" "$VAR/run"
    if [ -d "$PGDIR/data" ]; then
        # An older cluster (trust for everyone) is closed too; services it
        # runs still have no password: they restart with one.
        if grep -q '^[^#].*trust' "$PGDIR/data/pg_hba.conf" 2>/dev/null; then
            stop_daemons
        fi
        pg_configure "$PGDIR" "$PGPORT" secure
        if pg_running "$PGDIR"; then pg_reload "$PGDIR"; fi
    else
        new_cluster
    fi
    pg_running "$PGDIR" || pg_start "$PGDIR"
    yjc_bootstrap "$PGPORT" "$DB" "$PGPASS" >/dev/null
    demo_actors
    export PGPASSFILE="$PGPASS"
    # issue 16: the first administrator account of the web console (a
    # service of the .def, started below), whose one-time password is
    # printed this once
    web_first_admin
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
    vendor_ep=${YJC_VENDOR_ENDPOINT:-tcp://127.0.0.1:7106}
    cat <<MSG

永嘉县政务云业务管理平台已启动。
  数据库   PostgreSQL 15，127.0.0.1:$PGPORT，数据在 $PGDIR（以 $(pg_owner) 身份运行）
           各服务的数据库密码在 $PGPASS（仅本用户可读）
  服务     $(service_ports)
  供应商   供应商队列 ${vendor_ep##*:}（yjc-vendor-sim 以 vendor 身份自动接单）
  日志     $VAR/log/    进程号 $VAR/run/
  身份     $YJC_KEYS（bureau, vendor, auditor, admin, edu=县教育局, health=县卫生健康局）
  命令行   export PATH=$BIN:\$PATH; yjcloud --help
  网页     http://${YJC_WEB_LISTEN:-127.0.0.1:8080}/（账号：yjcloud web-user add 名称 --role 角色）
  停止     make down
MSG
}

stop_daemons() {
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
}

down() {
    stop_daemons
    pg_stop "$PGDIR"
    echo "已停止（数据保留在 $PGDIR 和 $VAR）"
}

status() {
    if pg_running "$PGDIR"; then
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
