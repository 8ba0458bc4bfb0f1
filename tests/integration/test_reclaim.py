"""R11.3: the bureau periodically reclaims idle resources based on actual
usage.  The bureau proposes the lines to take back with its evidence; the
unit may object once within the objection window (YJC_RECLAIM_OBJECTION_DAYS
working days, default 5: the regulation names none); the bureau decides
after the window or after an objection; an approval is a change order to
the vendor (R12.1's 3 working days), and billing closes the interval and
opens one with the smaller resources.  The clock is moved (YJC_NOW_FILE)."""
import pytest

from cli_text import table
from conftest import minimal_form

T0 = "2025-09-01T09:00:00+08:00"          # a Monday
PROPOSED = "2025-09-08T10:00:00+08:00"    # window: 5 working days -> 09-15
LAST_EVENING = "2025-09-15T23:30:00+08:00"
AFTER_WINDOW = "2025-09-16T09:00:00+08:00"
BEFORE_HOLIDAY = "2025-09-26T10:00:00+08:00"  # across National Day -> 10-10

RESOURCES = {
    "network": {"access": "extranet_only", "dedicated_mbps": 20},
    "hosts": [
        {"cpu_mem": "4c8g", "os": "centos6", "database": "none",
         "data_disk_gb": 200, "count": 4, "purpose": "应用服务器"},
        {"cpu_mem": "8c16g", "os": "centos6", "database": "mysql",
         "data_disk_gb": 400, "count": 1, "purpose": "数据库服务器"},
    ],
    "storage_tb": 3,
    "databases": [{"engine": "mysql", "max_sessions": 600, "count": 1}],
}


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def error_of(reply):
    assert not reply["ok"], reply
    problems = reply["error"].get("details") or [reply["error"]]
    return {(p["code"], p["field"]) for p in problems}


def messages_of(reply):
    problems = reply["error"].get("details") or [reply["error"]]
    return " ".join(p.get("message", "") + p.get("detail", "") for p in problems)


@pytest.fixture(scope="module")
def rc(platform):
    platform.stop_all()
    platform.set_now(T0)
    platform.start_all()
    platform.start_vendor()
    return {}


def intake_state(p, actor, app):
    return ok(p.call(actor, "intake", "application.get", {"app_id": app}))["state"]


def allocations(p, app):
    return ok(p.call("bureau", "billing", "billing.allocations",
                     {"app_id": app}))["allocations"]


def to_production(p, actor, unit):
    form = minimal_form(unit)
    form["resources"] = RESOURCES
    app = ok(p.submit(actor, form))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": app})["ok"])
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
    p.wait_until(lambda: intake_state(p, actor, app) == "testing", what="testing")
    req = ok(p.call(actor, "intake", "request.go_live", {
        "app_id": app, "results": {"function": "通过", "performance": "通过",
                                   "security": "通过"}}))
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.requests"
        f" WHERE request_id = '{req['request_id']}'") == "1")
    ok(p.call("bureau", "review", "request.approve",
              {"request_id": req["request_id"], "opinion": "同意上线"}))
    p.wait_until(lambda: intake_state(p, actor, app) == "production",
                 what="production")
    # review knows what is in place (the go-live order's resources)
    p.wait_until(lambda: p.scalar(
        f"SELECT (resources_mp IS NOT NULL)::text FROM review.applications"
        f" WHERE app_id = '{app}'") == "true", what="review's resources")
    return app


def reclaim_get(p, actor, rid):
    return p.call(actor, "review", "reclaim.get", {"reclaim_id": rid})


