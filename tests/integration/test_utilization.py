"""R16: the quarterly utilization table (billing.utilization, `yjcloud
utilization APP|UNIT --quarter Q`): per application and resource the
allocated configuration against CPU/memory p50/p95/max computed here from
the very samples sent, disk and bandwidth maxima, days without samples,
the advice of proto/yjc_advice.def, from the raw samples while kept and
from the daily rollups once the quarter is older than the raw samples
kept (YJC_METERING_KEEP_MONTHS); a unit sees its
own only."""
import datetime as dt
import math

import msgpack
import pytest

SH = dt.timezone(dt.timedelta(hours=8))
NOW = "2027-04-10T12:00:00+08:00"
Q1 = [dt.date(2027, 1, 1) + dt.timedelta(days=i) for i in range(90)]
SILENT = set(Q1[40:50])            # 10 days the vendor sent nothing for vm-a-1


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def percentile_cont(values, q):
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def samples(app, resource, days, cpu, mem):
    """One sample every 3 hours of each day in `days`."""
    out = []
    for d in days:
        for h in range(0, 24, 3):
            i = len(out)
            t = dt.datetime(d.year, d.month, d.day, h, tzinfo=SH)
            out.append({"app_id": app, "resource": resource, "at": t.isoformat(),
                        "cpu_pct": cpu(i), "mem_pct": mem(i), "disk_gb": 50 + i % 9,
                        "bw_in_mbps": i % 7, "bw_out_mbps": i % 5})
    return out


def allocate(p, app, unit, hosts, refs, frm="2027-01-01"):
    resources = {"network": {"access": "extranet_only", "dedicated_mbps": 10},
                 "hosts": [{"cpu_mem": c, "os": "centos6", "database": "none",
                            "count": n, "purpose": "Web"} for c, n in hosts],
                 "storage_tb": 1}
    built = [{"kind": "host", "ref": r, "detail": "x"} for r in refs]
    mp = "\\x" + msgpack.packb(resources).hex()
    bmp = "\\x" + msgpack.packb(built).hex()
    p.sql("INSERT INTO billing.allocations (app_id, unit, order_id, stage, resources,"
          " resources_mp, built_mp, lines, valid_from) VALUES"
          f" ('{app}', '{unit}', 'O{app}', 'production', '{{}}', '{mp}'::bytea,"
          f" '{bmp}'::bytea, 3, '{frm} 00:00+08')")


@pytest.fixture(scope="module")
def usage(platform):
    p = platform
    p.stop_all()
    p.set_now(NOW)
    p.start_all()
    allocate(p, "U000001", "县教育局", [("4c8g", 2), ("2c4g", 1)], ["vm-a-1", "vm-a-2"])
    allocate(p, "U000002", "县卫生健康局", [("6c12g", 1)], ["vm-b-1"])
    got = {
        "a1": samples("U000001", "vm-a-1", [d for d in Q1 if d not in SILENT],
                      lambda i: 1 + i % 5, lambda i: 30 + i % 11),
        "a2": samples("U000001", "vm-a-2", Q1, lambda i: 20 + i % 30, lambda i: 40 + i % 20),
        "b1": samples("U000002", "vm-b-1", Q1, lambda i: 82 + i % 17, lambda i: 50 + i % 9),
    }
    for batch in got.values():
        ok(p.call("vendor", "billing", "metering.report", {"samples": batch},
                  timeout_ms=30000))
    return got


def table(p, actor="bureau", **body):
    return ok(p.call(actor, "billing", "billing.utilization", dict(quarter="2027Q1", **body)))


def lines_of(rep, app):
    apps = {a["app_id"]: a for a in rep["apps"]}
    return apps[app], {ln["resource"]: ln for ln in apps[app]["lines"]}


def test_figures_from_samples_and_advice_R16(platform, usage):
    p = platform
    rep = table(p, app_id="U000001")
    assert (rep["quarter"], rep["from"], rep["to"]) == ("2027Q1", "2027-01-01", "2027-03-31")
    app, lines = lines_of(rep, "U000001")
    assert app["unit"] == "县教育局"
    assert app["allocated_zh"] == "2×4核/8G、1×2核/4G、存储 1TB、带宽 10Mbps"
    a1 = lines["vm-a-1"]
    cpu = [s["cpu_pct"] for s in usage["a1"]]
    mem = [s["mem_pct"] for s in usage["a1"]]
    assert a1["cpu"] == pytest.approx({"p50": round(percentile_cont(cpu, .5), 1),
                                       "p95": round(percentile_cont(cpu, .95), 1),
                                       "max": max(cpu)}, abs=0.051)
    assert a1["mem"] == pytest.approx({"p50": round(percentile_cont(mem, .5), 1),
                                       "p95": round(percentile_cont(mem, .95), 1),
                                       "max": max(mem)}, abs=0.051)
    assert (a1["allocated"], a1["allocated_zh"]) == ("4c8g", "4核/8G")
    assert a1["disk_gb_max"] == max(s["disk_gb"] for s in usage["a1"])
    assert (a1["bw_in_max"], a1["bw_out_max"]) == (6, 4)
    assert (a1["days"], a1["days_without_samples"], a1["source"]) == (90, 10, "samples")
    assert len(a1["series"]) == 80 and a1["series"][0]["day"] == "2027-01-01"
    day1 = [s["cpu_pct"] for s in usage["a1"][:8]]
    assert a1["series"][0]["cpu_p95"] == pytest.approx(percentile_cont(day1, .95), abs=0.051)
    assert lines["vm-a-2"]["days_without_samples"] == 0
    assert lines["vm-a-2"]["allocated"] == "2c4g"
    # R16 advice as data: CPU p95 below 10 % for the quarter steps 4核/8G down
    assert app["advice"] == [{"resource": "vm-a-1", "rule": "cpu_low",
                              "text_zh": "CPU p95 季度内低于 10%：4核/8G → 2核/4G"}]
    _, busy = lines_of(table(p, unit="县卫生健康局"), "U000002")
    health = table(p, unit="县卫生健康局")["apps"][0]
    assert [a["rule"] for a in health["advice"]] == ["cpu_high"]
    assert "6核/12G → 8核/16G" in health["advice"][0]["text_zh"]
    assert busy["vm-b-1"]["cpu"]["max"] == 98


