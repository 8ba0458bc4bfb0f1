"""R16, R21: the vendor's recurring obligations (proto/yjc_obligations.def)
delivered through its endpoint, and `yjcloud compliance --year Y`: each
obligation's periods on time, late by N working days (the calendar in
force, across a holiday) or missing; and the SLA of the deadline rules
(R9.1 …): steps, on time, late, median and worst lateness, who owed them.

The clock walks forward through 2025 into 2026 (module-ordered tests):
- 2025-09-01 (Mon) two applications; one accepted on time, one 2 working
  days late (R9.1: due Thu 09-04, accepted Mon 09-08);
- the monthly security-risk report (R21) for 2025-08 delivered on time
  (due 5 working days after 08-31: Fri 09-05), the one for 2025-09 never
  (due Tue 10-14, after National Day): missing;
- the quarterly O&M report (R16) for 2025-Q3, owed to each unit (here
  县卫生健康局), delivered on Tue 10-21 before its due day (the end of
  the month after the quarter: Fri 10-31), then replaced by a second
  version on Mon 11-03, 1 working day late, the first kept;
- the 2025-H2 drill (R21) held Mon 2026-01-05: after the half-year (due
  12-31), 2 working days late (元旦 01-01..03 off, Sun 01-04 worked)."""
import csv
import hashlib
import io
import os
import subprocess

import pytest

from cli_text import table
from conftest import BIN, ROOT, minimal_form

T0 = "2025-09-01T09:00:00+08:00"   # a Monday


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def delivery(code, period, content, **extra):
    data = content.encode()
    body = {"code": code, "period": period, "file_name": f"{code}-{period}.pdf",
            "file": data, "sha256": hashlib.sha256(data).hexdigest()}
    body.update(extra)
    return body


def submit(p, body, actor="vendor"):
    return p.call(actor, "vendor", "obligation.submit", body)


def report(p, year=2025):
    return ok(p.call("bureau", "provisioning", "compliance.report", {"year": year}))


def period_of(rep, code, period):
    rows = [r for r in rep["obligations"] if (r["code"], r["period"]) == (code, period)]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture(scope="module")
def clock(platform):
    platform.stop_all()
    platform.set_now(T0)
    platform.start_all()
    return platform


def test_1_sla_counts_on_time_and_late_acceptance(clock):
    """R9.1 acceptance within 3 working days: one on time, one 2 late."""
    p = clock
    apps = [ok(p.submit("health", minimal_form()))["app_id"] for _ in range(2)]
    for app in apps:
        p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
        assert ok(p.call("bureau", "review", "review.get", {"app_id": app}))["accept_due"] == "2025-09-04"
    p.set_now("2025-09-02T10:00:00+08:00")
    ok(p.call("bureau", "review", "review.accept", {"app_id": apps[0]}))
    p.set_now("2025-09-08T10:00:00+08:00")           # Fri 09-05, Mon 09-08
    ok(p.call("bureau", "review", "review.accept", {"app_id": apps[1]}))
    sla = {r["what"]: r for r in ok(p.call("auditor", "review", "review.sla",
                                            {"year": 2025}))["sla"]}
    acc = sla["accept"]
    assert (acc["steps"], acc["on_time"], acc["late"], acc["open"]) == (2, 1, 1, 0)
    assert (acc["median_late"], acc["worst_late"]) == (2, 2)
    assert acc["owed_by"] == "bureau" and acc["rule"].startswith("R9.1")
    # R9.2: both decisions still within their 5 working days: not counted
    assert "decide" not in sla


def test_2_monthly_report_on_time_and_a_unit_cannot_submit(clock):
    """R21: the monthly security-risk report; only the vendor delivers."""
    p = clock
    p.set_now("2025-09-08T11:00:00+08:00")
    body = delivery("security_risk_report", "2025-08", "八月安全风险报告")
    # a unit may not deliver the vendor's obligations
    reply = submit(p, body, actor="edu")
    assert not reply["ok"] and reply["error"]["code"] == "forbidden"
    assert p.scalar("SELECT count(*) FROM provisioning.obligation_submissions") == "0"
    # due 5 working days after Sun 08-31: Fri 09-05; delivered Mon 09-08
    got = ok(submit(p, body))
    assert (got["due"], got["late_workdays"], got["version"]) == ("2025-09-05", 1, 1)
    # a wrong checksum, a period of another kind, a drill without its facts
    bad = dict(body, sha256="0" * 64)
    assert submit(p, bad)["error"]["code"] == "invalid_value"
    assert submit(p, delivery("security_risk_report", "2025-Q3", "x"))["error"]["field"] == "body.period"
    assert submit(p, delivery("emergency_drill", "2025-H2", "x"))["error"]["field"] == "body.drill"
    assert submit(p, delivery("om_report", "2025-Q4", "x"))["error"]["code"] == "out_of_range"


OM = {"unit": "县卫生健康局", "utilization": []}


