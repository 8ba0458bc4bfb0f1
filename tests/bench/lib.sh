# lib.sh - what `make bench` (run.sh) and `make bench-scale` (scale.sh)
# share: a fresh durable PostgreSQL cluster (same settings as `make up`),
# the platform's keys and services on free ports, and the audit trail's
# bulk load.  Sourced with ROOT and BIN set; sets TMP, PGPORT, PIDS,
# SERVICE_PIDS.
. "$ROOT/deploy/pg.sh"

TMP=$(mktemp -d /tmp/yjc-bench.XXXXXX)
chmod 755 "$TMP"
PIDS=""
cleanup() {
    # YJC_BENCH_KEEP=1: leave the cluster and services running, to look at
    # (EXPLAIN, perf); stop them with kill and pg_ctl
    if [ -n "${YJC_BENCH_KEEP:-}" ]; then
        echo "kept: TMP=$TMP PGPORT=$PGPORT services:$SERVICE_PIDS" >&2
        return
    fi
    for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 1
    pg_stop "$TMP/pg"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# distinct ports below the ephemeral range (tests/tools/free_port.py says why)
/usr/bin/python3 "$ROOT/tests/tools/free_port.py" 32 > "$TMP/ports"
port() { head -n 1 "$TMP/ports"; sed -i 1d "$TMP/ports"; }
q() { pg_psql "$PGPORT" bench -At -c "$1"; }
now_ms() { date +%s%3N; }

# bench_cluster [EXTRA_CONF_LINE]: the cluster, durable as in production,
# and the platform's database
bench_cluster() {
    PGPORT=$(port)
    pg_init "$TMP/pg" "$PGPORT"
    [ -z "${1:-}" ] || echo "$1" >>"$TMP/pg/data/postgresql.conf"
    pg_start "$TMP/pg"
    bench_wal_files
    yjc_bootstrap "$PGPORT" bench >/dev/null 2>&1
}

# bench_wal_files: the WAL segment files a cluster that has run a while
# has.  It reuses them (a checkpoint renames the old ones, up to
# min_wal_size); a new cluster creates and zero-fills a 16 MiB file each
# time one fills, inside the commit that crosses into it and holding the
# WAL write lock, every commit of the cluster waiting meanwhile (issue 14:
# sampled during approve, review's backends were seen in WALInitWrite and
# WALInitSync; at 19 MB/s of WAL a new file a second).  The bench
# measures the platform running, not the cluster's first hour.
bench_wal_files() {
    pg_psql "$PGPORT" postgres -q -c "DO \$\$ BEGIN FOR i IN 1..64 LOOP
        PERFORM pg_logical_emit_message(false, 'bench', '');
        PERFORM pg_switch_wal(); END LOOP; END \$\$" -c CHECKPOINT -c CHECKPOINT >/dev/null
}

# bench_keys: endpoints on free ports and the bench's actors
bench_keys() {
    export YJC_KEYS="$TMP/keys"
    # the services: proto/yjc_services.def (deploy/services.sh, via pg.sh)
    for spec in $YJC_SERVICE_SPECS; do
        yjc_spec "$spec"
        export "YJC_${svc_ident}_ENDPOINT=tcp://127.0.0.1:$(port)"
    done
    export "YJC_VENDOR_ENDPOINT=tcp://127.0.0.1:$(port)"
    # the web console's HTTP side too (not the fixed 8080 of `make up`)
    export "YJC_WEB_LISTEN=127.0.0.1:$(port)"
    "$BIN/yjcloud" keys init >/dev/null
    "$BIN/yjcloud" actor add edu --role unit --unit 县教育局 >/dev/null
    "$BIN/yjcloud" actor add admin --role admin >/dev/null
    "$BIN/yjcloud" actor add vendor --role vendor >/dev/null
    "$BIN/yjcloud" actor add auditor --role auditor >/dev/null
}

# bench_service SCHEMA: starts the service of that schema
bench_service() {
    for spec in $YJC_SERVICE_SPECS; do
        yjc_spec "$spec"
        [ "$svc_schema" = "$1" ] || continue
        YJC_DB=$(yjc_conninfo "$PGPORT" bench "$svc_schema" "$TMP/pg/sock") \
            "$BIN/yjc-$svc_dir" >>"$TMP/$svc_dir.log" 2>&1 &
        PIDS="$PIDS $!"
        SERVICE_PIDS="$SERVICE_PIDS $svc_schema:$!"
    done
}

# bench_services: every service, until they answer
bench_services() {
    SERVICE_PIDS=""
    for spec in $YJC_SERVICE_SPECS; do
        yjc_spec "$spec"
        bench_service "$svc_schema"
    done
    bench_ready
}

bench_ready() {
    until "$BIN/yjcloud" --as admin status >/dev/null 2>&1; do sleep 0.2; done
}

# bench_stop SCHEMA: stops that service and waits for it to end
bench_stop() {
    left=""
    for sp in $SERVICE_PIDS; do
        if [ "${sp%%:*}" = "$1" ]; then
            kill -TERM "${sp#*:}"
            while kill -0 "${sp#*:}" 2>/dev/null; do sleep 0.1; done
        else
            left="$left $sp"
        fi
    done
    SERVICE_PIDS=$left
}

# bench_audit_load N [APPS]: N chained events appended by COPY while audit
# is stopped (so the chain stays one), spread over APPS applications
# (yjc-bench --audit-gen); LOAD_MS: the milliseconds it took.  Audit is
# started again.  With BENCH_AUDIT_REINDEX=1 the plain indexes of
# audit.events (random inserts) are dropped for the COPY and built again
# after it: much faster for millions of events, same indexes in the end.
bench_audit_load() {
    bench_stop audit
    head=$(q "SELECT seq || ' ' || encode(hash, 'hex') FROM audit.chain_head")
    load_start=$(now_ms)
    indexes=""
    if [ "${BENCH_AUDIT_REINDEX:-0}" = 1 ]; then
        indexes=$(q "SELECT string_agg(pg_get_indexdef(indexrelid), ';')
            FROM pg_index WHERE indrelid = 'audit.events'::regclass
            AND NOT indisunique AND NOT indisprimary")
        q "SELECT 'DROP INDEX ' || string_agg('audit.' || quote_ident(c.relname), ', ') || ';'
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE indrelid = 'audit.events'::regclass AND NOT indisunique
            AND NOT indisprimary" | pg_psql "$PGPORT" bench >/dev/null
    fi
    "$BIN/yjc-bench" --audit-gen "$1" --seq "${head% *}" --hash "${head#* }" \
        ${2:+--apps "$2"} |
        pg_psql "$PGPORT" bench -c "COPY audit.events (seq, event_id, source, type,
            app_id, occurred_at, received_at, payload_mp, hash, unit, actor) FROM STDIN" >/dev/null
    q "UPDATE audit.chain_head SET seq = e.seq, count = count + $1,
        hash = e.hash FROM (SELECT seq, hash FROM audit.events ORDER BY seq DESC
        LIMIT 1) e" >/dev/null
    [ -z "$indexes" ] ||
        pg_psql "$PGPORT" bench -c "SET maintenance_work_mem = '512MB'; $indexes" >/dev/null
    q "VACUUM ANALYZE audit.events" >/dev/null
    # the vacuum's writes (hint bits, visibility map: full-page images) are
    # flushed now, not by a checkpoint in the middle of the timed reads
    q "CHECKPOINT" >/dev/null
    LOAD_MS=$(($(now_ms) - load_start))
    bench_service audit
    bench_ready
}
