"""R15 "使用单位负责系统运行，发现问题及时向供应商和主管部门报告": a unit
reports a problem of its own system (in test or in production); the report
reaches the vendor's queue as its own kind of item (problem.fetch, with a
cursor of its own; order.fetch is unchanged) and the vendor's and the
bureau's inboxes; the vendor acknowledges it and resolves it with a note
(reported -> acknowledged -> resolved), and the time to acknowledge and to
resolve is recorded and shown (problem.list, `yjcloud problems`).  A
report is idempotent by its report_key; a unit cannot see or report on
another unit's system; bad input is refused naming the field.  The clock
is moved with YJC_NOW_FILE so the times are exact."""
import pytest

from conftest import full_form, minimal_form

T0 = "2025-09-01T09:00:00+08:00"   # a Monday
EDU, HEALTH = "县教育局", "县卫生健康局"


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def problems_of(reply):
    assert not reply["ok"], reply
    return {(p["code"], p["field"])
            for p in reply["error"].get("details") or [reply["error"]]}


def approved(p, actor, form):
    app = ok(p.submit(actor, form))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": app})["ok"], what="review")
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
    return app


def deliver_test_env(p, app):
    q = (f"SELECT order_id FROM provisioning.orders WHERE app_id = '{app}'"
         " AND kind = 'test_env' AND closed_at IS NULL")
    p.wait_until(lambda: p.sql(q), what=f"test_env order of {app}")
    ok(p.call("vendor", "vendor", "order.complete",
              {"order_id": p.scalar(q), "built": []}))
    p.wait_until(lambda: p.scalar("SELECT state FROM provisioning.apps"
                                  f" WHERE app_id = '{app}'") == "testing",
                 what=f"{app} testing")


def report(p, actor, app, **body):
    return p.call(actor, "provisioning", "problem.report",
                  dict({"app_id": app, "severity": "high",
                        "text": "登录页面间歇性超时"}, **body))


def listing(p, actor, **body):
    return ok(p.call(actor, "provisioning", "problem.list", body))["problems"]


def notes(p, actor, type_, problem_id):
    got = ok(p.call(actor, "audit", "inbox.list", {"limit": 500}))
    return [n for n in got["notifications"]
            if n["type"] == type_ and problem_id in n["body"]]


@pytest.fixture(scope="module")
def apps(platform):
    p = platform
    p.stop_all()
    p.set_now(T0)
    p.start_all()
    a = {"edu": approved(p, "edu", full_form(EDU)),
         "health": approved(p, "health", minimal_form(HEALTH)),
         "edu_not_running": approved(p, "edu", full_form(EDU))}
    deliver_test_env(p, a["edu"])
    deliver_test_env(p, a["health"])
    return a