def test_1_only_what_the_application_has_can_be_taken_back(platform, rc):
    p = platform
    app = to_production(p, "edu", "县教育局")
    rc["app"] = app
    p.set_now(PROPOSED)
    propose = {"app_id": app, "evidence": "近 30 日 CPU p95 2%"}
    # R11.3: more hosts of a configuration than it has, a configuration it
    # has none of, more storage and databases than it has: every line said
    bad = p.call("bureau", "review", "reclaim.propose", dict(propose, lines={
        "hosts": [{"cpu_mem": "4c8g", "count": 5}, {"cpu_mem": "6c12g", "count": 1}],
        "storage_tb": 4, "bandwidth_mbps": 22,
        "databases": [{"engine": "sqlserver", "count": 1}]}))
    assert error_of(bad) == {
        ("out_of_range", "body.lines.hosts[0].count"),
        ("out_of_range", "body.lines.hosts[1].count"),
        ("out_of_range", "body.lines.storage_tb"),
        ("out_of_range", "body.lines.bandwidth_mbps"),
        ("out_of_range", "body.lines.databases[0].count")}
    # the bandwidth left keeps the grant's 2 Mbps steps
    assert ("invalid_value", "body.lines.bandwidth_mbps") in error_of(p.call(
        "bureau", "review", "reclaim.propose",
        dict(propose, lines={"bandwidth_mbps": 3})))
    # nothing named; a unit may not propose; an unknown application
    assert ("missing_field", "body.lines") in error_of(p.call(
        "bureau", "review", "reclaim.propose", dict(propose, lines={})))
    assert "body.lines.hosts" in {f for _, f in error_of(p.call(
        "bureau", "review", "reclaim.propose", dict(propose, lines={"hosts": []})))}
    assert not p.call("edu", "review", "reclaim.propose",
                      dict(propose, lines={"storage_tb": 1}))["ok"]
    assert ("not_found", "body.app_id") in error_of(p.call(
        "bureau", "review", "reclaim.propose",
        dict(propose, app_id="A999999", lines={"storage_tb": 1})))
    # the CLI says it in Chinese
    res = p.cli("reclaim", "propose", app, "--hosts", "4c/8G:9", "--evidence", "闲置",
                actor="bureau", check=False)
    assert res.returncode == 1 and "收回不能多于现有" in res.stderr
    assert p.scalar("SELECT count(*) FROM review.reclamations") == "0"


def test_2_proposal_opens_the_units_objection_window(platform, rc):
    p, app = platform, rc["app"]
    out = p.cli("reclaim", "propose", app, "--hosts", "4c/8G:2", "--bandwidth", "10",
                "--storage", "1", "--evidence", "近 30 日 CPU p95 2%，内存 p95 11%",
                actor="bureau", json_out=True)
    rid = out["reclaim_id"]
    rc["rid"] = rid
    # R11.3: 5 working days (the setting's default) from 2025-09-08
    assert (out["state"], out["window_end"]) == ("proposed", "2025-09-15")
    duties = [d for d in ok(p.call("bureau", "review", "review.get",
                                   {"app_id": app}))["duties"]
              if d["ref"] == rid]
    assert [(d["what"], d["owed_by"], d["due"], d["closed"]) for d in duties] == \
        [("reclaim_objection", "unit", "2025-09-15", "false")]
    assert "R11.3" in duties[0]["rule"] and "5个工作日" in duties[0]["rule"]
    got = ok(reclaim_get(p, "edu", rid))
    assert got["lines"] == {"hosts": [{"cpu_mem": "4c8g", "count": 2}],
                            "bandwidth_mbps": 10, "storage_tb": 1}
    assert "CPU p95 2%" in got["evidence"]
    # the event is in the audit trail (the unit is told from it)
    p.wait_until(lambda: p.scalar(
        "SELECT count(*) FROM audit.events WHERE type = 'reclamation.proposed'")
        == "1", what="audit has the proposal")
    # one open reclamation per application
    assert ("invalid_state", "body.app_id") in error_of(p.call(
        "bureau", "review", "reclaim.propose",
        {"app_id": app, "lines": {"storage_tb": 1}, "evidence": "x"}))
    rows = table(p.cli("reclaims", actor="bureau").stdout.splitlines())
    assert rows == [{"编号": rid, "申请": app, "状态": "异议期中",
                     "异议期至": "2025-09-15", "单位异议": "无"}]


