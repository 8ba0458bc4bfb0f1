#!/bin/sh
# demo-actors.sh - the demo actors of `make up` and of the one-shot `keys`
# container of docker-compose.yml (installed there as yjc-keys-init):
# creates, in $YJC_KEYS, every service's key pair and the demo actors
# (`make up` runs it too, through deploy/embedded.sh).  Idempotent: what
# exists is kept, so it runs on every `docker-compose up`.
#
# This is a demo layout: one volume holds every secret and is mounted
# read-only into every container.  In production each actor keeps only its
# own secret (on its own machine), and each service needs only public/
# plus its own secret/service-NAME.cert_secret.
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
