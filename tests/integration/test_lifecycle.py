"""After approval (R7, R10-R13, time rules): test environment, extension,
go-live with and without the level-3 report, change, emergency change with
the paperwork owed then filed, termination, and the purge 3 months later,
with the clock moved by YJC_NOW_FILE.  The vendor is yjc-vendor-sim,
reporting every result twice (--duplicate): nothing may be doubled."""
import copy
import json
import os
import signal
import time

import pytest

from cli_text import table
from conftest import full_form, minimal_form

T0 = "2025-09-01T09:00:00+08:00"   # a Monday; National Day is a month away


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def error_of(reply):
    assert not reply["ok"], reply
    problems = reply["error"].get("details") or [reply["error"]]
    return {(p["code"], p["field"]) for p in problems}


@pytest.fixture(scope="module")
def life(platform):
    platform.stop_all()
    platform.set_now(T0)
    platform.start_all()
    platform.start_vendor("--duplicate")
    return {}


def intake_state(p, app):
    return ok(p.call("edu", "intake", "application.get", {"app_id": app}))["state"]


def review(p, app):
    return ok(p.call("bureau", "review", "review.get", {"app_id": app}))


def duty(p, app, what):
    return [d for d in review(p, app)["duties"] if d["what"] == what]


def allocations(p, app):
    return ok(p.call("bureau", "billing", "billing.allocations",
                     {"app_id": app}))["allocations"]


def orders_of(p, app):
    return p.sql(f"SELECT kind, state, coalesce(due::text, ''), order_id "
                 f"FROM provisioning.orders WHERE app_id = '{app}' ORDER BY order_id")


def approve_request(p, req, **extra):
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.requests WHERE request_id = '{req}'") == "1",
        what="review has the request")
    return ok(p.call("bureau", "review", "request.approve",
                     dict({"request_id": req, "opinion": "同意"}, **extra)))


def test_1_test_environment_and_its_period(platform, life):
    p = platform
    app = ok(p.submit("edu", full_form()))["app_id"]
    life["app"] = app
    p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
    p.wait_until(lambda: intake_state(p, app) == "testing", what="testing")
    # R10.1: the vendor's deadline, 3 working days after the approval
    assert orders_of(p, app)[0][:3] == ["test_env", "done", "2025-09-04"]
    # R10.2: 15 days from delivery (2025-09-01) end 2025-09-16
    p.wait_until(lambda: duty(p, app, "test_end"), what="test period")
    d = duty(p, app, "test_end")[0]
    assert (d["due"], d["owed_by"], d["closed"]) == ("2025-09-16", "unit", "false")
    assert "R10.2" in d["rule"]
    assert [a["stage"] for a in allocations(p, app)] == ["test"]


def test_2_extension_moves_the_end_of_the_test(platform, life):
    p, app = platform, life["app"]
    assert ("out_of_range", "body.until") in error_of(p.call(
        "edu", "intake", "request.extend_test",
        {"app_id": app, "until": "2025-08-01", "reason": "x"}))
    req = ok(p.call("edu", "intake", "request.extend_test",
                    {"app_id": app, "until": "2025-09-30", "reason": "联调未完成"}))
    approve_request(p, req["request_id"])
    d = duty(p, app, "test_end")[0]
    assert d["due"] == "2025-09-30" and "延长" in d["rule"]
    # decided once: a second decision is refused, naming the state
    again = p.call("bureau", "review", "request.approve",
                   {"request_id": req["request_id"]})
    assert ("invalid_state", "body.request_id") in error_of(again)