def test_r15_report_acknowledged_resolved_with_times(platform, apps):
    """R15: report -> acknowledged (after 90 s) -> resolved (after 2 h) with
    a note; the times are recorded and listed, with the state and age."""
    p = platform
    p.set_now("2025-09-01T10:00:00+08:00")
    att = ok(p.upload("edu", b"%PDF-1.4 screenshot of the timeout\n"))["att_id"]
    r = ok(report(p, "edu", apps["edu"], severity="urgent", attachments=[att],
                  report_key="edu-ticket-1"))
    pid = r["problem_id"]
    assert pid.startswith("P") and r["state"] == "reported"
    assert r["duplicate"] is False
    mine = [x for x in listing(p, "edu") if x["problem_id"] == pid][0]
    assert mine["state"] == "reported" and mine["severity"] == "urgent"
    assert mine["attachments"] == [att]
    # R15: the vendor reads the file the report names, and no other
    private = ok(p.upload("edu", b"%PDF-1.4 not for the vendor\n"))["att_id"]
    def vendor_get(att_id):
        return p.call("vendor", "intake", "attachment.get", {"att_id": att_id})
    p.wait_until(lambda: vendor_get(att)["ok"], what="the vendor reads the report's file")
    assert vendor_get(att)["body"]["data"] == b"%PDF-1.4 screenshot of the timeout\n"
    assert problems_of(vendor_get(private)) == {("not_found", "body.att_id")}
    assert mine["ack_seconds"] is None and mine["resolve_seconds"] is None

    p.set_now("2025-09-01T10:01:30+08:00")
    a = ok(p.call("vendor", "vendor", "problem.ack", {"problem_id": pid}))
    assert a == {"problem_id": pid, "state": "acknowledged", "duplicate": False}
    again = ok(p.call("vendor", "vendor", "problem.ack", {"problem_id": pid}))
    assert again["duplicate"] is True

    p.set_now("2025-09-01T12:00:00+08:00")
    res = ok(p.call("vendor", "vendor", "problem.resolve",
                    {"problem_id": pid, "note": "负载均衡节点故障，已更换"}))
    assert res["state"] == "resolved" and res["duplicate"] is False
    # acknowledging a resolved problem is refused; resolving again is a retry
    assert problems_of(p.call("vendor", "vendor", "problem.ack",
                              {"problem_id": pid})) == {
        ("invalid_state", "body.problem_id")}
    assert ok(p.call("vendor", "vendor", "problem.resolve",
                     {"problem_id": pid, "note": "x"}))["duplicate"] is True

    p.set_now("2025-09-01T13:00:00+08:00")
    for actor in ("edu", "bureau", "auditor", "vendor"):
        row = [x for x in listing(p, actor) if x["problem_id"] == pid][0]
        assert row["state"] == "resolved", actor
        assert row["ack_seconds"] == 90 and row["resolve_seconds"] == 7200
        assert row["age_seconds"] == 3 * 3600
        assert row["note"] == "负载均衡节点故障，已更换"
        assert row["reported_at"] == "2025-09-01 10:00:00"
        assert row["acked_at"] == "2025-09-01 10:01:30"
        assert row["resolved_at"] == "2025-09-01 12:00:00"
    assert pid not in [x["problem_id"] for x in listing(p, "edu", open=True)]

    # the CLI: a Chinese table aligned by display width, and --json
    out = p.cli("problems", actor="edu").stdout
    lines = out.splitlines()
    head = lines[0]
    assert "问题" in head and "确认用时" in head and "解决用时" in head
    row = [line for line in lines if line.startswith(pid)][0]
    assert "紧急" in row and "已解决" in row and "1分" in row and "2小时0分" in row
    from cli_text import width   # display width, as a terminal counts it
    col = head.index("状态")
    assert width(head[:col]) == width(row[:row.index("已解决")])
    js = p.cli("problems", "--open", actor="edu", json_out=True)
    assert pid not in [x["problem_id"] for x in js["problems"]]


def test_r15_report_key_is_idempotent(platform, apps):
    p = platform
    first = ok(report(p, "health", apps["health"], report_key="h-1"))
    again = ok(report(p, "health", apps["health"], report_key="h-1",
                      text="另一段文字"))
    assert again["problem_id"] == first["problem_id"]
    assert again["duplicate"] is True
    n = p.scalar("SELECT count(*) FROM provisioning.problems"
                 " WHERE cause = 'health:h-1'")
    assert n == "1"
    # the same key for another application is a second report, refused
    other = approved(p, "health", minimal_form(HEALTH))
    deliver_test_env(p, other)
    assert problems_of(report(p, "health", other, report_key="h-1")) == {
        ("invalid_value", "body.report_key")}
    # the CLI's own key: the same command twice is one report
    cmd = ("report-problem", apps["health"], "--severity", "一般",
           "--text", "备份任务失败")
    one = p.cli(*cmd, actor="health", json_out=True)
    two = p.cli(*cmd, actor="health", json_out=True)
    assert one["problem_id"] == two["problem_id"] and two["duplicate"]
    # --attach: a file is uploaded to intake first, an F… id named as it is
    earlier = ok(p.upload("health", b"%PDF-1.4 backup log\n"))["att_id"]
    edu_file = ok(p.upload("edu", b"%PDF-1.4 edu's own log\n"))["att_id"]
    three = p.cli("report-problem", apps["health"], "--severity", "low",
                  "--text", "附件测试", "--attach",
                  "tests/data/materials/construction-plan.pdf",
                  "--attach", earlier, actor="health", json_out=True)
    row = [x for x in listing(p, "health")
           if x["problem_id"] == three["problem_id"]][0]
    assert len(row["attachments"]) == 2 and row["attachments"][1] == earlier
    uploaded = row["attachments"][0]
    assert uploaded.startswith("F") and uploaded != earlier
    # R15: only the unit's own uploads, and only ones that exist: edu's
    # file, or an id intake never gave, is not found (after a short wait
    # for an upload still on its way)
    assert problems_of(report(p, "health", apps["health"],
                              attachments=[edu_file, "F999999"])) == {
        ("not_found", "body.attachments[0]"),
        ("not_found", "body.attachments[1]")}
    assert ok(p.call("health", "intake", "attachment.get",
                     {"att_id": uploaded}))
    out = p.cli("report-problem", apps["health"], "--severity", "low",
                "--text", "附件测试2", actor="health").stdout
    assert out.startswith("问题已报告，问题编号 P")