def test_unit_sees_its_own_only_R16(platform, usage):
    p = platform
    rep = table(p, actor="edu")                     # no filter: its own unit
    assert [a["app_id"] for a in rep["apps"]] == ["U000001"]
    assert [a["app_id"] for a in table(p, actor="edu", unit="县教育局")["apps"]] == ["U000001"]
    r = p.call("edu", "billing", "billing.utilization", {"quarter": "2027Q1", "app_id": "U000002"})
    assert (r["ok"], r["error"]["code"], r["error"]["field"]) == (False, "not_found", "body.app_id")
    r = p.call("edu", "billing", "billing.utilization", {"quarter": "2027Q1", "unit": "县卫生健康局"})
    assert (r["ok"], r["error"]["code"]) == (False, "forbidden")
    r = p.call("bureau", "billing", "billing.utilization", {"quarter": "2027Q5"})
    assert (r["error"]["code"], r["error"]["field"]) == ("invalid_value", "body.quarter")
    # the vendor reads the table it confirms (R16); the quarter before: none
    assert len(table(p, actor="vendor")["apps"]) == 2
    assert ok(p.call("bureau", "billing", "billing.utilization", {"quarter": "2026Q4"}))["apps"] == []


def test_cli_text_and_json_R16(platform, usage):
    p = platform
    out = p.cli("utilization", "U000001", "--quarter", "2027Q1", actor="edu").stdout
    assert "2027Q1 资源使用情况（2027-01-01 至 2027-03-31" in out
    assert "vm-a-1" in out and "4核/8G" in out and "原始采样" in out
    assert "CPU p95 季度内低于 10%：4核/8G → 2核/4G" in out
    js = p.cli("utilization", "县卫生健康局", "--quarter", "2027Q1", actor="bureau",
               json_out=True)
    assert [a["app_id"] for a in js["apps"]] == ["U000002"]
    bad = p.cli("utilization", "U000001", actor="edu", check=False)
    assert bad.returncode == 2 and "--quarter" in bad.stderr


def test_pdf_from_the_live_table_R16(platform, usage, tmp_path):
    """The quarterly report as a PDF page per system, from billing's own
    table: the system, the resources, the advice, a chart per host."""
    import re
    import subprocess
    p = platform
    out = tmp_path / "u1.pdf"
    res = p.cli("utilization", "U000001", "--quarter", "2027Q1", "--pdf", str(out),
                actor="edu")
    assert res.returncode == 0 and out.exists(), res.stderr
    flat = re.sub(r"\s+", "", subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
        check=True).stdout)
    assert "U000001" in flat and "vm-a-1" in flat and "vm-a-2" in flat
    assert "CPUp95季度内低于10%：4核/8G→2核/4G" in flat, flat[:600]


def test_daily_rollups_once_samples_dropped_R16(platform, usage):
    p = platform
    p.wait_until(lambda: p.scalar("SELECT count(*) FROM billing.metering_dirty") == "0",
                 what="rollups recomputed")
    before = lines_of(table(p, app_id="U000001"), "U000001")[1]["vm-a-1"]
    # 2028-05: 2027-01 is older than the 13 months of raw samples kept
    p.set_now("2028-05-10T12:00:00+08:00")
    app, lines = lines_of(table(p, app_id="U000001"), "U000001")
    a1 = lines["vm-a-1"]
    assert a1["source"] == "daily"
    # maxima and days are exact from the rollups; percentiles approximate
    assert (a1["cpu"]["max"], a1["mem"]["max"], a1["disk_gb_max"]) == (
        before["cpu"]["max"], before["mem"]["max"], before["disk_gb_max"])
    assert (a1["days"], a1["days_without_samples"]) == (90, 10)
    assert a1["series"] == before["series"]
    assert [a["rule"] for a in app["advice"]] == ["cpu_low"]
