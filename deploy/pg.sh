# pg.sh - a private PostgreSQL 15 cluster for yjcloud (sourced, not run).
# Used by the embedded run (deploy/embedded.sh) and by the tests.
# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# system user YJC_PG_USER (default `postgres`, the account of Debian's
# postgresql package); otherwise to whoever runs it ("the owner").

# Source it with ROOT set to the repository's root (or from the root): the
# schemas come from proto/yjc_services.def, through deploy/services.sh.

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_USER=${YJC_PG_USER:-postgres}
. "${ROOT:-.}/deploy/services.sh"

pg_is_root() { [ "$(id -u)" -eq 0 ]; }

# pg_as CMD...: CMD as the cluster's owner (from /, which it can reach: the
# caller's folder may be a 0700 one of root's).  Paths must be absolute.
pg_as() {
    if pg_is_root; then (cd / && runuser -u "$PG_USER" -- "$@"); else "$@"; fi
}

# pg_owner: the operating-system user the cluster runs as.
pg_owner() {
    if pg_is_root; then echo "$PG_USER"; else id -un; fi
}

# pg_write FILE: stdin into FILE, as the cluster's owner.
pg_write() {
    pg_as sh -c 'cat >"$1"' pg_write "$1"
}

# pg_init DIR PORT [MODE]: a cluster in DIR/data listening on 127.0.0.1:PORT
# only, its socket in DIR/sock.  DIR must be reachable by the owner (as
# root: by YJC_PG_USER); it is made 0700, owned by the owner, and so is the
# socket folder.  MODE:
#   secure - the embedded run: the superuser only through the socket
#            folder, as its owner (peer); every other role with a
#            scram-sha-256 password (yjc_bootstrap sets them): no other
#            local user reaches the data.
#   (none) - a throwaway (tests, benchmark): trust through the socket
#            folder; on 127.0.0.1, with PGPASSFILE set, scram-sha-256 with
#            the passwords kept there (the superuser's too), else trust.
#   fast   - the same, trading durability for speed.  Never for real data.
pg_init() {
    local dir=$1 port=$2 mode=${3:-} pwfile=
    mkdir -p "$dir"
    pg_is_root && chown "$PG_USER" "$dir"
    chmod 700 "$dir"
    pg_as mkdir -p "$dir/data" "$dir/sock"
    pg_as chmod 700 "$dir/data" "$dir/sock"
    if [ "$mode" != secure ] && [ -n "${PGPASSFILE:-}" ]; then
        pwfile=$dir/superuser.pw
        yjc_role_password "$PGPASSFILE" postgres | pg_write "$pwfile"
    fi
    # shellcheck disable=SC2046 # (one flag or none)
    pg_as "$PGBIN/initdb" -D "$dir/data" -U postgres --auth-local=peer \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
        ${pwfile:+--pwfile="$pwfile"} $([ "$mode" = fast ] && echo --no-sync) \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        return 1
    }
    [ -n "$pwfile" ] && rm -f "$pwfile"
    pg_configure "$dir" "$port" "$mode"
}

