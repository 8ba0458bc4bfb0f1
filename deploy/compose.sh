#!/bin/sh
# compose.sh - prints docker-compose.yml: deploy/docker/compose.yml.in
# (its directives are described at its top) filled in with the services
# of proto/yjc_services.def.  `make compose` runs it; a test checks that
# the committed docker-compose.yml is its output.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/deploy/services.sh"
TEMPLATE=${1:-$ROOT/deploy/docker/compose.yml.in}

yjc_services | awk -v schemas="${YJC_SCHEMAS% }" '
# first input: the services ("name dir schema port IDENT"), then the template
FNR == NR {
    n++
    name[n] = $1; dir[n] = $2; schema[n] = $3; port[n] = $4; ident[n] = $5
    known[$2] = 1
    next
}
function fill(text, i) {
    gsub(/@IDENT@/, ident[i], text)
    gsub(/@NAME@/, name[i], text)
    gsub(/@DIR@/, dir[i], text)
    gsub(/@SCHEMA_UC@/, toupper(schema[i]), text)
    gsub(/@SCHEMA@/, schema[i], text)
    gsub(/@PORT@/, port[i], text)
    return text
}
function fail(msg) {
    print FILENAME ":" FNR ": " msg > "/dev/stderr"
    failed = 1
    exit 1
}
{ gsub(/@SCHEMAS@/, schemas) }
/^#@#/ { next }
/^#@each / { for (i = 1; i <= n; i++) print fill(substr($0, 8), i); next }
/^#@service$/ { inblock = 1; lines = 0; next }
/^#@end$/ {
    if (!inblock) fail("#@end without #@service")
    inblock = 0
    for (i = 1; i <= n; i++)
        for (l = 1; l <= lines; l++) {
            text = block[l]
            if (text ~ /^#@only /) {
                only = substr(text, 8); sub(/ .*/, "", only)
                if (only != dir[i]) continue
                text = substr(text, 8 + length(only) + 1)
            }
            print fill(text, i)
        }
    next
}
/^#@only / {
    only = substr($0, 8); sub(/ .*/, "", only)
    if (!(only in known)) fail("#@only " only ": no such service in the .def")
}
inblock { block[++lines] = $0; next }
/^#@/ { fail("unknown directive: " $0) }
/@[A-Z_]+@/ { fail("placeholder outside a service: " $0) }
{ print }
END { if (!failed && inblock) { print "#@service without #@end" > "/dev/stderr"; exit 1 } }
' - "$TEMPLATE"
