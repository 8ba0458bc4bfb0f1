#!/bin/sh
# scale.sh BUILD - `make bench-scale` (issue 14): query times at a
# province's scale.  The platform on a fresh durable cluster (lib.sh, as
# `make bench`); a set of template applications driven through every
# lifecycle by the real CLI, services and vendor simulator; then
# scale.py clones those rows in every schema as COPY (ids, numbers and
# units renumbered, nothing else changed; scale.sql keeps the template and
# checks the official numbers) up to
# about YJC_SCALE_APPS applications (default 100 000) across 90 units, the
# ones still owed a step only in every YJC_SCALE_OPEN_EVERY-th clone
# (default 20: a history is mostly finished), while yjc-bench --audit-gen
# appends the audit trail (YJC_SCALE_EVENTS, default 10 M) over those
# applications (the two loads in parallel).  The queries
# run first at a tenth of that, then at the full size, each
# YJC_SCALE_CALLS times (default 300) through the real messages, and
# print p50/p99 side by side.  Why clones: the bus does ~1 000
# submissions/s here, and a whole lifecycle is ~15 messages and a vendor
# round trip; cloning what the services wrote keeps their rows and
# invariants and takes a few minutes.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$ROOT/${1:-build}/bin
APPS=${YJC_SCALE_APPS:-100000}
EVENTS=${YJC_SCALE_EVENTS:-10000000}
CALLS=${YJC_SCALE_CALLS:-300}
# a history is mostly finished: the template's open applications (a step
# owed) are cloned only in every OPEN_EVERY-th clone
OPEN_EVERY=${YJC_SCALE_OPEN_EVERY:-20}
cd "$ROOT"
. "$ROOT/tests/bench/lib.sh"
started=$(now_ms)

# the template's lifecycles happen on 2026-11-02 (a Monday); the queries
# are asked on 2026-11-30, when the steps left open are overdue (the
# longest, a test's end, is due in 15 days).  Both in one month: no month
# closes in between, so billing has no rating of a cloned month to catch
# up on before the queries (a running system rates each month once, as it
# closes; the clones did not live through that).
export YJC_NOW_FILE="$TMP/now"
echo "2026-11-02T09:00:00+08:00" >"$YJC_NOW_FILE"
# the bulk load writes ~10 GB of WAL: checkpoints by time, not every
# gigabyte; YJC_SCALE_PG_CONF: more postgresql.conf lines (e.g. "jit = off")
bench_cluster "max_wal_size = 16GB
${YJC_SCALE_PG_CONF:-}"
bench_keys
"$BIN/yjcloud" actor add bureau --role bureau >/dev/null
bench_services
"$BIN/yjc-vendor-sim" --as vendor --interval 100 >>"$TMP/vendor-sim.log" 2>&1 &
VENDOR=$!
PIDS="$PIDS $VENDOR"

cli() { "$BIN/yjcloud" "$@" >>"$TMP/cli.log" 2>&1 || { cat "$TMP/cli.log" >&2; exit 1; }; }
json() { # json KEY ARGS...: KEY of the command's JSON reply
    key=$1
    shift
    "$BIN/yjcloud" --json "$@" 2>>"$TMP/cli.log" |
        sed -n "s/.*\"$key\": *\"\([^\"]*\)\".*/\1/p" | head -n 1
}
# every event delivered and the vendor idle
settle() {
    until [ "$(q "SELECT (SELECT count(*) FROM provisioning.orders
            WHERE state IN ('pending', 'acknowledged')) +
            (SELECT count(*) FROM intake.outbox_pending) +
            (SELECT count(*) FROM review.outbox_pending) +
            (SELECT count(*) FROM provisioning.outbox_pending) +
            (SELECT count(*) FROM billing.outbox_pending)")" -eq "${1:-0}" ]; do
        sleep 0.1
    done
}
# until intake has seen APP reach STATE
reach() {
    until [ "$(q "SELECT state FROM intake.applications WHERE app_id = '$1'")" = "$2" ]; do
        sleep 0.1
    done
}
M=tests/data/materials
# apply: a new application of the unit's, once review has it
apply() {
    app=$(submit)
    until [ "$(q "SELECT count(*) FROM review.applications WHERE app_id = '$app'")" = 1 ]; do
        sleep 0.05
    done
    echo "$app"
}
submit() {
    "$BIN/yjcloud" --as edu --json apply tests/data/form-full.json \
        --attach construction_plan=$M/construction-plan.pdf \
        --attach deployment_plan=$M/deployment-plan.pdf \
        --attach equipment_statement=$M/equipment-statement.pdf \
        --attach backup_plan=$M/backup-plan.pdf \
        --attach security_plan=$M/security-plan.pdf 2>>"$TMP/cli.log" |
        sed -n 's/.*"app_id": *"\(A[0-9]*\)".*/\1/p' | tail -n 1
}
approve() {
    cli --as bureau accept "$1"
    cli --as bureau approve "$1" --grant tests/data/grant-full.json --opinion 同意
}
request() { # the id of the unit's request (golive, change, terminate), once review has it
    req=$(json request_id --as edu "$@")
    until [ "$(q "SELECT count(*) FROM review.requests WHERE request_id = '$req'")" = 1 ]; do
        sleep 0.05
    done
    echo "$req"
}
production() {
    approve "$1"
    reach "$1" testing
    r=$(request golive "$1" --function 功能测试通过 --performance 峰值500并发通过 \
        --security 无高危漏洞 --report $M/test-report.pdf --lab 浙江省软件测评中心 \
        --cnas "CNAS L0000")
    cli --as bureau request approve "$r"
    reach "$1" production
}

