#!/bin/sh
# run.sh BUILD - `make bench`: the platform on a fresh durable PostgreSQL
# cluster (same settings as `make up`), concurrent submissions end to end
# (submitted -> audited), then the same cluster's raw single-row
# INSERT+COMMIT rate at the same concurrency, and the ratio of the two.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$ROOT/${1:-build}/bin
CLIENTS=${YJC_BENCH_CLIENTS:-8}
SECONDS_=${YJC_BENCH_SECONDS:-10}
# YJC_BENCH_PARTS: which parts run (default all: submit metering audit)
PARTS=" ${YJC_BENCH_PARTS:-submit metering audit} "
part() { case "$PARTS" in *" $1 "*) return 0 ;; esac; return 1; }
. "$ROOT/deploy/pg.sh"
cd "$ROOT"

TMP=$(mktemp -d /tmp/yjc-bench.XXXXXX)
chmod 755 "$TMP"
PIDS=""
cleanup() {
    for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 1
    pg_stop "$TMP/pg"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGPORT=$(port)
pg_init "$TMP/pg" "$PGPORT" # durable, as in production
# YJC_BENCH_STATEMENTS=1: also print the costliest statements
if [ -n "${YJC_BENCH_STATEMENTS:-}" ]; then
    echo "shared_preload_libraries = 'pg_stat_statements'" >>"$TMP/pg/data/postgresql.conf"
fi
pg_start "$TMP/pg"
yjc_bootstrap "$PGPORT" bench >/dev/null 2>&1
[ -n "${YJC_BENCH_STATEMENTS:-}" ] &&
    pg_psql "$PGPORT" bench -c "CREATE EXTENSION pg_stat_statements" >/dev/null

export YJC_KEYS="$TMP/keys"
# the services: proto/yjc_services.def (deploy/services.sh, via pg.sh)
for spec in $YJC_SERVICE_SPECS; do
    yjc_spec "$spec"
    export "YJC_${svc_ident}_ENDPOINT=tcp://127.0.0.1:$(port)"
done
export "YJC_VENDOR_ENDPOINT=tcp://127.0.0.1:$(port)"
"$BIN/yjcloud" keys init >/dev/null
"$BIN/yjcloud" actor add edu --role unit --unit 县教育局 >/dev/null
"$BIN/yjcloud" actor add admin --role admin >/dev/null
"$BIN/yjcloud" actor add vendor --role vendor >/dev/null
"$BIN/yjcloud" actor add auditor --role auditor >/dev/null
SERVICE_PIDS=""
for spec in $YJC_SERVICE_SPECS; do
    yjc_spec "$spec"
    YJC_DB=$(yjc_conninfo "$PGPORT" bench "$svc_schema" "$TMP/pg/sock") \
        "$BIN/yjc-$svc_dir" >>"$TMP/$svc_dir.log" 2>&1 &
    PIDS="$PIDS $!"
    SERVICE_PIDS="$SERVICE_PIDS $svc_schema:$!"
done
until "$BIN/yjcloud" --as admin status >/dev/null 2>&1; do sleep 0.2; done

q() { pg_psql "$PGPORT" bench -At -c "$1"; }
now_ms() { date +%s%3N; }

if part submit; then
# the materials the full form requires (R8), uploaded once, named by all
materials=""
for kind in construction_plan deployment_plan equipment_statement backup_plan \
    security_plan; do
    file=tests/data/materials/$(echo "$kind" | tr _ -).pdf
    att=$("$BIN/yjcloud" --as edu --json attachment put "$file" |
        sed -n 's/.*"att_id": "\([^"]*\)".*/\1/p')
    materials="$materials --material $kind=$att"
done

echo "bench: $CLIENTS clients, ${SECONDS_}s, form tests/data/form-full.json"
# shellcheck disable=SC2086
result=$("$BIN/yjc-bench" --clients "$CLIENTS" --seconds "$SECONDS_" $materials)
replied=$(now_ms)
submitted=$(q "SELECT count(*) FROM intake.applications")
until [ "$(q "SELECT count(*) FROM audit.events WHERE type = 'application.submitted'")" -ge "$submitted" ] &&
    [ "$(q "SELECT count(*) FROM review.applications")" -ge "$submitted" ]; do
    sleep 0.05
done
catchup=$(($(now_ms) - replied))

rss() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status"; }
rss_line=""
for sp in $SERVICE_PIDS; do
    rss_line="${rss_line:+$rss_line }${sp%%:*}=$(rss "${sp#*:}")"
done

# Baseline: the same cluster, one durable single-row INSERT+COMMIT per
# transaction, same number of concurrent connections (pgbench), over the
# same Unix socket the services use.
q "CREATE TABLE IF NOT EXISTS public.baseline (id bigserial PRIMARY KEY, v text)" >/dev/null
echo "INSERT INTO public.baseline (v) VALUES ('x');" >"$TMP/insert.sql"
tps=$("$PGBIN/pgbench" -n -c "$CLIENTS" -j 2 -T "$SECONDS_" -f "$TMP/insert.sql" \
    -h "$TMP/pg/sock" -p "$PGPORT" -U postgres bench 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)

rps=$(echo "$result" | sed -n 's/.*rps=\([0-9.]*\).*/\1/p')
if [ -n "${YJC_BENCH_STATEMENTS:-}" ]; then
    pg_psql "$PGPORT" bench -c "SELECT round(total_exec_time) AS ms, calls,
        left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query
        FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15"
fi
echo "platform:  $result"
echo "audit catch-up after last reply: ${catchup} ms (applications: $submitted)"
echo "peak RSS MiB: $rss_line"
echo "baseline:  single-row INSERT+COMMIT tps=$tps clients=$CLIENTS"
/usr/bin/python3 -c "print('ratio: platform rps / baseline tps = %.3f' % ($rps / $tps))"
fi

if part metering; then
# Metering (R11.3, R17): the vendor's metering.report through real ZeroMQ
# + CURVE into billing, CLIENTS clients each sending batches of 5000
# samples of its own running application, against the same cluster's raw
# binary COPY of the same rows into a table of the same shape
# (partitioned by month, same primary key), CLIENTS streams at once.
q "INSERT INTO billing.allocations (app_id, unit, order_id, stage, resources,
    resources_mp, lines, valid_from) SELECT 'B' || lpad(i::text, 4, '0'),
    '县教育局', 'OB' || i, 'production', '{}', '\\x80'::bytea, 1,
    now() - interval '30 days' FROM generate_series(1, $CLIENTS) i" >/dev/null
mresult=$("$BIN/yjc-bench" --metering --clients "$CLIENTS" --seconds "$SECONDS_")
mreplied=$(now_ms)
until [ "$(q "SELECT count(*) FROM billing.metering_dirty")" -eq 0 ]; do sleep 0.05; done
rollups=$(($(now_ms) - mreplied))
stored=$(q "SELECT count(*) FROM billing.metering_samples")
q "CREATE TABLE public.copy_samples (LIKE billing.metering_samples)
    PARTITION BY RANGE (at)" >/dev/null
q "ALTER TABLE public.copy_samples ADD PRIMARY KEY (app_id, resource, at)" >/dev/null
printf "%s\n" "SELECT format('CREATE TABLE public.%I PARTITION OF public.copy_samples %s',
       'copy_' || c.relname, pg_get_expr(c.relpartbound, c.oid))
   FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'billing.metering_samples'::regclass \\gexec" |
    pg_psql "$PGPORT" bench >/dev/null