def test_3_go_live_needs_the_level3_report(platform, life):
    p, app = platform, life["app"]
    results = {"function": "通过", "performance": "峰值 500 并发", "security": "无高危漏洞"}
    # R10.3: the full form is MLPS level 3: without the report, incomplete
    assert ("incomplete", "body.test_report") in error_of(p.call(
        "edu", "intake", "request.go_live", {"app_id": app, "results": results}))
    assert ("not_found", "body.test_report.att_id") in error_of(p.call(
        "edu", "intake", "request.go_live", {
            "app_id": app, "results": results,
            "test_report": {"lab": "某实验室", "cnas_no": "CNAS L1", "att_id": "F999999"}}))
    report = ok(p.upload("edu", b"%PDF third-party acceptance report",
                         name="测评报告.pdf"))["att_id"]
    req = ok(p.call("edu", "intake", "request.go_live", {
        "app_id": app, "results": results,
        "test_report": {"lab": "浙江省信息安全测评中心", "cnas_no": "CNAS L1234",
                        "att_id": report}}))
    approve_request(p, req["request_id"])
    p.wait_until(lambda: intake_state(p, app) == "production", what="production")
    # R11.1: the test environment became production: billing closed the
    # test interval and opened production, never overwriting
    alloc = allocations(p, app)
    assert [a["stage"] for a in alloc] == ["test", "production"]
    assert alloc[0]["to"] and not alloc[1]["to"]
    assert duty(p, app, "test_end")[0]["closed"] == "true"
    # R14.1: the usage period starts at the conversion, as long as asked
    # (the form: 2027-01-01 to 2029-12-31, 36 months)
    got = ok(p.call("edu", "intake", "application.get", {"app_id": app}))
    assert (got["usage_from"], got["usage_months"]) == ("2025-09-01", 36)
    shown = p.cli("show", app, actor="edu").stdout
    assert "使用期限   自 2025-09-01" in shown and "36 个月" in shown
    # the report is a material of the application now
    kinds = [m["kind"] for m in ok(p.call("bureau", "intake", "application.get",
                                          {"app_id": app}))["materials"]]
    assert "test_report" in kinds


def test_4_go_live_without_report_for_level2(platform, life):
    p = platform
    app = ok(p.submit("health", minimal_form()))["app_id"]   # MLPS level 2
    p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
    p.wait_until(lambda: ok(p.call("health", "intake", "application.get",
                                   {"app_id": app}))["state"] == "testing")
    req = ok(p.call("health", "intake", "request.go_live", {
        "app_id": app, "results": {"function": "通过", "performance": "通过",
                                   "security": "通过"}}))
    assert req["kind"] == "go_live"
    life["app2"] = app


def test_5_change_reviewed_in_5_workdays_and_trimmed(platform, life):
    p, app = platform, life["app"]
    p.set_now("2025-09-02T10:00:00+08:00")
    wanted = copy.deepcopy(full_form()["resources"])
    wanted["network"]["dedicated_mbps"] = 25
    # the form's rules hold for a change too (2 Mbps steps)
    assert ("invalid_value", "body.resources.network.dedicated_mbps") in error_of(
        p.call("edu", "intake", "request.change",
               {"app_id": app, "resources": wanted, "reason": "x"}))
    wanted["network"]["dedicated_mbps"] = 20
    wanted["storage_tb"] = 4
    req = ok(p.call("edu", "intake", "request.change",
                    {"app_id": app, "resources": wanted, "reason": "学籍数据增长"}))
    p.wait_until(lambda: [x for x in duty(p, app, "decide_change")
                          if x["ref"] == req["request_id"]], what="review deadline")
    d = [x for x in duty(p, app, "decide_change") if x["ref"] == req["request_id"]][0]
    # R12.1: 5 working days from 2025-09-02
    assert (d["due"], d["owed_by"]) == ("2025-09-09", "bureau")
    # R12.2: the bureau rules it major: without the R8 materials it cannot
    # be approved
    major = p.call("bureau", "review", "request.approve",
                   {"request_id": req["request_id"], "major": True})
    assert ("incomplete", "body.major") in error_of(major)
    # a change the unit marks major carries the materials the form requires
    refused = p.call("edu", "intake", "request.change", {
        "app_id": app, "resources": wanted, "reason": "x", "major": True})
    assert ("incomplete", "body.attachments") in error_of(refused)
    assert ok(p.call("edu", "intake", "request.change", {
        "app_id": app, "resources": wanted, "reason": "重大变更", "major": True,
        "attachments": p.materials("edu")}))["kind"] == "change"
    granted = copy.deepcopy(wanted)
    granted["storage_tb"] = 3
    too_much = copy.deepcopy(wanted)
    too_much["storage_tb"] = 9
    refused = p.call("bureau", "review", "request.approve",
                     {"request_id": req["request_id"], "granted": too_much})
    assert ("out_of_range", "body.granted.storage_tb") in error_of(refused)
    approve_request(p, req["request_id"], granted=granted)
    p.wait_until(lambda: [o for o in orders_of(p, app) if o[0] == "change"]
                 and [o for o in orders_of(p, app) if o[0] == "change"][0][1] == "done",
                 what="change done")
    change = [o for o in orders_of(p, app) if o[0] == "change"][0]
    assert change[2] == "2025-09-05"          # R12.1: 3 working days
    p.wait_until(lambda: len(allocations(p, app)) == 3, what="billed")
    alloc = allocations(p, app)
    assert alloc[-1]["resources"]["storage_tb"] == 3 and not alloc[-1]["to"]
    assert all(a["to"] for a in alloc[:-1])