# the template: each fate the history holds, one application each
template() {
    apply >/dev/null                                   # waits for acceptance
    a=$(apply); cli --as bureau accept "$a"            # waits for the decision
    a=$(apply); cli --as bureau decline "$a" --opinion 缺少系统建设方案
    a=$(apply); cli --as edu withdraw "$a"
    a=$(apply); approve "$a"                           # testing (test ends)
    reach "$a" testing
    a=$(apply); production "$a"                        # in production
    a=$(apply); production "$a"                        # changed, delivered
    r=$(request change "$a" tests/data/change-full.json --reason 扩容存储)
    cli --as bureau request approve "$r"
    a=$(apply); production "$a"                        # change waits
    request change "$a" tests/data/change-full.json --reason 扩容存储 >/dev/null
    a=$(apply); production "$a"                        # terminated
    r=$(request terminate "$a" --offline-confirmed --data backed_up --reason 并入市级平台)
    cli --as bureau request approve "$r"
    settle
    kill -TERM "$VENDOR"
    wait "$VENDOR" 2>/dev/null || true
    a=$(apply); approve "$a"                           # the vendor is late
    settle 1
}
t0=$(now_ms)
template
echo "scale: template of $(q "SELECT count(*) FROM intake.applications") applications through the services in $(($(now_ms) - t0)) ms"
T=$(q "SELECT count(*) FROM intake.applications")
OPEN=$(q "SELECT '{' || string_agg(app_id, ',') || '}' FROM (
    SELECT app_id FROM review.applications WHERE state IN ('submitted', 'accepted')
    UNION SELECT app_id FROM review.duties WHERE closed_at IS NULL
    UNION SELECT app_id FROM provisioning.orders WHERE closed_at IS NULL) o")
O=$(echo "$OPEN" | tr ',' '\n' | wc -l)
echo "2026-11-30T09:00:00+08:00" >"$YJC_NOW_FILE"

# the template, kept in schema scale (scale.sql) and dumped for scale.py:
# its tables' columns (t text, b bytea, - other; not the serial ones),
# rows, open applications and official numbers
pg_psql "$PGPORT" bench -q -v to_k=0 -f tests/bench/scale.sql >/dev/null
TPL=$TMP/template
mkdir -p "$TPL"
for t in intake.applications intake.history intake.materials intake.requests \
    review.applications review.decisions review.duties review.requests \
    provisioning.orders provisioning.apps provisioning.retention \
    provisioning.periods billing.allocations; do
    cols=$(q "SELECT string_agg(attname || ':' || CASE atttypid
            WHEN 'text'::regtype THEN 't' WHEN 'bytea'::regtype THEN 'b'
            ELSE '-' END, ',' ORDER BY attnum)
        FROM pg_attribute a LEFT JOIN pg_attrdef d
          ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = '$t'::regclass AND a.attnum > 0 AND NOT a.attisdropped
          AND coalesce(pg_get_expr(d.adbin, d.adrelid), '') NOT LIKE 'nextval%'")
    printf '%s\t%s\n' "$t" "$cols" >>"$TPL/tables"
    pg_psql "$PGPORT" bench -c "SET bytea_output = escape" -c "COPY (SELECT
        $(echo "$cols" | sed 's/:[tb-]//g') FROM scale.$(echo "$t" | tr . _))
        TO STDOUT" >"$TPL/$t.copy"
