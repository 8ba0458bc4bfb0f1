#!/bin/sh
# demo-actors.sh - the demo actors of `make up` and of the one-shot `keys`
# container of docker-compose.yml (installed there as yjc-keys-init):
# creates, in $YJC_KEYS, every service's key pair and the demo actors
# (`make up` runs it too, through deploy/embedded.sh).  Idempotent: what
# exists is kept, so it runs on every `docker-compose up`.
#
# With YJC_KEYS_SPLIT set (the `keys` container of docker-compose.yml),
# hands out copies: public/ into $YJC_KEYS_SPLIT/public, and NAME's secret
# key into each folder $YJC_KEYS_SPLIT/secret/NAME (a volume mounted only
# where actor NAME runs), so every container holds one secret key.  With
# YJC_KEYS_OWNER (uid:gid) set, running as root: the owner of all of them.
set -eu
: "${YJC_KEYS:?YJC_KEYS is not set}"
cli=yjcloud

"$cli" keys init
for spec in "bureau:bureau:" "vendor:vendor:" "auditor:auditor:" \
    "admin:admin:" "edu:unit:县教育局" "health:unit:县卫生健康局"; do
    name=${spec%%:*} rest=${spec#*:}
    role=${rest%%:*} unit=${rest#*:}
    [ -f "$YJC_KEYS/public/$name.cert" ] && continue
    if [ -n "$unit" ]; then
        "$cli" actor add "$name" --role "$role" --unit "$unit"
    else
        "$cli" actor add "$name" --role "$role"
    fi
done
"$cli" actor list
[ -n "${YJC_KEYS_SPLIT:-}" ] || exit 0
split=$YJC_KEYS_SPLIT
mkdir -p "$split/public"
cp -p "$YJC_KEYS/public/"*.cert "$split/public/"
# a certificate gone from the registry (a web account disabled) leaves the
# copy too, or the services would still let its key in
for cert in "$split/public/"*.cert; do
    [ -f "$YJC_KEYS/public/$(basename "$cert")" ] || rm -f "$cert"
done
for dir in "$split/secret/"*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    if [ ! -f "$YJC_KEYS/secret/$name.cert_secret" ]; then
        echo "demo-actors.sh: no secret key for $name" >&2
        exit 1
    fi
    # only this actor's key in its volume
    find "$dir" -mindepth 1 ! -name "$name.cert_secret" -delete
    cp "$YJC_KEYS/secret/$name.cert_secret" "$dir/"
    chmod 0600 "$dir/$name.cert_secret"
    chmod 0700 "$dir"
done
# the web console's accounts (sealed keys) for the web container
if [ -d "$split/web" ]; then
    find "$split/web" -mindepth 1 -delete
    for f in "$YJC_KEYS/web/"*.sealed; do
        [ -f "$f" ] && cp -p "$f" "$split/web/"
    done
fi
if [ -n "${YJC_KEYS_OWNER:-}" ]; then
    chown -R "$YJC_KEYS_OWNER" "$YJC_KEYS" "$split"
fi
echo "demo-actors.sh: one secret key per volume under $split/secret"