def test_6_emergency_change_paperwork_owed_then_filed(platform, life):
    p, app = platform, life["app"]
    p.set_now("2025-09-03T22:00:00+08:00")
    urgent = copy.deepcopy(full_form()["resources"])
    urgent["storage_tb"] = 3
    urgent["network"]["dedicated_mbps"] = 40
    # another unit may not report on it; the unit may
    assert ("not_found", "body.app_id") in error_of(p.call(
        "health", "provisioning", "emergency.report",
        {"app_id": app, "resources": urgent, "description": "x"}))
    bad = copy.deepcopy(urgent)
    bad["hosts"][0]["data_disk_gb"] = 300       # not in 200 GB steps
    assert ("invalid_value", "body.resources.hosts[0].data_disk_gb") in error_of(p.call(
        "edu", "provisioning", "emergency.report",
        {"app_id": app, "resources": bad, "description": "x"}))
    rep = ok(p.call("edu", "provisioning", "emergency.report",
                    {"app_id": app, "resources": urgent,
                     "description": "遭受流量攻击，临时扩容带宽"}))
    p.wait_until(lambda: duty(p, app, "paperwork"), what="paperwork owed")
    d = duty(p, app, "paperwork")[0]
    # R12.3: a setting, 5 working days by default: 09-04..09-10
    assert (d["ref"], d["due"], d["owed_by"]) == (rep["order_id"], "2025-09-10", "unit")
    p.wait_until(lambda: [o for o in orders_of(p, app) if o[0] == "emergency"][0][1] == "done",
                 what="emergency carried out")
    # the clock passes the deadline: overdue, owed by the unit, 2 days late
    p.set_now("2025-09-12T09:00:00+08:00")
    late = ok(p.call("bureau", "review", "review.overdue", {}))["overdue"]
    row = [x for x in late if x["app_id"] == app and x["step"] == "paperwork"][0]
    assert (row["owed_by"], row["late_workdays"]) == ("unit", 2)
    rows = table(p.cli("list", "--overdue", actor="bureau").stdout.splitlines())
    row = [r for r in rows if r["申请编号"] == app and r["应办事项"] == "补办变更手续"]
    assert row and (row[0]["谁办"], row[0]["逾期"]) == ("使用单位", "2 个工作日"), rows
    # the paperwork: a change naming the emergency order
    n_orders = len(orders_of(p, app))
    req = ok(p.call("edu", "intake", "request.change", {
        "app_id": app, "resources": urgent, "reason": "补办：流量攻击临时扩容",
        "emergency_order": rep["order_id"]}))
    approve_request(p, req["request_id"])
    assert duty(p, app, "paperwork")[0]["closed"] == "true"
    time.sleep(0.5)
    assert len(orders_of(p, app)) == n_orders       # done already: no order


