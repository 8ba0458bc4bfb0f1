# services.sh - the services of proto/yjc_services.def, for the scripts
# (sourced, not run; deploy/pg.sh sources it).  Source it with ROOT set to
# the repository's root, or from the root.  The .def is the one list: no
# script names the services itself.
#
#   YJC_SERVICE_SPECS  "name:dir:schema:port:IDENT ...", in the .def's order
#   YJC_SCHEMAS        every schema, space-separated
#   yjc_spec SPEC      sets svc_name svc_dir svc_schema svc_port svc_ident
# shellcheck disable=SC2034 # (the variables are for the scripts sourcing it)

YJC_SERVICES_DEF=${YJC_SERVICES_DEF:-${ROOT:-.}/proto/yjc_services.def}

# yjc_services: one line per service, "name dir schema port IDENT" (the
# SVC lines of the .def: SVC(IDENT, "name", "dir", "schema", port, "zh")).
yjc_services() {
    awk -F'"' '/^SVC\(/ { port = $7; gsub(/[^0-9]/, "", port)
        ident = $1; sub(/^SVC\( */, "", ident); sub(/ *,.*/, "", ident)
        print $2, $4, $6, port, ident }' "$YJC_SERVICES_DEF"
}

yjc_spec() {
    svc_name=${1%%:*}
    set -- "${1#*:}"
    svc_dir=${1%%:*}
    set -- "${1#*:}"
    svc_schema=${1%%:*}
    set -- "${1#*:}"
    svc_port=${1%%:*}
    svc_ident=${1#*:}
}

if [ ! -r "$YJC_SERVICES_DEF" ]; then
    echo "services.sh: cannot read $YJC_SERVICES_DEF" >&2
    return 1
fi
YJC_SERVICE_SPECS=$(yjc_services | tr ' ' ':' | tr '\n' ' ')
YJC_SCHEMAS=$(yjc_services | awk '{ printf "%s ", $3 }')
