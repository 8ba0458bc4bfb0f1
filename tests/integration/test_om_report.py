"""R16 (issue 13): the vendor's quarterly O&M report is owed to EACH unit
with a system running in the quarter, by the end of the month after it;
a quarter without it is an overdue duty of the vendor, shown in
`yjcloud list --overdue` (obligation.overdue) and in compliance.report,
and closed when the vendor submits the report for that unit with the
utilization table it confirms or corrects line by line.

Running systems (the adapter's periods; R14 go-live days):
- R000101 县教育局, live since 2026-01-10;
- R000102 县卫生健康局, live from 2026-05-01 (not in 2026-Q1);
- R000103 县民政局, live 2025-06-01, terminated 2025-12-20 (owed
  2025-Q2..Q4, not 2026)."""
import hashlib
import json
import os
import subprocess

import msgpack
import pytest

from cli_text import table
from conftest import BIN, ROOT

RUNNING = [("R000101", "县教育局", "2026-01-10"), ("R000102", "县卫生健康局", "2026-05-01"),
           ("R000103", "县民政局", "2025-06-01")]


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def delivery(period, unit, content, lines=(), code="om_report"):
    data = content.encode()
    body = {"code": code, "period": period, "file_name": f"运维报告-{period}.pdf",
            "file": data, "sha256": hashlib.sha256(data).hexdigest()}
    if unit is not None:
        body["unit"] = unit
    if lines is not None:
        body["utilization"] = list(lines)
    return body


def submit(p, body):
    return p.call("vendor", "vendor", "obligation.submit", body)


def overdue(p, actor="bureau"):
    rows = ok(p.call(actor, "provisioning", "obligation.overdue", {}))["overdue"]
    return {(r["period"], r["unit"]) for r in rows if r["code"] == "om_report"}, rows


def om_rows(p, year=2026):
    rep = ok(p.call("bureau", "provisioning", "compliance.report", {"year": year}))
    return {(r["period"], r["unit"]): r for r in rep["obligations"] if r["code"] == "om_report"}


@pytest.fixture(scope="module")
def clock(platform):
    p = platform
    p.stop_all()
    p.set_now("2026-04-20T10:00:00+08:00")
    p.start_all()
    res = "\\x" + msgpack.packb({"network": {"access": "extranet_only"}}).hex()
    for app, unit, live in RUNNING:
        p.sql("INSERT INTO provisioning.periods (app_id, unit, months, days, on_expiry,"
              f" started_on) VALUES ('{app}', '{unit}', 12, 0, '过期顺延', '{live}')")
        p.sql("INSERT INTO provisioning.apps (app_id, unit, state, resources_mp, updated_at)"
              f" VALUES ('{app}', '{unit}', 'production', '{res}'::bytea, now())")
    p.sql("INSERT INTO provisioning.retention (app_id, terminated_at, rule)"
          " VALUES ('R000103', '2025-12-20 10:00+08', 'R13.2')")
    return p


def test_1_owed_per_running_unit_not_due_then_overdue_R16(clock):
    p = clock
    rows = om_rows(p)
    # 2026-Q1: only 县教育局 ran; due at the end of April
    assert [k for k in rows if k[0] == "2026-Q1"] == [("2026-Q1", "县教育局")]
    q1 = rows[("2026-Q1", "县教育局")]
    assert (q1["status"], q1["due"]) == ("not_due", "2026-04-30")
    assert {k[1] for k in rows if k[0] == "2026-Q2"} == {"县教育局", "县卫生健康局"}
    # the terminated system's unit is owed the quarters it ran, 2025
    assert set(om_rows(p, 2025)) == {("2025-Q2", "县民政局"), ("2025-Q3", "县民政局"),
                                     ("2025-Q4", "县民政局")}
    late, _ = overdue(p)
    assert late == {("2025-Q2", "县民政局"), ("2025-Q3", "县民政局"), ("2025-Q4", "县民政局")}
    # the due day passes: 2026-Q1 of 县教育局 is overdue, the vendor's
    p.set_now("2026-05-07T10:00:00+08:00")
    late, rows = overdue(p)
    assert ("2026-Q1", "县教育局") in late and len(late) == 4
    row = [r for r in rows if r["period"] == "2026-Q1"][0]
    assert (row["owed_by"], row["due"]) == ("vendor", "2026-04-30")
    assert row["late_workdays"] > 0 and row["rule"].startswith("R16")
    c = om_rows(p)[("2026-Q1", "县教育局")]
    assert (c["status"], c["late_workdays"]) == ("missing", row["late_workdays"])
    # a unit sees its own duty only
    assert overdue(p, "edu")[0] == {("2026-Q1", "县教育局")}
    assert overdue(p, "health")[0] == set()
    # list --overdue: the vendor's duty beside the other overdue steps
    listed = table(p.cli("list", "--overdue", actor="bureau").stdout.splitlines())
    mine = [r for r in listed if r["申请编号"] == "2026-Q1"]
    assert [(r["应办事项"], r["谁办"], r["办理期限"], r["单位"]) for r in mine] == [
        ("季度运维报告", "供应商", "2026-04-30", "县教育局")], listed
    js = p.cli("list", "--overdue", actor="edu", json_out=True)
    assert [(r["period"], r["unit"]) for r in js["obligations"]] == [("2026-Q1", "县教育局")]
    # compliance shows the unit
    text = p.cli("compliance", "--year", "2026", actor="bureau").stdout
    assert "县教育局" in text and "缺失" in text


