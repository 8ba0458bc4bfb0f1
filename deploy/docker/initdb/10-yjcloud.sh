#!/bin/sh
# 10-yjcloud.sh - run once by the official postgres:15 image, from
# /docker-entrypoint-initdb.d/, when its data volume is empty (the
# database $POSTGRES_DB itself is created by the image).  The container
# equivalent of yjc_bootstrap in deploy/pg.sh: one LOGIN role per service,
# yjc_<schema>, owning its schema and reaching no other; no one uses
# public.  The schemas are $YJC_SCHEMAS, and each password is in the file
# $YJC_DB_SECRETS/YJC_<SCHEMA>_DB_PASSWORD, written by the one-shot
# postgres-init container (deploy/docker/pg-secrets.sh) from the operator's
# env file: docker-compose.yml is generated from proto/yjc_services.def and
# refuses to start while a password is unset.  The files are emptied here
# once used.  Passwords are stored as SCRAM-SHA-256.
#
# Changing a password later: this script does not run again on an existing
# volume; use ALTER ROLE yjc_<schema> PASSWORD '...' (psql \password) and
# update the service's YJC_DB.
#
# The image sources this file when it is not executable: no `exit`, no
# `set -u` (they would affect the image's entrypoint).
set -e

if [ -z "${YJC_SCHEMAS:-}" ]; then
    echo "10-yjcloud.sh: YJC_SCHEMAS is empty; docker-compose.yml sets it" >&2
    false
fi
secrets=${YJC_DB_SECRETS:-/run/secrets/yjcloud}
for schema in $YJC_SCHEMAS; do
    var=YJC_$(echo "$schema" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD
    password=$(cat "$secrets/$var" 2>/dev/null || true)
    if [ -z "$password" ]; then
        echo "10-yjcloud.sh: $secrets/$var is empty; refusing to create yjc_$schema" >&2
        false
    fi
    # The password reaches psql through its environment (\getenv, psql 15)
    # rather than its command line, and SQL as :'pw', quoted as a literal
    # by psql (:"role" as an identifier): no quoting trouble.
    YJC_ROLE_PASSWORD=$password psql -v ON_ERROR_STOP=1 --no-psqlrc \
        --no-password --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
        -v role="yjc_$schema" -v schema="$schema" <<'SQL'
\getenv pw YJC_ROLE_PASSWORD
SET password_encryption = 'scram-sha-256';
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')
\gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'pw';
CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
    echo "10-yjcloud.sh: role yjc_$schema owns schema $schema"
done
# used: the server keeps no copy outside its catalog (the entrypoint has
# read the superuser's already)
for schema in $YJC_SCHEMAS; do
    rm -f "$secrets/YJC_$(echo "$schema" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
done
: > "$secrets/POSTGRES_PASSWORD"
unset schema password var secrets