# pg_configure DIR PORT [MODE]: (re)writes the cluster's settings and who may
# log in (see pg_init).  The embedded run calls it on every `make up`, so
# an older cluster (trust for everyone) is closed too, and a new
# YJC_PG_PORT applies.
pg_configure() {
    local dir=$1 port=$2 mode=${3:-} data=$1/data host=trust
    local sock="$1/sock/.s.PGSQL.$2"
    if [ ${#sock} -gt 107 ]; then
        echo "pg.sh: socket path $sock is too long for a Unix socket;" \
            "set YJC_PG_DIR to a shorter folder" >&2
        return 1
    fi
    pg_as mkdir -p "$dir/sock"
    pg_as chmod 700 "$dir" "$dir/sock"
    {
        echo "# written by deploy/pg.sh (pg_configure): edit there"
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir/sock'"
        echo "unix_socket_permissions = 0700"
        echo "password_encryption = 'scram-sha-256'"
        echo "timezone = 'Asia/Shanghai'"
        echo "max_connections = 200"
        # one database: its queue tables (outbox_pending) looked at every
        # 10 s, not every minute (issue 14)
        echo "autovacuum_naptime = 10s"
        if [ "$mode" = fast ]; then
            printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
        else
            # WAL segment files kept for reuse: a new one is zero-filled
            # inside a commit, every other commit waiting (issue 14)
            echo "min_wal_size = 1GB"
        fi
    } | pg_write "$data/yjcloud.conf"
    grep -q "^include_if_exists = 'yjcloud.conf'" "$data/postgresql.conf" ||
        echo "include_if_exists = 'yjcloud.conf'" |
        pg_as sh -c 'cat >>"$1"' pg_write "$data/postgresql.conf"
    if [ "$mode" = secure ]; then
        # The socket folder is the owner's alone (0700); on it the owner is
        # the superuser.  Over TCP every role needs its password, and the
        # superuser, which has none, is refused outright.
        pg_write "$data/pg_hba.conf" <<HBA
# written by deploy/pg.sh (pg_configure): no trust, no superuser over TCP
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 peer map=owner
local   all       all                      scram-sha-256
host    all       postgres  127.0.0.1/32   reject
host    all       all       127.0.0.1/32   scram-sha-256
HBA
        printf '# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\nowner  %s  postgres\n' \
            "$(pg_owner)" | pg_write "$data/pg_ident.conf"
        return 0
    fi
    [ -n "${PGPASSFILE:-}" ] && host=scram-sha-256
    pg_write "$data/pg_hba.conf" <<HBA
# written by deploy/pg.sh (pg_configure): a throwaway cluster; its socket
# folder is 0700, its owner's (and root's) alone
local   all       all                      trust
host    all       all       127.0.0.1/32   $host
HBA
}

pg_start() {
    pg_as "$PGBIN/pg_ctl" -D "$1/data" -l "$1/postgresql.log" -w -t 60 start \
        >/dev/null
}

pg_reload() {
    pg_as "$PGBIN/pg_ctl" -D "$1/data" reload >/dev/null
}

pg_stop() {
    [ -f "$1/data/postmaster.pid" ] || return 0
    pg_as "$PGBIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_running() {
    pg_as "$PGBIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

# pg_psql PORT DB SQL...: as the cluster's superuser.  With PG_SU_SOCK set
# (a secure cluster's socket folder), through that socket as its owner;
# otherwise over 127.0.0.1 (the tests' trust cluster).
pg_psql() {
    local port=$1 db=$2
    shift 2
    if [ -n "${PG_SU_SOCK:-}" ]; then
        pg_as psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SU_SOCK" -p "$port" \
            -U postgres -d "$db" "$@"
    else
        psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
            -d "$db" "$@"
    fi
}

# yjc_role_password PGPASS ROLE: ROLE's password from the pgpass file
# PGPASS, a new random one (appended, the file kept 0600) if it has none.
yjc_role_password() {
    local file=$1 role=$2 pw=
    [ -f "$file" ] && pw=$(awk -F: -v r="$role" '$4 == r { print $5; exit }' "$file")
    if [ -z "$pw" ]; then
        pw=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
        (umask 077 && printf '127.0.0.1:*:*:%s:%s\n' "$role" "$pw" >>"$file")
    fi
    chmod 600 "$file"
    echo "$pw"
}

# yjc_bootstrap PORT DB [PGPASS]: the database, one role per service, each
# owning its schema and reaching no other (no service reads another's
# tables).  With PGPASS (a pgpass file, 0600; default $PGPASSFILE), each
# role gets a generated scram-sha-256 password kept there; the services
# read it through PGPASSFILE.
yjc_bootstrap() {
    local port=$1 db=$2 pass=${3:-${PGPASSFILE:-}} pw=
    pg_psql "$port" postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$db'" |
        grep -q 1 || pg_psql "$port" postgres -c "CREATE DATABASE \"$db\""
    for s in $YJC_SCHEMAS; do
        [ -n "$pass" ] && pw=$(yjc_role_password "$pass" "yjc_$s")
        # The password (hex) travels on psql's stdin, never its command line.
        pg_psql "$port" "$db" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yjc_$s') THEN
    CREATE ROLE yjc_$s LOGIN;
  END IF;
END \$\$;
${pw:+SET password_encryption = 'scram-sha-256';}
${pw:+ALTER ROLE yjc_$s PASSWORD '$pw';}
CREATE SCHEMA IF NOT EXISTS $s AUTHORIZATION yjc_$s;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
        case " $YJC_APPEND_ONLY_SCHEMAS " in
        *" $s "*) yjc_bootstrap_owner "$port" "$db" "$s" "$pass" ;;
        esac
    done
}

# Schemas whose tables are meant to be append-only (issue 12): they belong
# to yjc_S_owner, which only the migrations use (common/yjc_server.c
# connects as it when it owns the schema); the service's runtime role
# yjc_S may select and insert, and only what the migrations grant besides
# (services/S/sql: the outbox, the inbox, a chain head): it cannot alter,
# update, delete from or truncate the others.
YJC_APPEND_ONLY_SCHEMAS=${YJC_APPEND_ONLY_SCHEMAS:-audit billing}

# yjc_bootstrap_owner PORT DB SCHEMA [PGPASS]: the owner role, the schema
# and (an older database) what yjc_S owned handed over to it.
yjc_bootstrap_owner() {
    local port=$1 db=$2 s=$3 pass=${4:-} pw= o=yjc_$3_owner
    [ -n "$pass" ] && pw=$(yjc_role_password "$pass" "$o")
    pg_psql "$port" "$db" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$o') THEN
    CREATE ROLE $o LOGIN;
  END IF;
END \$\$;
${pw:+SET password_encryption = 'scram-sha-256';}
${pw:+ALTER ROLE $o PASSWORD '$pw';}
REASSIGN OWNED BY yjc_$s TO $o;
ALTER SCHEMA $s OWNER TO $o;
GRANT USAGE ON SCHEMA $s TO yjc_$s;
ALTER DEFAULT PRIVILEGES FOR ROLE $o IN SCHEMA $s
  GRANT SELECT, INSERT ON TABLES TO yjc_$s;
ALTER DEFAULT PRIVILEGES FOR ROLE $o IN SCHEMA $s
  GRANT USAGE, SELECT ON SEQUENCES TO yjc_$s;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA $s TO yjc_$s;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA $s TO yjc_$s;
SQL
}

# yjc_conninfo PORT DB SCHEMA [HOST]: what the service owning SCHEMA
# connects with (its password, on a secure cluster, from PGPASSFILE).  HOST
# may be the cluster's socket directory (DIR/sock): a Unix socket costs the
# machine less per round trip than TCP loopback.
yjc_conninfo() {
    echo "host=${4:-127.0.0.1} port=$1 dbname=$2 user=yjc_$3 application_name=yjc-$3"
}
