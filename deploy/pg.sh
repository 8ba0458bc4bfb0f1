# pg.sh - a private PostgreSQL 15 cluster for yjcloud (sourced, not run).
# Used by the embedded run (deploy/embedded.sh) and by the tests.
# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# `postgres` user; otherwise to whoever runs it.

# Source it with ROOT set to the repository's root (or from the root): the
# schemas come from proto/yjc_services.def, through deploy/services.sh.

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
. "${ROOT:-.}/deploy/services.sh"

pg_as() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_init DIR PORT [fast]: a cluster in DIR/data listening on 127.0.0.1:PORT
# only.  "fast" (tests) trades durability for speed: never for real data.
pg_init() {
    local dir=$1 port=$2
    mkdir -p "$dir/data" "$dir/sock"
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
    chmod 700 "$dir/data"
    pg_as "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 ${3:+--no-sync} >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        return 1
    }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/sock'
timezone = 'Asia/Shanghai'
max_connections = 200
CONF
    if [ -n "${3:-}" ]; then
        printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' \
            >>"$dir/data/postgresql.conf"
    fi
}

pg_start() {
    pg_as "$PGBIN/pg_ctl" -D "$1/data" -l "$1/postgresql.log" -w -t 60 start \
        >/dev/null
}

pg_stop() {
    [ -f "$1/data/postmaster.pid" ] || return 0
    pg_as "$PGBIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_running() {
    pg_as "$PGBIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

# pg_psql PORT DB SQL...: as the cluster's superuser.
pg_psql() {
    local port=$1 db=$2
    shift 2
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# yjc_bootstrap PORT DB: the database, one role per service, each owning
# its schema and reaching no other (no service reads another's tables).
yjc_bootstrap() {
    local port=$1 db=$2
    pg_psql "$port" postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$db'" |
        grep -q 1 || pg_psql "$port" postgres -c "CREATE DATABASE \"$db\""
    for s in $YJC_SCHEMAS; do
        pg_psql "$port" "$db" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yjc_$s') THEN
    CREATE ROLE yjc_$s LOGIN;
  END IF;
END \$\$;
CREATE SCHEMA IF NOT EXISTS $s AUTHORIZATION yjc_$s;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
    done
}

# yjc_conninfo PORT DB SCHEMA [HOST]: what the service owning SCHEMA
# connects with.  HOST may be the cluster's socket directory (DIR/sock):
# a Unix socket costs the machine less per round trip than TCP loopback.
yjc_conninfo() {
    echo "host=${4:-127.0.0.1} port=$1 dbname=$2 user=yjc_$3 application_name=yjc-$3"
}
