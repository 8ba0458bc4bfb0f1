# cost.sh - where a submission's time goes (issue 14), sourced by run.sh:
# CPU of each service process and of its PostgreSQL backends (by role),
# the rest of PostgreSQL, the bench's clients, and WAL bytes, read before
# and after a part runs; cost_report N prints them per N units of work.
# Clock ticks from /proc/PID/stat (utime + stime).

# cost_snapshot FILE: "label ticks" lines, and "wal BYTES"
cost_snapshot() {
    {
        for sp in $SERVICE_PIDS; do
            echo "svc:${sp%%:*} $(awk '{print $14 + $15}' "/proc/${sp#*:}/stat" 2>/dev/null || echo 0)"
        done
        q "SELECT pid, replace(coalesce(nullif(usename, ''), backend_type), ' ', '_')
           FROM pg_stat_activity WHERE pid <> pg_backend_pid()" |
            while IFS='|' read -r pid who; do
                echo "pg:$who $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)"
            done
        echo "wal $(q "SELECT pg_current_wal_lsn() - '0/0'")"
        echo "statements $(q "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements" 2>/dev/null || echo 0)"
    } >"$1"
}

# cost_report BEFORE AFTER N CLIENT_TICKS [WHAT]: per unit of work (N of
# them; WHAT names it, "submission" by default; no client with 0 ticks)
cost_report() {
    /usr/bin/python3 - "$1" "$2" "$3" "${4:-0}" "${5:-submission}" <<'PY'
import os, sys
hz = os.sysconf("SC_CLK_TCK")
def read(path):
    d = {}
    for line in open(path):
        k, v = line.split()
        d[k] = d.get(k, 0) + int(float(v))
    return d
a, b, n, client = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
what = sys.argv[5]
if n <= 0:
    sys.exit(0)
rows = []
for k in sorted(b):
    if k in ("wal", "statements"):
        continue
    d = b[k] - a.get(k, 0)
    if d > 0:
        rows.append((k, d))
if client:
    rows.append(("client:yjc-bench", client))
total = sum(d for _, d in rows)
print("cost per %s (CPU µs; clock tick %d µs, %d of them):" % (what, 1000000 // hz, n))
print("  " + "  ".join("%s=%.0f" % (k, d * 1e6 / hz / n) for k, d in rows) +
      "  total=%.0f" % (total * 1e6 / hz / n))
print("  WAL bytes per %s: %.0f" % (what, (b["wal"] - a["wal"]) / n))
st = b.get("statements", 0) - a.get("statements", 0)
if st > 0:
    print("  statements per %s: %.1f" % (what, st / n))
PY
}

# cost_perf_start SECONDS: with YJC_BENCH_PERF=1, `perf record` of every
# service and PostgreSQL backend for that long (the report goes to
# build/bench-perf.txt when cost_perf_report runs)
cost_perf_start() {
    PERF_PID=""
    [ -n "${YJC_BENCH_PERF:-}" ] || return 0
    pids=$(
        for sp in $SERVICE_PIDS; do echo "${sp#*:}"; done
        q "SELECT pid FROM pg_stat_activity WHERE usename LIKE 'yjc_%'"
    )
    perf record -g -o "$TMP/perf.data" -p "$(echo $pids | tr ' ' ,)" \
        -- sleep "$1" >/dev/null 2>&1 &
    PERF_PID=$!
}

cost_perf_report() {
    [ -n "${PERF_PID:-}" ] || return 0
    wait "$PERF_PID" || true
    {
        echo "== by process"
        perf report -i "$TMP/perf.data" --no-children --sort comm,dso -g none 2>/dev/null |
            grep '%' | head -n 30
        echo "== by symbol"
        perf report -i "$TMP/perf.data" --no-children --sort comm,symbol -g none 2>/dev/null |
            grep '%' | head -n 80
    } >"$ROOT/build/bench-perf.txt"
    echo "perf: build/bench-perf.txt"
}

# steal_mark FILE / steal_report LABEL FILE: the share of the machine's
# CPU time the hypervisor gave to others (/proc/stat "steal") between the
# mark and now.  The machine is a shared VM: a run with steal shows it,
# and its latencies are read with that in mind.
steal_mark() { head -n 1 /proc/stat >"$1"; }
steal_report() {
    head -n 1 /proc/stat | awk -v label="$1" '
        NR == FNR { for (i = 2; i <= 9; i++) a[i] = $i; next }
        { for (i = 2; i <= 9; i++) total += $i - a[i]
          idle = $5 - a[5] + $6 - a[6]; steal = $9 - a[9] }
        END { if (total > 0) printf "machine during %s: CPU steal %.1f%%, idle %.1f%%\n",
              label, 100 * steal / total, 100 * idle / total }' "$2" -
}
