#!/bin/sh
# docker-entrypoint.sh - the stand-in postgres:15's entrypoint (see the
# Dockerfile beside it): the official image's behaviour in short.  First
# start (empty $PGDATA): initdb with POSTGRES_USER and its password, a
# pg_hba line for every host with POSTGRES_HOST_AUTH_METHOD, a temporary
# server on the Unix socket only, POSTGRES_DB, the init files, stop.
# Then the server.  The password is not left in the server's environment.
set -eu
[ "${1#-}" != "$1" ] && set -- postgres "$@"
[ "$1" = postgres ] || exec "$@"

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

# VAR or the contents of the file VAR_FILE names, as the official image
file_env() {
    eval "v=\${$1:-} f=\${$1_FILE:-}"
    if [ -n "$f" ]; then
        [ -z "$v" ] || { echo "both $1 and $1_FILE are set" >&2; exit 1; }
        v=$(cat "$f")
    fi
    eval "$1=\$v"
    unset "$1_FILE"
}
file_env POSTGRES_PASSWORD
file_env POSTGRES_USER
file_env POSTGRES_DB
file_env POSTGRES_INITDB_ARGS
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
        echo "Error: Database is uninitialized and superuser password is not specified." >&2
        echo "       Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE)." >&2
        exit 1
    fi
    pw=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pw"
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS are words
    initdb --username="$POSTGRES_USER" --pwfile="$pw" ${POSTGRES_INITDB_ARGS:-}
    rm -f "$pw"
    printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
    export PGUSER="$POSTGRES_USER" PGDATABASE=postgres POSTGRES_USER POSTGRES_DB
    if [ "$POSTGRES_DB" != postgres ]; then
        printf 'CREATE DATABASE "%s";\n' "$POSTGRES_DB" |
            psql -v ON_ERROR_STOP=1 --no-psqlrc -q
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        case $f in
        *.sh)
            if [ -x "$f" ]; then echo "running $f"; "$f"
            else echo "sourcing $f"; . "$f"; fi ;;
        *.sql) echo "running $f"
            psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname "$POSTGRES_DB" -f "$f" ;;
        *.sql.gz) echo "running $f"
            gunzip -c "$f" | psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname "$POSTGRES_DB" ;;
        *) echo "ignoring $f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    unset PGUSER PGDATABASE
    echo "PostgreSQL init process complete; ready for start up."
fi
unset POSTGRES_PASSWORD
exec "$@"