def test_3_another_unit_neither_sees_nor_objects(platform, rc):
    p, rid = platform, rc["rid"]
    assert ("not_found", "body.reclaim_id") in error_of(
        reclaim_get(p, "health", rid))
    assert ("not_found", "body.reclaim_id") in error_of(p.call(
        "health", "review", "reclaim.object", {"reclaim_id": rid, "text": "反对"}))
    assert ok(p.call("health", "review", "reclaim.list", {}))["reclamations"] == []
    assert [r["reclaim_id"] for r in ok(p.call(
        "edu", "review", "reclaim.list", {}))["reclamations"]] == [rid]
    assert ok(reclaim_get(p, "auditor", rid))["state"] == "proposed"


def test_4_no_decision_while_the_window_is_open(platform, rc):
    p, rid = platform, rc["rid"]
    # R11.3: the last evening of the window is still in it (to 24:00)
    p.set_now(LAST_EVENING)
    early = p.call("bureau", "review", "reclaim.approve",
                   {"reclaim_id": rid, "opinion": "收回"})
    assert ("invalid_state", "body.reclaim_id") in error_of(early)
    assert "2025-09-15" in messages_of(early) and "异议期" in messages_of(early)
    res = p.cli("reclaim", "reject", rid, "--opinion", "不收回", actor="bureau",
                check=False)
    assert res.returncode == 1 and "期满或单位提出异议后才能决定" in res.stderr
    # a decision carries an opinion
    assert ("missing_field", "body.opinion") in error_of(p.call(
        "bureau", "review", "reclaim.approve", {"reclaim_id": rid}))
    assert ok(reclaim_get(p, "bureau", rid))["state"] == "proposed"


def test_5_no_objection_after_the_window(platform, rc):
    p, rid = platform, rc["rid"]
    p.set_now(AFTER_WINDOW)
    late = p.call("edu", "review", "reclaim.object",
                  {"reclaim_id": rid, "text": "系统年底有高峰"})
    assert ("invalid_state", "body.reclaim_id") in error_of(late)
    assert "异议期已于 2025-09-15 24 时结束" in messages_of(late)
    assert ok(reclaim_get(p, "bureau", rid))["objection"] == ""
    # R11.3: the window was the unit's right, not its duty: it lapses at
    # the tick, and the unit is neither listed nor told as overdue
    p.wait_until(lambda: p.sql(
        f"SELECT closed_why FROM review.duties WHERE ref = '{rid}'")
        == [["lapsed"]], what="window lapsed")
    overdue = ok(p.call("edu", "review", "review.overdue", {}))
    assert rid not in str(overdue)
    inbox = ok(p.call("edu", "audit", "inbox.list", {}))["notifications"]
    assert any(n["type"] == "reclamation.proposed" and rid in n["body"]
               for n in inbox), inbox
    assert not any(n["type"] == "deadline.overdue" and rid in str(n)
                   for n in inbox), inbox


