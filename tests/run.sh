#!/bin/sh
# run.sh BUILD - the whole suite: unit selftests, then integration tests
# against real service processes, real ZeroMQ and a throwaway PostgreSQL
# cluster on a free port.  Cleans up even when a test fails.  The last
# line is "N passed, N failed" (CI reads it).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build/asan}
BIN=$ROOT/$BUILD/bin
. "$ROOT/deploy/pg.sh"
PY=/usr/bin/python3

TMP=$(mktemp -d /tmp/yjc-test.XXXXXX)
chmod 755 "$TMP"
cleanup() {
    pg_stop "$TMP/pg"
    if [ -n "${YJC_TEST_KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# LeakSanitizer reports leaks at exit; UBSan stops at the first finding.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87"
# what a system library keeps for good (tests/lsan.supp says why)
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"

cd "$ROOT" || exit 1
# The cluster is throwaway: trust on a random 127.0.0.1 port, its socket
# folder 0700.  (With PGPASSFILE exported here, pg_init would use scram
# passwords instead, but libpq's SCRAM leaves libcrypto allocations that
# LeakSanitizer reports in the services at exit.)
port=$($PY "$ROOT/tests/tools/free_port.py")
pg_ok=0
pg_init "$TMP/pg" "$port" fast && pg_start "$TMP/pg" && pg_ok=1
# The unit selftests of yjc_db and yjc_outbox run in a database of their own.
unit_pg=
if [ $pg_ok -eq 1 ] && pg_psql "$port" postgres -c 'CREATE DATABASE yjc_selftest'; then
    unit_pg="host=127.0.0.1 port=$port dbname=yjc_selftest user=postgres options='-c client_min_messages=warning'"
fi
"$BIN/yjc-selftest" ${unit_pg:+--pg "$unit_pg"} >"$TMP/unit.log" 2>&1
unit_rc=$?
cat "$TMP/unit.log"
unit_line=$(tail -n 1 "$TMP/unit.log")
unit_pass=$(echo "$unit_line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
unit_fail=$(echo "$unit_line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
if [ -z "$unit_pass" ]; then # crashed before its summary
    unit_pass=0
    unit_fail=1
fi
[ $unit_rc -ne 0 ] && [ "$unit_fail" -eq 0 ] && unit_fail=1

# libFuzzer, briefly (make fuzz runs long): the frame path and the JSON
# round trip; a subset run (YJC_TEST_ONLY) skips it unless asked.
fuzz_pass=0
fuzz_fail=0
if [ -z "${YJC_TEST_ONLY:-}" ] || [ -n "${YJC_FUZZ_SECONDS:-}" ]; then
    sh tests/fuzz/run.sh "${YJC_FUZZ_SECONDS:-15}" >"$TMP/fuzz.log" 2>&1
    fuzz_rc=$?
    cat "$TMP/fuzz.log"
    fuzz_pass=$(grep -c '^fuzz .*no finding$' "$TMP/fuzz.log")
    fuzz_fail=$(grep -c '^fuzz .*FINDING' "$TMP/fuzz.log")
    [ $fuzz_rc -ne 0 ] && [ "$fuzz_fail" -eq 0 ] && fuzz_fail=1
fi

if [ $pg_ok -eq 1 ]; then
    YJC_TEST_PGPORT=$port YJC_TEST_TMP=$TMP YJC_TEST_BIN=$BIN \
        $PY -m pytest -q -p no:cacheprovider --junitxml="$TMP/junit.xml" \
        ${YJC_TEST_ONLY:-tests/integration}
    it_rc=$?
else
    echo "could not start PostgreSQL for the integration tests" >&2
    it_rc=2
fi
counts=$($PY - "$TMP/junit.xml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 1)
    raise SystemExit
suites = root.iter("testsuite")
t = f = s = 0
for suite in suites:
    t += int(suite.get("tests", 0))
    f += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    s += int(suite.get("skipped", 0))
print(t - f - s, f)
PYEOF
)
it_pass=${counts% *}
it_fail=${counts#* }
# pytest exits 5 when it collected nothing: that is a failure here.
[ "$it_rc" -ne 0 ] && [ "$it_fail" -eq 0 ] && it_fail=1

[ -f "$TMP/figures.txt" ] && cat "$TMP/figures.txt"
echo "unit: $unit_pass passed, $unit_fail failed"
echo "fuzz: $fuzz_pass passed, $fuzz_fail failed"
echo "integration: $it_pass passed, $it_fail failed"
total_fail=$((unit_fail + fuzz_fail + it_fail))
echo "$((unit_pass + fuzz_pass + it_pass)) passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