def test_7_termination_and_purge_after_3_months(platform, life, tmp_path):
    p, app = platform, life["app"]
    p.set_now("2025-09-15T10:00:00+08:00")
    # an emergency whose paperwork is never filed: the duty outlives
    # nothing, it ends with the application.  The vendor's clerk reports
    # it with the CLI, and runs the command again (a timeout, a doubt):
    # the same report is the same order (its report_key)
    urgent = copy.deepcopy(full_form()["resources"])
    urgent["storage_tb"] = 5
    path = tmp_path / "urgent.json"
    path.write_text(json.dumps(urgent, ensure_ascii=False), encoding="utf-8")
    said = [p.cli("--as", "vendor", "emergency", app, str(path),
                  "--reason", "磁盘阵列告警，临时迁移").stdout for _ in range(2)]
    assert said[0] == said[1] and "紧急变更已报备，订单 O" in said[0]
    assert len([o for o in orders_of(p, app) if o[0] == "emergency"]) == 2
    p.wait_until(lambda: [d for d in duty(p, app, "paperwork") if d["closed"] == "false"],
                 what="paperwork owed")
    body = {"app_id": app, "offline_confirmed": False, "data": "backed_up",
            "reason": "系统整合"}
    assert ("invalid_value", "body.offline_confirmed") in error_of(
        p.call("edu", "intake", "request.terminate", body))
    body["offline_confirmed"] = True
    req = ok(p.call("edu", "intake", "request.terminate", body))
    approve_request(p, req["request_id"])
    p.wait_until(lambda: intake_state(p, app) == "terminated", what="terminated")
    term = [o for o in orders_of(p, app) if o[0] == "terminate"][0]
    assert term[2] == "2025-09-18"             # R13.1: 3 working days
    # the application ended: its unfiled paperwork is closed with the
    # reason, and neither list shows it again
    p.wait_until(lambda: all(d["closed"] == "true" for d in duty(p, app, "paperwork")),
                 what="duties closed")
    assert [d["closed_why"] for d in duty(p, app, "paperwork")] == ["done", "app_ended"]
    p.set_now("2025-10-30T10:00:00+08:00")      # the paperwork would be late
    for q in ("review.pending", "review.overdue"):
        rows = ok(p.call("bureau", "review", q, {}))
        assert not [x for x in rows.get("pending", rows.get("overdue"))
                    if x["app_id"] == app], q
    assert app not in p.cli("list", "--overdue", actor="bureau").stdout
    # billing: every interval closed
    p.wait_until(lambda: all(a["to"] for a in allocations(p, app)), what="closed")
    # R13.2 with the time rules: kept 3 months from 2025-09-15, that is to
    # 24:00 of 2025-12-15; the purge is ordered from 00:00 of 2025-12-16,
    # not at 23:00 of the last day kept, and its 3 working days count from
    # the 16th
    assert p.scalar(f"SELECT kept_until FROM provisioning.retention "
                    f"WHERE app_id = '{app}'") == "2025-12-15"
    p.set_now("2025-12-15T23:00:00+08:00")
    time.sleep(1.0)                             # several ticks
    assert not [o for o in orders_of(p, app) if o[0] == "purge"]
    p.set_now("2025-12-16T00:00:30+08:00")
    p.wait_until(lambda: intake_state(p, app) == "purged", what="purged")
    purge = [o for o in orders_of(p, app) if o[0] == "purge"]
    assert len(purge) == 1 and purge[0][1] == "done" and purge[0][2] == "2025-12-18"
    # moving the clock back and forth orders no second purge
    p.set_now("2025-12-20T08:00:00+08:00")
    time.sleep(0.6)
    assert len([o for o in orders_of(p, app) if o[0] == "purge"]) == 1


def test_8_audit_holds_every_step(platform, life):
    p, app = platform, life["app"]
    p.wait_until(lambda: p.scalar(
        "SELECT count(*) FROM audit.events WHERE type = 'order.completed' "
        f"AND app_id = '{app}'") == "7", what="audit")
    types = [e["type"] for e in ok(p.call("auditor", "audit", "audit.events",
                                          {"app_id": app, "limit": 1000}))["events"]]
    for t in ["request.submitted", "request.approved", "emergency.reported",
              "retention.scheduled", "allocation.closed", "order.acknowledged"]:
        assert t in types, t
    # seven orders, each created, completed once (the vendor reported twice)
    assert types.count("order.created") == 7
    assert types.count("order.completed") == 7


def test_9_rejected_request_and_unit_boundaries(platform, life):
    p, app = platform, life["app2"]
    req = p.sql(f"SELECT request_id FROM intake.requests WHERE app_id = '{app}'")[0][0]
    assert ("missing_field", "body.opinion") in error_of(p.call(
        "bureau", "review", "request.reject", {"request_id": req}))
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.requests WHERE request_id = '{req}'") == "1")
    # review.requests (R11.1): the pending request in the bureau's list, in
    # its unit's, not in another unit's, and gone once decided
    def waiting(actor):
        return {q["request_id"]: q for q in ok(p.call(
            actor, "review", "review.requests", {"limit": 500}))["requests"]}
    mine = waiting("bureau")[req]
    assert (mine["app_id"], mine["unit"], mine["kind"]) == (app, "县卫生健康局", "go_live")
    assert req in waiting("health") and req not in waiting("edu")
    assert all(q["unit"] == "县教育局" for q in waiting("edu").values())
    assert ("out_of_range", "body.limit") in error_of(p.call(
        "bureau", "review", "review.requests", {"limit": 501}))
    assert ("forbidden", "type") in error_of(p.call(
        "vendor", "review", "review.requests", {}))
    # review.pending of one application (the console's page of it): its
    # own steps only, the request's decision among them
    steps = ok(p.call("bureau", "review", "review.pending",
                      {"app_id": app}))["pending"]
    assert steps and {s["app_id"] for s in steps} == {app}, steps
    assert ok(p.call("bureau", "review", "review.pending",
                     {"app_id": "A999999"}))["pending"] == []
    ok(p.call("bureau", "review", "request.reject",
              {"request_id": req, "opinion": "性能测试报告不完整"}))
    assert req not in waiting("bureau")
    assert ("not_found", "body.app_id") in error_of(p.call(
        "edu", "intake", "request.go_live", {"app_id": app, "results": {
            "function": "a", "performance": "b", "security": "c"}}))
    # a change is for a system in production only
    assert ("invalid_state", "body.app_id") in error_of(p.call(
        "health", "intake", "request.change",
        {"app_id": app, "resources": minimal_form()["resources"], "reason": "x"}))


