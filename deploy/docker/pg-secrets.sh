#!/bin/sh
# pg-secrets.sh - run by the one-shot `postgres-init` container of
# docker-compose.yml (as root, in the postgres image), before PostgreSQL.
# While the database does not exist yet (empty volume pgdata), writes
# POSTGRES_PASSWORD and YJC_<SCHEMA>_DB_PASSWORD for each of $YJC_SCHEMAS
# to files in /run/secrets/yjcloud (volume pgsecrets, owner postgres, mode
# 0600): the image's entrypoint reads POSTGRES_PASSWORD_FILE and
# initdb/10-yjcloud.sh the others, once, and empties them.  Once the
# database exists, nothing is written: the server never holds a password
# in its environment or on disk outside its catalog.
set -eu
dir=/run/secrets/yjcloud
if [ -s /var/lib/postgresql/data/PG_VERSION ]; then
    rm -f "$dir"/YJC_*_DB_PASSWORD
    : > "$dir/POSTGRES_PASSWORD" # the official entrypoint reads the file
    chown postgres:postgres "$dir/POSTGRES_PASSWORD"
    echo "pg-secrets.sh: the database exists, no password written"
    exit 0
fi
umask 077
vars=POSTGRES_PASSWORD
for schema in ${YJC_SCHEMAS:?YJC_SCHEMAS is not set}; do
    vars="$vars YJC_$(echo "$schema" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
done
for var in $vars; do
    eval "value=\${$var:-}"
    if [ -z "$value" ]; then
        echo "pg-secrets.sh: $var is not set" >&2
        exit 1
    fi
    printf '%s' "$value" > "$dir/$var"
done
chown -R postgres:postgres "$dir"
chmod 0700 "$dir"
echo "pg-secrets.sh: $(echo "$vars" | wc -w) passwords ready for the first start"
