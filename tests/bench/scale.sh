#!/bin/sh
# scale.sh BUILD - `make bench-scale` (issue 14): query times at a
# province's scale.  The platform on a fresh durable cluster (lib.sh, as
# `make bench`); a set of template applications driven through every
# lifecycle by the real CLI, services and vendor simulator; then
# scale.sql clones those rows in every schema (ids, numbers and units
# renumbered, nothing else changed) up to about YJC_SCALE_APPS
# applications (default 100 000) across 90 units, the ones still owed a
# step only in every YJC_SCALE_OPEN_EVERY-th clone (default 20: a history
# is mostly finished), and yjc-bench --audit-gen appends the audit trail
# (YJC_SCALE_EVENTS, default 10 M) over those applications.  The queries
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

# the template's lifecycles happen on 2026-10-12 (a Monday); the queries
# are asked on 2026-11-16, when the steps left open are overdue
export YJC_NOW_FILE="$TMP/now"
echo "2026-10-12T09:00:00+08:00" >"$YJC_NOW_FILE"
bench_cluster
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
echo "2026-11-16T09:00:00+08:00" >"$YJC_NOW_FILE"

# grow to about N applications (cloned) and E audit events
done_k=0
events=0
grow() {
    g0=$(now_ms)
    to_k=$(((${1} - T) * OPEN_EVERY / ((T - O) * OPEN_EVERY + O)))
    pg_psql "$PGPORT" bench -q -v from_k=$((done_k + 1)) -v to_k=$to_k \
        -v open="$OPEN" -v open_every="$OPEN_EVERY" -f tests/bench/scale.sql >/dev/null
    done_k=$to_k
    clone_ms=$(($(now_ms) - g0))
    n=$(q "SELECT count(*) FROM intake.applications")
    q "SELECT app_id || E'\t' || unit FROM intake.applications" >"$TMP/apps.$1"
    bench_audit_load $(($2 - events)) "$TMP/apps.$1"
    events=$2
    echo "scale: $n applications ($(q "SELECT count(DISTINCT unit) FROM intake.applications") units," \
        "$(q "SELECT count(*) FROM review.applications WHERE state IN ('submitted', 'accepted')") awaiting the bureau," \
        "$(q "SELECT count(*) FROM review.duties WHERE closed_at IS NULL") open duties," \
        "$(q "SELECT count(*) FROM provisioning.orders WHERE closed_at IS NULL") open orders;" \
        "cloned in $clone_ms ms), $(q "SELECT count(*) FROM audit.events")" \
        "audit events (loaded in $LOAD_MS ms)"
}
query() {
    # as a running system's tables are: vacuumed (visibility, hint bits),
    # checkpointed; the services' ticks caught up with the clock
    q "VACUUM ANALYZE" >/dev/null
    q "CHECKPOINT" >/dev/null
    sleep 5
    "$BIN/yjc-bench" --scale-query "$CALLS" --apps "$TMP/apps.$1" >"$TMP/q.$1"
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
print("%-20s %22s %22s  %s" % ("command", "%d apps p50 / p99" % (n // 10),
                               "%d apps p50 / p99" % n, "errors"))
for s, b in zip(small, big):
    print("%-20s %10s / %9s %10s / %9s  %s" % (s[0], s[3], s[4], b[3], b[4],
                                             int(s[2]) + int(b[2])))
PY
