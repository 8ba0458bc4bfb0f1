"""Metering from the vendor and the idle rule (R11.3, R17): the vendor's
metering.report stored once per (application, resource, time), refused
whole with every bad sample named, daily rollups against figures computed
here, raw partitions dropped by YJC_METERING_KEEP_MONTHS with a moved
clock, the idle candidates with their evidence, and the rule as data the
bureau (and only the bureau) changes."""
import datetime as dt
import math
import time

import msgpack
import pytest

SH = dt.timezone(dt.timedelta(hours=8))
NOW = "2026-03-01T12:00:00+08:00"
START = dt.datetime(2026, 1, 1, tzinfo=SH)
RESOURCES = {"network": {"access": "extranet_only", "dedicated_mbps": 10},
             "hosts": [{"cpu_mem": "4c8g", "os": "centos6", "database": "none",
                        "count": 2, "purpose": "Web"}],
             "storage_tb": 1}
# application -> (unit, allocation interval) as billing would have opened it
APPS = {"M000001": ("县教育局", "2026-01-01", None),       # idle: low figures
        "M000002": ("县教育局", "2026-01-01", None),       # busy
        "M000003": ("县卫生健康局", "2026-01-01", "2026-02-01"),  # offline since
        "M000004": ("县卫生健康局", "2026-01-01", None)}   # never reported


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def problems(reply):
    assert not reply["ok"], reply
    return {(p["code"], p["field"]) for p in reply["error"].get("details") or [reply["error"]]}


def iso(t):
    return t.isoformat()


def hourly(app, resource, days, cpu, mem, end=dt.datetime(2026, 3, 1, 11, tzinfo=SH)):
    """One sample an hour over `days` days up to `end`; cpu(i), mem(i)."""
    out = []
    for i in range(days * 24):
        t = end - dt.timedelta(hours=i)
        out.append({"app_id": app, "resource": resource, "at": iso(t),
                    "cpu_pct": cpu(i), "mem_pct": mem(i), "disk_gb": 100 + i % 7,
                    "bw_in_mbps": i % 11, "bw_out_mbps": i % 13})
    return out


def report(p, samples):
    return p.call("vendor", "billing", "metering.report", {"samples": samples},
                  timeout_ms=30000)


def rollups_done(p):
    p.wait_until(lambda: p.scalar("SELECT count(*) FROM billing.metering_dirty") == "0",
                 what="rollups recomputed")


def percentile_cont(values, q):
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


@pytest.fixture(scope="module")
def metering(platform):
    p = platform
    p.stop_all()
    p.set_now(NOW)
    p.start_all()
    for app, (unit, frm, to) in APPS.items():
        mp = "\\x" + msgpack.packb(RESOURCES).hex()
        to_sql = f"'{to} 00:00+08'" if to else "NULL"
        p.sql("INSERT INTO billing.allocations (app_id, unit, order_id, stage,"
              " resources, resources_mp, lines, valid_from, valid_to) VALUES"
              f" ('{app}', '{unit}', 'O{app}', 'production', '{{}}', '{mp}'::bytea,"
              f" 3, '{frm} 00:00+08', {to_sql})")
    idle = hourly("M000001", "M1-web1", 30, lambda i: 1 + i % 3, lambda i: 10 + i % 5)
    busy = hourly("M000002", "M2-web1", 30, lambda i: 40 + i % 41, lambda i: 50 + i % 20)
    return {"idle": idle, "busy": busy}