def test_r15_a_unit_sees_and_reports_only_its_own(platform, apps):
    p = platform
    # health may not report on edu's system: not found, as if absent
    assert problems_of(report(p, "health", apps["edu"])) == {
        ("not_found", "body.app_id")}
    assert problems_of(report(p, "edu", "A999999")) == {
        ("not_found", "body.app_id")}
    # a system not yet delivered (no test environment) has no problems
    assert problems_of(report(p, "edu", apps["edu_not_running"])) == {
        ("invalid_state", "body.app_id")}
    ok(report(p, "edu", apps["edu"], report_key="edu-2"))
    assert {x["unit"] for x in listing(p, "health")} == {HEALTH}
    assert {x["unit"] for x in listing(p, "edu")} == {EDU}
    assert {x["unit"] for x in listing(p, "bureau")} == {EDU, HEALTH}
    assert not listing(p, "health", app_id=apps["edu"])
    # only the unit reports; only the vendor acknowledges and resolves
    assert problems_of(p.call("vendor", "vendor", "problem.report", {
        "app_id": apps["edu"], "severity": "low", "text": "x"})) == {
        ("forbidden", "type")}
    assert problems_of(p.call("edu", "provisioning", "problem.ack",
                              {"problem_id": "P000001"})) == {
        ("forbidden", "type")}
    assert problems_of(p.call("bureau", "provisioning", "problem.fetch",
                              {})) == {("forbidden", "type")}
    assert problems_of(p.call("vendor", "vendor", "problem.ack",
                              {"problem_id": "P999999"})) == {
        ("not_found", "body.problem_id")}


def test_r15_the_vendor_sees_it_in_its_queue(platform, apps):
    """problem.fetch: every open problem without a cursor; with one, only
    what changed after it (its own steps included), waiting when nothing
    did; order.fetch carries no problems."""
    p = platform
    c = p.client("vendor", "vendor")
    try:
        first = ok(c.call("problem.fetch", {}))
        open_ids = {x["problem_id"] for x in first["problems"]}
        assert all(x["state"] != "resolved" for x in first["problems"])
        pid = ok(report(p, "health", apps["health"], severity="low",
                        text="报表导出乱码", report_key="h-q"))["problem_id"]
        assert pid not in open_ids
        got = ok(c.call("problem.fetch", {"cursor": first["cursor"]}))
        assert [x["problem_id"] for x in got["problems"]] == [pid]
        item = got["problems"][0]
        assert item["unit"] == HEALTH and item["severity"] == "low"
        assert item["text"] == "报表导出乱码" and item["state"] == "reported"
        # nothing new: the fetch waits, then answers empty
        empty = ok(c.call("problem.fetch", {"cursor": got["cursor"],
                                            "wait_ms": 300}))
        assert empty["problems"] == []
        ok(c.call("problem.ack", {"problem_id": pid}))
        step = ok(c.call("problem.fetch", {"cursor": empty["cursor"]}))
        assert [(x["problem_id"], x["state"]) for x in step["problems"]] == [
            (pid, "acknowledged")]
        assert problems_of(c.call("problem.fetch", {"cursor": "c1"})) == {
            ("invalid_value", "body.cursor")}
        assert "problems" not in ok(c.call("order.fetch", {}))
    finally:
        c.close()