def test_3_quarterly_report_on_time_then_replaced_keeps_history(clock):
    """R16: the O&M report for Q3 owed to a unit, due at the end of the
    month after the quarter (Fri 2025-10-31)."""
    p = clock
    p.set_now("2025-10-21T23:00:00+08:00")
    first = ok(submit(p, delivery("om_report", "2025-Q3", "资源使用表、运维报告、优化建议 v1", **OM)))
    assert (first["due"], first["late_workdays"], first["version"]) == ("2025-10-31", 0, 1)
    assert first["unit"] == "县卫生健康局"
    # the same file again: the same delivery, nothing new
    again = ok(submit(p, delivery("om_report", "2025-Q3", "资源使用表、运维报告、优化建议 v1", **OM)))
    assert again["duplicate"] and again["submission_id"] == first["submission_id"]
    p.set_now("2025-11-03T09:00:00+08:00")
    second = ok(submit(p, delivery("om_report", "2025-Q3", "v2 更正", **OM)))
    assert second["version"] == 2 and second["late_workdays"] == 1
    rows = p.sql("SELECT version, replaced_by IS NULL FROM provisioning.obligation_submissions"
                 " WHERE code = 'om_report' AND period = '2025-Q3' ORDER BY version")
    assert rows == [["1", "f"], ["2", "t"]]           # history kept
    # the bureau hears of each delivery (inbox): 2025-08, Q3 v1, Q3 v2
    def delivered():
        return [n for n in ok(p.call("bureau", "audit", "inbox.list",
                                     {"limit": 500}))["notifications"]
                if n["type"] == "obligation.submitted"]
    p.wait_until(lambda: len(delivered()) == 3, what="deliveries in the inbox")
    assert {n["title"] for n in delivered()} == {"供应商已提交履约材料"}


def test_4_late_drill_and_missing_report_in_compliance(clock):
    """R21: the 2025-H2 drill held 2026-01-05 is 2 working days late
    (元旦); the 2025-09 risk report never came: missing."""
    p = clock
    p.set_now("2026-01-06T10:00:00+08:00")
    # the on-time first version of Q3 was replaced by a late one: the
    # version in force is what counts
    drill = {"date": "2026-01-05", "scenario": "机房断电切换", "outcome": "30 分钟内恢复"}
    got = ok(submit(p, delivery("emergency_drill", "2025-H2", "演练记录", drill=drill)))
    assert (got["due"], got["late_workdays"]) == ("2025-12-31", 2)
    rep = report(p)
    assert period_of(rep, "security_risk_report", "2025-08")["status"] == "late"
    sep = period_of(rep, "security_risk_report", "2025-09")
    assert (sep["status"], sep["due"], sep["submission_id"]) == ("missing", "2025-10-14", None)
    q3 = period_of(rep, "om_report", "2025-Q3")
    assert (q3["status"], q3["version"]) == ("late", 2)
    h2 = period_of(rep, "emergency_drill", "2025-H2")
    assert (h2["status"], h2["late_workdays"], h2["drill_date"]) == ("late", 2, "2026-01-05")
    assert period_of(rep, "emergency_drill", "2025-H1")["status"] == "missing"
    # R16: the O&M report is owed per unit: only 县卫生健康局's Q3 row
    # (no system went live in this module)
    assert len(rep["obligations"]) == 12 + 2 + 1
    assert q3["unit"] == "县卫生健康局"
    # the CLI: text (Chinese, aligned), --json (both services' SLA), --csv
    text = p.cli("compliance", "--year", "2025", actor="bureau").stdout
    assert "安全风险报告" in text and "缺失" in text and "逾期 2 个工作日" in text
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("履约事项  "))
    rows = table(lines[start:lines.index("", start)])      # aligned columns
    by_period = {(r["履约事项"], r["期间"]): r for r in rows}
    assert by_period[("应急演练", "2025-H2")]["情况"] == "逾期 2 个工作日"
    assert by_period[("安全风险报告", "2025-09")]["情况"].startswith("缺失")
    assert by_period[("季度运维报告", "2025-Q3")]["提交"].endswith("（第 2 版）")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("期限规则  "))
    sla = {r["期限规则"]: r for r in table(lines[start:])}
    assert (sla["受理"]["办理方"], sla["受理"]["步数"], sla["受理"]["逾期"],
            sla["受理"]["最长逾期"]) == ("主管部门", "2", "1", "2")
    out = p.cli("compliance", "--year", "2025", actor="auditor", json_out=True)
    assert {"accept"} <= {r["what"] for r in out["sla"]}
    assert period_of(out, "emergency_drill", "2025-H2")["late_workdays"] == 2
    blocks = p.cli("compliance", "--year", "2025", "--csv", actor="bureau").stdout.split("\n\n")
    rows = list(csv.DictReader(io.StringIO(blocks[0])))
    assert {(r["period"], r["status"]) for r in rows if r["code"] == "emergency_drill"} == {
        ("2025-H1", "missing"), ("2025-H2", "late")}
    sla = list(csv.DictReader(io.StringIO(blocks[1])))
    acc = [r for r in sla if r["what"] == "accept"][0]
    assert (acc["steps"], acc["on_time"], acc["late"], acc["worst_late"]) == ("2", "1", "1", "2")
    # a unit does not see the vendor's compliance
    assert not p.call("edu", "provisioning", "compliance.report", {"year": 2025})["ok"]


def test_5_vendor_sim_delivers_the_begun_periods(clock):
    """yjc-vendor-sim --obligations 2026 on 2026-01-06: the January report
    and the H1 drill (held today), nothing of later periods, no O&M report
    (R16: no unit has a running system here; test_om_report covers it);
    a second run is the same deliveries (R16, R21)."""
    p = clock
    for _ in range(2):
        res = subprocess.run([os.path.join(BIN, "yjc-vendor-sim"), "--as", "vendor",
                              "--obligations", "2026"], env=p.env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr
    rep = report(p, 2026)
    done = {(r["code"], r["period"]): r for r in rep["obligations"] if r["submission_id"]}
    assert set(done) == {("security_risk_report", "2026-01"),
                         ("emergency_drill", "2026-H1")}
    assert all(r["status"] == "on_time" and r["version"] == 1 for r in done.values())
    assert done[("emergency_drill", "2026-H1")]["drill_date"] == "2026-01-06"
    assert period_of(rep, "security_risk_report", "2026-02")["status"] == "not_due"