for i in $(seq 1 "$CLIENTS"); do
    app=B$(printf %04d "$i")
    pg_psql "$PGPORT" bench -c "COPY (SELECT * FROM billing.metering_samples
        WHERE app_id = '$app') TO STDOUT (FORMAT binary)" >"$TMP/copy.$i.bin"
done
copy_start=$(now_ms)
COPY_PIDS=""
for i in $(seq 1 "$CLIENTS"); do
    pg_psql "$PGPORT" bench -c "COPY public.copy_samples FROM STDIN (FORMAT binary)" \
        <"$TMP/copy.$i.bin" >/dev/null &
    COPY_PIDS="$COPY_PIDS $!"
done
for pid in $COPY_PIDS; do wait "$pid"; done
copy_ms=$(($(now_ms) - copy_start))
copied=$(q "SELECT count(*) FROM public.copy_samples")
sps=$(echo "$mresult" | sed -n 's/.*samples_per_s=\([0-9.]*\).*/\1/p')
echo "metering:  $mresult"
echo "metering rollups caught up ${rollups} ms after the last reply (samples stored: $stored)"
/usr/bin/python3 -c "
copy = $copied / ($copy_ms / 1000.0)
print('baseline:  binary COPY of the same %d rows: %.1f rows/s (%d ms, %d streams)' % ($copied, copy, $copy_ms, $CLIENTS))
print('metering ratio: samples/s / COPY rows/s = %.3f (target >= 0.7)' % ($sps / copy))"
fi

if part audit; then
# The audit trail (issue 12): YJC_BENCH_AUDIT_EVENTS (default 1 M; the
# issue's figure is at 10 M) chained events loaded by COPY while audit is
# stopped (so the chain stays one), then `audit verify` over the whole
# chain (events/s) and audit.events of one application (p50/p99).
AUDIT_N=${YJC_BENCH_AUDIT_EVENTS:-1000000}
for sp in $SERVICE_PIDS; do
    [ "${sp%%:*}" = audit ] && audit_pid=${sp#*:}
done
kill -TERM "$audit_pid"
while kill -0 "$audit_pid" 2>/dev/null; do sleep 0.1; done
head=$(q "SELECT seq || ' ' || encode(hash, 'hex') FROM audit.chain_head")
load_start=$(now_ms)
"$BIN/yjc-bench" --audit-gen "$AUDIT_N" --seq "${head% *}" --hash "${head#* }" |
    pg_psql "$PGPORT" bench -c "COPY audit.events (seq, event_id, source, type,
        app_id, occurred_at, received_at, payload_mp, hash, unit, actor) FROM STDIN"
q "UPDATE audit.chain_head SET seq = e.seq, count = count + $AUDIT_N,
    hash = e.hash FROM (SELECT seq, hash FROM audit.events ORDER BY seq DESC
    LIMIT 1) e" >/dev/null
q "VACUUM ANALYZE audit.events" >/dev/null
load_ms=$(($(now_ms) - load_start))
YJC_DB=$(yjc_conninfo "$PGPORT" bench audit "$TMP/pg/sock") \
    "$BIN/yjc-audit" >>"$TMP/audit.log" 2>&1 &
PIDS="$PIDS $!"
until "$BIN/yjcloud" --as admin status >/dev/null 2>&1; do sleep 0.2; done
total=$(q "SELECT count(*) FROM audit.events")
echo "audit:     $AUDIT_N events generated and loaded (COPY) in $load_ms ms; $total in the trail"
echo "audit verify: $("$BIN/yjcloud" --as auditor --timeout 600000 audit verify)"
"$BIN/yjc-bench" --audit-query 2000 --as auditor
fi