def test_r15_inbox_rows_reach_vendor_bureau_and_unit(platform, apps):
    p = platform
    pid = ok(report(p, "edu", apps["edu"], report_key="edu-inbox",
                    text="数据库连接数耗尽"))["problem_id"]
    for actor in ("vendor", "bureau"):
        p.wait_until(lambda: notes(p, actor, "problem.reported", pid),
                     what=f"problem.reported in {actor}'s inbox")
    n = notes(p, "bureau", "problem.reported", pid)[0]
    assert n["title"] == "单位报告问题" and "数据库连接数耗尽" in n["body"]
    assert "高" in n["body"]
    assert not notes(p, "edu", "problem.reported", pid)
    assert not notes(p, "health", "problem.reported", pid)
    ok(p.call("vendor", "vendor", "problem.ack", {"problem_id": pid}))
    ok(p.call("vendor", "vendor", "problem.resolve",
              {"problem_id": pid, "note": "已调大连接池"}))
    p.wait_until(lambda: notes(p, "edu", "problem.resolved", pid),
                 what="problem.resolved in edu's inbox")
    assert notes(p, "edu", "problem.acknowledged", pid)
    assert "已调大连接池" in notes(p, "edu", "problem.resolved", pid)[0]["body"]
    assert notes(p, "bureau", "problem.resolved", pid)
    assert not notes(p, "health", "problem.resolved", pid)
    assert not notes(p, "vendor", "problem.acknowledged", pid)
    # audit keeps every step
    def types():
        events = ok(p.call("auditor", "audit", "audit.events",
                           {"app_id": apps["edu"], "limit": 1000}))["events"]
        return [e["type"] for e in events
                if e["payload"].get("problem_id") == pid]
    p.wait_until(lambda: len(types()) == 3, what="three events audited")
    assert types() == ["problem.reported", "problem.acknowledged",
                       "problem.resolved"]


def test_r15_bad_input_refused_with_field_paths(platform, apps):
    p = platform
    got = p.call("edu", "provisioning", "problem.report", {
        "app_id": apps["edu"], "severity": "critical", "text": "x" * 4001,
        "attachments": ["F000001", 7]})
    assert problems_of(got) == {("invalid_value", "body.severity"),
                                ("too_long", "body.text"),
                                ("wrong_type", "body.attachments[1]")}
    msgs = [d["message"] for d in got["error"]["details"]]
    assert any(m.startswith("严重程度：") and "紧急" in m for m in msgs), msgs
    # an attachment is named by intake's id (F…): every bad one is named
    assert problems_of(report(p, "edu", apps["edu"], attachments=[
        "F000001", "../etc/passwd", "F12x"])) == {
        ("invalid_value", "body.attachments[1]"),
        ("invalid_value", "body.attachments[2]")}
    assert problems_of(p.call("edu", "provisioning", "problem.report", {
        "app_id": apps["edu"], "severity": "low"})) == {
        ("missing_field", "body.text")}
    assert problems_of(p.call("vendor", "vendor", "problem.resolve",
                              {"problem_id": "P000001"})) == {
        ("missing_field", "body.note")}
    res = p.cli("report-problem", apps["edu"], "--severity", "严重",
                "--text", "x", actor="edu", check=False)
    assert res.returncode != 0 and "严重程度" in res.stdout + res.stderr


def test_r15_the_vendor_sim_acknowledges_and_resolves(platform, apps):
    p = platform
    pid = ok(report(p, "health", apps["health"], report_key="h-sim"))["problem_id"]
    p.start_vendor()
    p.wait_until(lambda: [x for x in listing(p, "health")
                          if x["problem_id"] == pid
                          and x["state"] == "resolved"],
                 what="the vendor-sim resolved it")
    row = [x for x in listing(p, "health") if x["problem_id"] == pid][0]
    assert row["note"] and row["acked_at"] and row["resolved_at"]
    assert not listing(p, "bureau", open=True)