def test_2_report_refused_without_unit_or_table_R16(clock):
    p = clock
    def err(body):
        r = submit(p, body)
        assert not r["ok"], r
        return r["error"]["code"], r["error"]["field"]
    assert err(delivery("2026-Q1", None, "x")) == ("missing_field", "body.unit")
    assert err(delivery("2026-Q1", "县教育局", "x", lines=None)) == (
        "missing_field", "body.utilization")
    bad = [{"app_id": "R000101", "resource": "vm-a-1", "confirmed": False}]
    assert err(delivery("2026-Q1", "县教育局", "x", lines=bad)) == (
        "missing_field", "body.utilization[0].cpu_p95")
    assert err(delivery("2026-04", "县教育局", "x", lines=None,
                        code="security_risk_report")) == ("invalid_value", "body.unit")
    assert p.scalar("SELECT count(*) FROM provisioning.obligation_submissions") == "0"


def test_3_submitted_report_closes_the_duty_R16(clock):
    p = clock
    lines = [{"app_id": "R000101", "resource": "vm-a-1", "confirmed": True},
             {"app_id": "R000101", "resource": "vm-a-2", "confirmed": False,
              "cpu_p95": 35, "note": "采集器 3 月故障，按运维记录更正"}]
    got = ok(submit(p, delivery("2026-Q1", "县教育局", "教育局 2026-Q1 运维报告", lines)))
    assert (got["unit"], got["due"], got["version"]) == ("县教育局", "2026-04-30", 1)
    assert got["late_workdays"] > 0
    assert ("2026-Q1", "县教育局") not in overdue(p)[0]
    assert ("2026-Q1", "县教育局") not in overdue(p, "edu")[0]
    row = om_rows(p)[("2026-Q1", "县教育局")]
    assert (row["status"], row["submission_id"]) == ("late", got["submission_id"])
    stored = p.sql("SELECT unit, utilization->1->>'cpu_p95', utilization->0->>'confirmed'"
                   " FROM provisioning.obligation_submissions")
    assert stored == [["县教育局", "35", "true"]]
    # the same file and table again: the same delivery
    again = ok(submit(p, delivery("2026-Q1", "县教育局", "教育局 2026-Q1 运维报告", lines)))
    assert again["duplicate"] and again["submission_id"] == got["submission_id"]
    # the same file for another unit is that unit's own delivery
    other = ok(submit(p, delivery("2025-Q4", "县民政局", "教育局 2026-Q1 运维报告", [])))
    assert (other["version"], other["duplicate"]) == (1, False)
    assert ("2025-Q4", "县民政局") not in overdue(p)[0]
    assert p.cli("list", "--overdue", actor="edu").stdout.count("季度运维报告") == 0


def test_4_vendor_sim_delivers_to_each_unit_with_its_table_R16(clock):
    """yjc-vendor-sim --obligations 2026: each unit owed a begun quarter
    gets its report, with billing's utilization lines confirmed."""
    p = clock
    res = "\\x" + msgpack.packb({"network": {"access": "extranet_only"},
                                 "hosts": [{"cpu_mem": "4c8g", "os": "centos6",
                                            "database": "none", "count": 1,
                                            "purpose": "Web"}]}).hex()
    built = "\\x" + msgpack.packb([{"kind": "host", "ref": "vm-a-1", "detail": "x"}]).hex()
    p.sql("INSERT INTO billing.allocations (app_id, unit, order_id, stage, resources,"
          " resources_mp, built_mp, lines, valid_from) VALUES ('R000101', '县教育局',"
          f" 'O9', 'production', '{{}}', '{res}'::bytea, '{built}'::bytea, 1,"
          " '2026-01-10 00:00+08')")
    ok(p.call("vendor", "billing", "metering.report", {"samples": [
        {"app_id": "R000101", "resource": "vm-a-1", "at": f"2026-02-0{d}T10:00:00+08:00",
         "cpu_pct": 5, "mem_pct": 30, "disk_gb": 10, "bw_in_mbps": 1, "bw_out_mbps": 1}
        for d in range(1, 6)]}))
    res = subprocess.run([os.path.join(BIN, "yjc-vendor-sim"), "--as", "vendor",
                          "--obligations", "2026"], env=p.env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    rows = om_rows(p)
    delivered = {k for k, r in rows.items() if r["submission_id"]}
    assert delivered == {("2026-Q1", "县教育局"), ("2026-Q2", "县教育局"),
                         ("2026-Q2", "县卫生健康局")}
    assert rows[("2026-Q1", "县教育局")]["version"] == 2
    table_ = p.scalar("SELECT utilization::text FROM provisioning.obligation_submissions"
                      " WHERE period = '2026-Q1' AND unit = '县教育局'"
                      " AND replaced_by IS NULL")
    assert json.loads(table_) == [{"app_id": "R000101", "resource": "vm-a-1",
                                   "confirmed": True}]
    assert overdue(p, "edu")[0] == set()