def test_10_vendor_overdue_and_long_poll(platform, life):
    """With the vendor away, an order past its deadline is overdue, owed by
    the vendor; a waiting fetch is answered as soon as an order exists."""
    p = platform
    p.procs["vendor-sim"].send_signal(signal.SIGTERM)
    p.procs["vendor-sim"].wait(timeout=10)
    p.set_now("2025-10-09T09:00:00+08:00")       # after National Day
    c = p.client("vendor", "vendor")
    try:
        t = time.time()
        empty = c.call("order.fetch", {"wait_ms": 700}, timeout_ms=5000)
        assert ok(empty)["orders"] == [] and time.time() - t >= 0.6
        c.send_raw(__import__("msgpack").packb(
            {"v": 1, "id": "lp", "type": "order.fetch", "body": {"wait_ms": 20000}}))
        app = ok(p.submit("health", minimal_form()))["app_id"]
        p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
        ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
        t = time.time()
        ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
        reply = __import__("msgpack").unpackb(c.recv_raw(10000), raw=False)
        assert time.time() - t < 5
        assert [o["app_id"] for o in reply["body"]["orders"]] == [app]
    finally:
        c.close()
    # 3 working days after 2025-10-09: 10-10, 10-11 (a Saturday worked), 10-13
    assert orders_of(p, app)[0][2] == "2025-10-13"
    # R10.2: the level-2 system's test (delivered 2025-09-01, go-live
    # refused, no extension) ended 2025-09-16: overdue, owed by the unit
    late = ok(p.call("bureau", "review", "review.overdue", {}))["overdue"]
    ended = [x for x in late if x["app_id"] == life["app2"] and x["step"] == "test_end"]
    assert ended and ended[0]["owed_by"] == "unit" and ended[0]["due"] == "2025-09-16"
    p.set_now("2025-10-16T09:00:00+08:00")
    late = ok(p.call("bureau", "provisioning", "order.overdue", {}))["overdue"]
    row = [x for x in late if x["app_id"] == app][0]
    assert (row["owed_by"], row["kind"], row["late_workdays"]) == ("vendor", "test_env", 3)
    rows = table(p.cli("list", "--overdue", actor="bureau").stdout.splitlines())
    # the vendor owes the test environment; the unit the end of its test
    assert [(r["应办事项"], r["谁办"]) for r in rows if r["申请编号"] == app] == [
        ("提供测试环境", "供应商")], rows
    assert [r["谁办"] for r in rows if r["申请编号"] == life["app2"]
            and r["应办事项"] == "测试期届满"] == ["使用单位"], rows


def test_11_purge_date_in_an_uncovered_year_is_never_guessed(platform, life):
    """R13.2 with the time rules: terminated on 2060-11-30, the purge date
    falls in 2061, beyond the published years and the provisional
    calendar's lunar table (2060): the date stays open and nothing is
    purged, however long the clock runs."""
    p, app = platform, life["app2"]
    p.start_vendor()
    p.set_now("2060-11-30T10:00:00+08:00")
    req = ok(p.call("health", "intake", "request.terminate", {
        "app_id": app, "offline_confirmed": True, "data": "migrated",
        "reason": "迁入市级平台"}))
    approve_request(p, req["request_id"])
    p.wait_until(lambda: ok(p.call("health", "intake", "application.get",
                                   {"app_id": app}))["state"] == "terminated")
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM provisioning.retention WHERE app_id = '{app}'") == "1")
    p.set_now("2061-06-01T10:00:00+08:00")
    time.sleep(1.0)
    assert p.scalar(f"SELECT coalesce(kept_until::text, 'open') FROM "
                    f"provisioning.retention WHERE app_id = '{app}'") == "open"
    assert not [o for o in orders_of(p, app) if o[0] == "purge"]