def test_6_approved_reclamation_is_a_change_order_and_billed(platform, rc):
    p, app, rid = platform, rc["app"], rc["rid"]
    before = allocations(p, app)
    assert [a["stage"] for a in before] == ["test", "production"]
    out = p.cli("reclaim", "approve", rid, "--opinion", "按实际使用情况收回",
                actor="bureau")
    assert "决定收回" in out.stdout
    # R11.3, R12.1: an order to the vendor, 3 working days from 2025-09-16
    p.wait_until(lambda: p.sql(
        f"SELECT state FROM provisioning.orders WHERE app_id = '{app}'"
        f" AND request_id = '{rid}'") == [["done"]], what="reclaim order done")
    kind, due, state = p.sql(
        f"SELECT kind, due::text, state FROM provisioning.orders"
        f" WHERE request_id = '{rid}'")[0]
    assert (kind, due, state) == ("reclaim", "2025-09-19", "done")
    # billing: the production interval closed, one opened with less
    p.wait_until(lambda: len(allocations(p, app)) == 3, what="new interval")
    after = allocations(p, app)
    assert [a["stage"] for a in after] == ["test", "production", "production"]
    assert after[1]["to"] and not after[2]["to"]
    left = after[2]["resources"]
    assert [(h["cpu_mem"], h["count"]) for h in left["hosts"]] == \
        [("4c8g", 2), ("8c16g", 1)]
    assert left["network"]["dedicated_mbps"] == 10
    assert left["storage_tb"] == 2
    assert left["databases"] == RESOURCES["databases"]
    # the decision closed the window's duty and is in the record
    got = ok(reclaim_get(p, "edu", rid))
    assert (got["state"], got["opinion"]) == ("approved", "按实际使用情况收回")
    duty = [d for d in ok(p.call("bureau", "review", "review.get",
                                 {"app_id": app}))["duties"] if d["ref"] == rid]
    assert duty[0]["closed"] == "true"
    # decided once
    assert ("invalid_state", "body.reclaim_id") in error_of(p.call(
        "bureau", "review", "reclaim.reject", {"reclaim_id": rid, "opinion": "x"}))
    # review takes later proposals from what is in place now
    p.wait_until(lambda: p.call("bureau", "review", "reclaim.propose", {
        "app_id": app, "lines": {"hosts": [{"cpu_mem": "4c8g", "count": 3}]},
        "evidence": "x"})["ok"] is False and error_of(p.call(
            "bureau", "review", "reclaim.propose", {
                "app_id": app, "lines": {"hosts": [{"cpu_mem": "4c8g", "count": 3}]},
                "evidence": "x"})) == {("out_of_range", "body.lines.hosts[0].count")},
        what="review sees the smaller resources")


def test_7_an_objection_is_recorded_and_shown_to_the_bureau(platform, rc):
    p, app = platform, rc["app"]
    p.set_now(BEFORE_HOLIDAY)
    out = ok(p.call("bureau", "review", "reclaim.propose", {
        "app_id": app, "lines": {"databases": [{"engine": "mysql", "count": 1}]},
        "evidence": "数据库近 30 日无连接"}))
    rid = out["reclaim_id"]
    # R11.3: the window crosses National Day (09-28 is a working Sunday)
    assert out["window_end"] == "2025-10-10"
    res = p.cli("reclaim", "object", rid, "--text", "数据库用于年终统计，12 月使用",
                actor="edu")
    assert "异议已提交" in res.stdout
    # once
    again = p.call("edu", "review", "reclaim.object", {"reclaim_id": rid, "text": "再议"})
    assert ("invalid_state", "body.reclaim_id") in error_of(again)
    # the bureau sees it: the list and the record
    rows = table(p.cli("reclaims", "--app", app, actor="bureau").stdout.splitlines())
    assert rows[0] == {"编号": rid, "申请": app, "状态": "单位已提出异议",
                       "异议期至": "2025-10-10",
                       "单位异议": "数据库用于年终统计，12 月使用"}
    show = p.cli("reclaim", "show", rid, actor="bureau").stdout
    assert "单位异议" in show and "年终统计" in show
    got = ok(reclaim_get(p, "bureau", rid))
    assert got["objection"] == "数据库用于年终统计，12 月使用" and got["objected_at"]
    # the unit's step is done; the bureau may decide at once (R11.3)
    ok(p.call("bureau", "review", "reclaim.reject",
              {"reclaim_id": rid, "opinion": "采纳单位意见，暂不收回"}))
    got = ok(reclaim_get(p, "edu", rid))
    assert (got["state"], got["opinion"]) == ("rejected", "采纳单位意见，暂不收回")
    p.wait_until(lambda: p.scalar(
        "SELECT string_agg(type, ',' ORDER BY seq) FROM audit.events"
        " WHERE type LIKE 'reclamation.%'") ==
        "reclamation.proposed,reclamation.approved,reclamation.proposed,"
        "reclamation.objected,reclamation.rejected", what="audit trail")
    # a rejection orders nothing
    assert p.scalar(f"SELECT count(*) FROM provisioning.orders"
                    f" WHERE request_id = '{rid}'") == "0"