done
echo "$OPEN" | tr -d '{}' | tr ',' '\n' >"$TPL/open"
q "SELECT app_id || E'\t' || number FROM scale.review_applications
    WHERE number IS NOT NULL" >"$TPL/numbers"

# grow to about N applications (cloned) and E audit events
done_k=0
events=0
grow() {
    g0=$(now_ms)
    to_k=$(((${1} - T) * OPEN_EVERY / ((T - O) * OPEN_EVERY + O)))
    # the applications there will be (the template's ids and unit, as
    # scale.py renumbers them), for the audit trail's events
    q "SELECT app_id || E'\t' || unit FROM scale.intake_applications
       UNION ALL SELECT 'A' || lpad((substr(app_id, 2)::int + k * s.apps)::text,
           6, '0') || E'\t' || '县单位' || lpad((k % 90)::text, 3, '0')
       FROM scale.intake_applications, scale.sizes s, generate_series(1, $to_k) k
       WHERE k % $OPEN_EVERY = 0 OR app_id <> ALL ('$OPEN')" >"$TMP/apps.$1"
    # the clones by COPY, beside the audit trail's load
    (
        /usr/bin/python3 tests/bench/scale.py "$TPL" $((done_k + 1)) "$to_k" \
            "$OPEN_EVERY" $(q "SELECT apps || ' ' || orders || ' ' || requests
                FROM scale.sizes") "$(q "SELECT count(number) FROM review.applications")" |
            pg_psql "$PGPORT" bench -q -f - >/dev/null
        pg_psql "$PGPORT" bench -q -v to_k="$to_k" -f tests/bench/scale.sql >/dev/null
        echo $(($(now_ms) - g0)) >"$TMP/clone_ms"
    ) &
    clone=$!
    BENCH_AUDIT_REINDEX=1 bench_audit_load $(($2 - events)) "$TMP/apps.$1"
    wait "$clone"
    done_k=$to_k
    events=$2
    echo "scale: $(q "SELECT count(*) FROM intake.applications") applications" \
        "($(q "SELECT count(DISTINCT unit) FROM intake.applications") units," \
        "$(q "SELECT count(*) FROM review.applications WHERE state IN ('submitted', 'accepted')") awaiting the bureau," \
        "$(q "SELECT count(*) FROM review.duties WHERE closed_at IS NULL") open duties," \
        "$(q "SELECT count(*) FROM provisioning.orders WHERE closed_at IS NULL") open orders;" \
        "cloned in $(cat "$TMP/clone_ms") ms), $(q "SELECT count(*) FROM audit.events")" \
        "audit events (loaded in $LOAD_MS ms, beside the clones)"
}
query() {
    # as a running system's tables are: vacuumed (visibility, hint bits),
    # checkpointed; the services' ticks caught up with the clock
    q "VACUUM ANALYZE" >/dev/null
    q "CHECKPOINT" >/dev/null
    sleep 5
    # a command that failed shows in the table's errors column
    "$BIN/yjc-bench" --scale-query "$CALLS" --apps "$TMP/apps.$1" >"$TMP/q.$1" || true
}
grow $((APPS / 10)) $((EVENTS / 10))
query $((APPS / 10))
grow "$APPS" "$EVENTS"
query "$APPS"
echo "scale: $CALLS calls each, ms (targets: p99 <= 20, audit <= 5), loaded in $((($(now_ms) - started) / 1000)) s"
/usr/bin/python3 - "$TMP/q.$((APPS / 10))" "$TMP/q.$APPS" "$APPS" <<'PY'
import sys
small = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
big = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
n = int(sys.argv[3])
errors = 0
print("%-20s %22s %22s  %s" % ("command", "%d apps p50 / p99" % (n // 10),
                               "%d apps p50 / p99" % n, "errors"))
for s, b in zip(small, big):
    print("%-20s %10s / %9s %10s / %9s  %s" % (s[0], s[3], s[4], b[3], b[4],
                                             int(s[2]) + int(b[2])))
    errors += int(s[2]) + int(b[2])
sys.exit(1 if errors else 0)
PY