def test_batch_stored_once_R11_3_R17(platform, metering):
    p = platform
    batch = metering["idle"] + metering["busy"]
    got = ok(report(p, batch))
    assert got == {"received": 1440, "stored": 1440, "duplicates": 0}
    assert p.scalar("SELECT count(*) FROM billing.metering_samples") == "1440"
    # monthly partitions (declarative), created on demand / ahead
    parts = {r[0] for r in p.sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'billing.metering_samples'::regclass")}
    assert {"metering_samples_2026_01", "metering_samples_2026_02",
            "metering_samples_2026_03", "metering_samples_2026_04"} <= parts
    rollups_done(p)


def test_retried_batch_changes_nothing_R17(platform, metering):
    p = platform
    before = p.sql("SELECT * FROM billing.metering_daily ORDER BY 1, 2, 3")
    assert len(before) == 2 * 31      # 30 days of hours cross 31 dates
    got = ok(report(p, metering["idle"] + metering["busy"]))
    assert got == {"received": 1440, "stored": 0, "duplicates": 1440}
    # a batch repeating itself and half old, half new: only the new stored
    extra = hourly("M000001", "M1-db1", 1, lambda i: 2, lambda i: 12)
    got = ok(report(p, metering["idle"][:10] + extra + extra[:3]))
    assert got == {"received": 37, "stored": 24, "duplicates": 13}
    rollups_done(p)
    assert p.scalar("SELECT count(*) FROM billing.metering_samples") == "1464"
    after = p.sql("SELECT * FROM billing.metering_daily WHERE resource <> 'M1-db1'"
                  " ORDER BY 1, 2, 3")
    assert after == before


def test_rollups_match_figures_computed_here_R17(platform, metering):
    p = platform
    day = dt.date(2026, 2, 14)
    rows = [s for s in metering["busy"]
            if dt.datetime.fromisoformat(s["at"]).astimezone(SH).date() == day]
    assert len(rows) == 24
    got = p.sql("SELECT samples, cpu_p50, cpu_p95, cpu_max, mem_p50, mem_p95, mem_max,"
                " disk_max, bw_in_max, bw_out_max FROM billing.metering_daily"
                f" WHERE app_id = 'M000002' AND resource = 'M2-web1' AND day = '{day}'")[0]
    cpu = [s["cpu_pct"] for s in rows]
    mem = [s["mem_pct"] for s in rows]
    want = [24, percentile_cont(cpu, .5), percentile_cont(cpu, .95), max(cpu),
            percentile_cont(mem, .5), percentile_cont(mem, .95), max(mem),
            max(s["disk_gb"] for s in rows), max(s["bw_in_mbps"] for s in rows),
            max(s["bw_out_mbps"] for s in rows)]
    assert [float(x) for x in got] == pytest.approx(want, abs=0.01)


def test_bad_samples_refused_whole_with_paths_R11_3(platform, metering):
    p = platform
    good = {"app_id": "M000002", "resource": "M2-web9", "at": "2026-03-01T11:30:00+08:00",
            "cpu_pct": 50, "mem_pct": 50, "disk_gb": 1, "bw_in_mbps": 1, "bw_out_mbps": 1}
    # out-of-range values: every one named by its sample and field
    bad = [dict(good), dict(good, cpu_pct=101), dict(good, mem_pct=-1),
           dict(good, resource="x" * 65)]
    assert problems(report(p, bad)) == {
        ("out_of_range", "body.samples[1].cpu_pct"),
        ("out_of_range", "body.samples[2].mem_pct"),
        ("too_long", "body.samples[3].resource")}
    # not running at that time (its interval closed), far in the future,
    # not a time: in the same reply; nothing of the batch is kept
    late = [dict(good), dict(good, app_id="M000003", at="2026-02-15T10:00:00+08:00"),
            dict(good, at="2026-03-01T12:10:00+08:00"),
            dict(good, app_id="M999999"), dict(good, at="2026-13-01T10:00:00+08:00")]
    assert problems(report(p, late)) == {
        ("invalid_state", "body.samples[1].app_id"),
        ("out_of_range", "body.samples[2].at"),
        ("invalid_state", "body.samples[3].app_id"),
        ("invalid_value", "body.samples[4].at")}
    assert p.scalar("SELECT count(*) FROM billing.metering_samples"
                    " WHERE resource = 'M2-web9'") == "0"
    # the same sample while M000003 ran is taken; the service kept serving
    ok(report(p, [dict(good), dict(good, app_id="M000003", at="2026-01-15T10:00:00+08:00")]))
    assert p.scalar("SELECT count(*) FROM billing.metering_samples"
                    " WHERE resource = 'M2-web9'") == "2"
    # only the vendor reports
    assert problems(p.call("bureau", "billing", "metering.report", {"samples": [good]})) \
        == {("forbidden", "type")}
    assert ok(p.call("admin", "billing", "sys.status"))


def candidates(p, actor="bureau"):
    return {c["app_id"]: c for c in ok(p.call(actor, "billing", "billing.idle"))["candidates"]}


def test_idle_system_listed_with_evidence_busy_not_R11_3(platform, metering):
    p = platform
    rollups_done(p)
    got = candidates(p)
    assert "M000002" not in got and "M000003" not in got
    idle = got["M000001"]
    assert idle["reason"] == "low" and idle["unit"] == "县教育局"
    ev = {e["resource"]: e for e in idle["resources"]}
    web = ev["M1-web1"]
    assert web["status"] == "low" and web["samples"] == 720 and web["days"] == 31
    assert float(web["cpu_p95"]) < 5 and float(web["mem_p95"]) < 20
    assert web["last_sample"] == "2026-03-01 11:00:00"
    assert idle["frees"]["lines"] == 3
    assert idle["frees"]["resources"]["hosts"][0]["count"] == 2
    # never reported, running since 2026-01-01: silent (14 days)
    assert got["M000004"]["reason"] == "silent" and got["M000004"]["resources"] == []
    # the CLI: a Chinese table; --json the same body
    out = p.cli("idle", actor="bureau").stdout
    assert "M000001" in out and "M1-web1" in out and "M000002" not in out
    assert "CPU" in out and "闲置" in out
    js = p.cli("idle", actor="auditor", json_out=True)
    assert {c["app_id"] for c in js["candidates"]} == set(got)
    # a unit does not see the candidates
    assert problems(p.call("edu", "billing", "billing.idle")) == {("forbidden", "type")}


def test_idle_rule_is_the_bureaus_data_R11_3(platform, metering):
    p = platform
    rule = ok(p.call("auditor", "billing", "idle.rule_get"))
    assert (rule["window_days"], rule["cpu_p95"], rule["mem_p95"], rule["silent_days"]) \
        == (30, 5, 20, 14)
    assert problems(p.call("edu", "billing", "idle.rule_set", {
        "window_days": 30, "cpu_p95": 50, "mem_p95": 50, "silent_days": 14})) \
        == {("forbidden", "type")}
    assert problems(p.call("bureau", "billing", "idle.rule_set", {
        "window_days": 0, "cpu_p95": 101, "mem_p95": 20, "silent_days": 14})) \
        == {("out_of_range", "body.window_days"), ("out_of_range", "body.cpu_p95")}
    # stricter: a p95 of 3 % is no longer below 2 %
    p.cli("idle-rule", "set", "--days", "30", "--cpu-p95", "2", "--mem-p95", "20",
          "--silent-days", "14", actor="bureau")
    assert "M000001" not in candidates(p)
    shown = p.cli("idle-rule", actor="bureau").stdout
    assert "2" in shown and "bureau" in shown
    # looser: the busy one too (p95 of CPU 78 % < 90 %, memory < 80 %)
    ok(p.call("bureau", "billing", "idle.rule_set", {
        "window_days": 30, "cpu_p95": 90, "mem_p95": 80, "silent_days": 14}))
    assert {"M000001", "M000002"} <= set(candidates(p))
    # audited: each change is an event with what it was before
    p.wait_until(lambda: len([e for e in ok(p.call(
        "auditor", "audit", "audit.events", {"limit": 1000}))["events"]
        if e["type"] == "idle.rule_set"]) == 2, what="idle.rule_set audited")
    ok(p.call("bureau", "billing", "idle.rule_set", {
        "window_days": 30, "cpu_p95": 5, "mem_p95": 20, "silent_days": 14}))


def test_vendor_sim_reports_the_systems_it_runs_R11_3(platform, metering):
    """yjc-vendor-sim --metering: samples of each host it delivered, every
    60 s of the clock; --idle-every 2: the second system stays idle."""
    from conftest import full_form
    p = platform
    apps = []
    for _ in range(2):
        app = ok(p.submit("edu", full_form()))["app_id"]
        p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
        ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
        ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
        apps.append(app)
    p.start_vendor("--metering", "60", "--idle-every", "2")
    try:
        for app in apps:
            p.wait_until(lambda: p.scalar(
                "SELECT count(*) FROM billing.metering_samples"
                f" WHERE app_id = '{app}'") != "0", what=f"samples of {app}")
    finally:
        p.kill("vendor-sim")
    rows = {a: p.sql("SELECT resource, at, cpu_pct, mem_pct FROM billing.metering_samples"
                     f" WHERE app_id = '{a}'") for a in apps}
    busy, idle = rows[apps[0]], rows[apps[1]]
    # one sample per host line of the grant, at the clock's minute
    assert {r[0].split("-")[0] for r in busy + idle} == {"vm"}
    assert all(r[1] == "2026-03-01 12:00:00+08" for r in busy + idle)
    assert max(int(r[2]) for r in idle) < 5 and min(int(r[2]) for r in busy) >= 5


def test_old_partitions_dropped_rollups_kept_R17(platform, metering):
    p = platform
    parts = lambda: {r[0] for r in p.sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'billing.metering_samples'::regclass")}
    january = p.scalar("SELECT count(*) FROM billing.metering_daily"
                       " WHERE day < '2026-02-01'")
    assert int(january) > 0
    # 13 months kept (default) before the current one: on 2027-03-15
    # January 2026 is past them, February 2026 not
    p.set_now("2027-03-15T09:00:00+08:00")
    p.wait_until(lambda: "metering_samples_2026_01" not in parts(), what="January dropped")
    assert "metering_samples_2026_02" in parts()
    assert "metering_samples_2027_04" in parts()      # made ahead
    assert p.scalar("SELECT count(*) FROM billing.metering_daily"
                    " WHERE day < '2026-02-01'") == january
    # and a sample in a dropped month is refused
    old = {"app_id": "M000002", "resource": "M2-web1", "at": "2026-01-20T10:00:00+08:00",
           "cpu_pct": 1, "mem_pct": 1, "disk_gb": 1, "bw_in_mbps": 1, "bw_out_mbps": 1}
    assert problems(report(p, [old])) == {("out_of_range", "body.samples[0].at")}
    # the setting: 1 month kept drops everything before February 2027
    p.kill("billing")
    p.env["YJC_METERING_KEEP_MONTHS"] = "1"
    try:
        p.start("billing")
        p.wait_until(lambda: not {n for n in parts() if n < "metering_samples_2027_02"},
                     what="months before 2027-02 dropped")
    finally:
        p.env.pop("YJC_METERING_KEEP_MONTHS")
    assert p.scalar("SELECT count(*) FROM billing.metering_daily"
                    " WHERE day < '2026-02-01'") == january


def test_billing_runtime_role_cannot_rewrite_samples(platform, metering):
    """Issue 12 (append-only tables, every service): billing's tables
    belong to yjc_billing_owner; the runtime role yjc_billing inserts
    samples (through the month partitions the owner's functions make)
    but cannot ALTER, UPDATE, DELETE or TRUNCATE them; what it must
    change (intervals, rollups, the idle rule) it may."""
    from test_audit_trail import as_runtime
    p = platform
    owners = p.sql("SELECT tablename, tableowner FROM pg_tables"
                   " WHERE schemaname = 'billing' ORDER BY 1")
    assert owners and all(o == "yjc_billing_owner" for _, o in owners), owners
    for sql in ("UPDATE billing.metering_samples SET cpu_pct = 0",
                "DELETE FROM billing.metering_samples",
                "TRUNCATE billing.metering_samples",
                "ALTER TABLE billing.metering_samples ADD COLUMN x int",
                "DROP TABLE billing.allocations",
                "DELETE FROM billing.charges",
                "UPDATE billing.price_lines SET production = 0",
                "ALTER TABLE billing.charges DISABLE TRIGGER USER",
                "CREATE TABLE billing.mine (x int)"):
        res = as_runtime(p, sql, "yjc_billing")
        assert res.returncode != 0, sql
        assert ("permission denied" in res.stderr
                or "must be owner" in res.stderr), (sql, res.stderr)
    assert as_runtime(p, "SELECT count(*) FROM billing.metering_samples",
                      "yjc_billing").returncode == 0
    # the partitions are the owner's too, made on the service's behalf
    parts = p.sql("SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_inherits i"
                  " JOIN pg_class c ON c.oid = i.inhrelid"
                  " WHERE i.inhparent = 'billing.metering_samples'::regclass")
    assert parts and all(o == "yjc_billing_owner" for _, o in parts), parts
