"""The usage period (R14.1-R14.4, time rules), with the clock moved by
YJC_NOW_FILE: its end computed at go-live by the month rule with the
day-off shift (one end on National Day, one in the provisional year
2028), the vendor's notice ordered on the day one month before the end
and not the day before, overdue when not confirmed by that day; a renewal
asked (过期顺延 files one for the unit with the notice) and approved, which
moves the end; a second application with 过期停止服务 expires, the bureau
takes it offline, the vendor is overdue on the 16th working day, billing
closes, and the backup is purged from the day after its 3 months."""
import signal
import time

import pytest

from conftest import minimal_form


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def error_of(reply):
    assert not reply["ok"], reply
    problems = reply["error"].get("details") or [reply["error"]]
    return {(p["code"], p["field"]) for p in problems}


def app_of(p, actor, app):
    return ok(p.call(actor, "intake", "application.get", {"app_id": app}))


def state(p, actor, app):
    return app_of(p, actor, app)["state"]


def orders_of(p, app, kind):
    return p.sql(f"SELECT order_id, state, coalesce(due::text, ''),"
                 f" (created_at AT TIME ZONE 'Asia/Shanghai')::date::text"
                 f" FROM provisioning.orders WHERE app_id = '{app}'"
                 f" AND kind = '{kind}' ORDER BY order_id")


def overdue(p):
    return {o["order_id"]: o for o in
            ok(p.call("bureau", "provisioning", "order.overdue", {}))["overdue"]}


def requests_of(p, actor, app, kind):
    return [r for r in app_of(p, actor, app)["requests"] if r["kind"] == kind]


def approve_request(p, req, approve=True, **extra):
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.requests WHERE request_id = '{req}'") == "1",
        what="review has the request")
    return ok(p.call("bureau", "review",
                     "request.approve" if approve else "request.reject",
                     dict({"request_id": req, "opinion": "同意" if approve
                           else "以单位另行提出的续期申请为准"}, **extra)))


def complete(p, order_id, **extra):
    return p.call("vendor", "provisioning", "order.complete",
                  dict({"order_id": order_id, "built": []}, **extra))


def inbox(p, actor):
    return ok(p.call(actor, "audit", "inbox.list", {}))["notifications"]


def told(p, actor, type_, app, words=""):
    return [n for n in inbox(p, actor) if n["type"] == type_
            and app in n["body"] and words in n["title"] + n["body"]]


def tick():
    time.sleep(1.0)                 # several ticks of the adapter


def to_production(p, actor, form, go_live_at):
    app = ok(p.submit(actor, form))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": app})["ok"], what="review has it")
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
    p.wait_until(lambda: state(p, actor, app) == "testing", what="testing")
    p.set_now(go_live_at)
    req = ok(p.call(actor, "intake", "request.go_live", {
        "app_id": app, "results": {"function": "通过", "performance": "通过",
                                   "security": "通过"}}))
    approve_request(p, req["request_id"])
    p.wait_until(lambda: app_of(p, actor, app).get("usage_to"), what="period")
    return app


@pytest.fixture(scope="module")
def period(platform):
    platform.stop_all()
    platform.set_now("2025-09-22T09:00:00+08:00")
    platform.start_all()
    platform.start_vendor()
    return {}


def test_1_period_end_computed_at_go_live(platform, period):
    """R14.1: 1 year from the go-live day by the month rule; 2026-10-01 is
    National Day, so the last day moves to the next working day."""
    p = platform
    renew = minimal_form("县教育局")
    renew["project"]["period"]["on_expiry"] = "renew"        # 过期顺延
    a = to_production(p, "edu", renew, "2025-10-01T10:00:00+08:00")
    stop = minimal_form()                                     # 过期停止服务
    b = to_production(p, "health", stop, "2025-10-09T10:00:00+08:00")
    period.update(a=a, b=b)
    got = app_of(p, "edu", a)
    assert (got["usage_from"], got["usage_to"], got["notice_due"],
            got["usage_provisional"]) == ("2025-10-01", "2026-10-08",
                                          "2026-09-08", False)
    got = app_of(p, "health", b)
    assert (got["usage_from"], got["usage_to"], got["notice_due"]) == (
        "2025-10-09", "2026-10-09", "2026-09-09")
    assert "自 2025-10-01 至 2026-10-08" in p.cli("show", a, actor="edu").stdout
    listed = p.cli("list", actor="bureau").stdout
    assert "2025-10-09 至 2026-10-09" in listed and "使用期限" in listed
    # the vendor from here on is the test
    p.kill("vendor-sim", signal.SIGTERM)


def test_2_notice_ordered_on_its_day_not_before(platform, period):
    """R14.2: the notice is owed by the day one month before the last day,
    ordered by the tick on that day (from 00:00), never the day before."""
    p, a, b = platform, period["a"], period["b"]
    p.set_now("2026-09-07T23:00:00+08:00")
    tick()
    assert not orders_of(p, a, "expiry_notice")
    p.set_now("2026-09-08T00:00:30+08:00")
    p.wait_until(lambda: orders_of(p, a, "expiry_notice"), what="notice A")
    notice = orders_of(p, a, "expiry_notice")
    assert [n[1:] for n in notice] == [["pending", "2026-09-08", "2026-09-08"]]
    assert not orders_of(p, b, "expiry_notice")
    period["notice_a"] = notice[0][0]
    # R14.2: the unit and the bureau get the notice in their inbox too;
    # another unit does not
    for actor in ("edu", "bureau", "vendor"):
        p.wait_until(lambda: told(p, actor, "order.created", a, "到期通知"),
                     what=f"notice in {actor}'s inbox")
    assert not told(p, "health", "order.created", a)
    # R14.3 过期顺延: the renewal for the form's length is filed for the
    # unit with the notice, once
    p.wait_until(lambda: requests_of(p, "edu", a, "renew"), what="auto renewal")
    auto = requests_of(p, "edu", a, "renew")
    assert len(auto) == 1
    period["auto"] = auto[0]["request_id"]
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.requests WHERE app_id = '{a}'"
        f" AND kind = 'renew' AND state = 'pending'") == "1",
        what="the bureau has the renewal to decide")
    assert p.scalar(f"SELECT detail_mp IS NOT NULL FROM intake.requests"
                    f" WHERE request_id = '{period['auto']}'") == "t"
    # B's notice comes the next day; 过期停止服务 files nothing
    p.set_now("2026-09-09T00:00:30+08:00")
    p.wait_until(lambda: orders_of(p, b, "expiry_notice"), what="notice B")
    assert orders_of(p, b, "expiry_notice")[0][2] == "2026-09-09"
    tick()
    assert not requests_of(p, "health", b, "renew")
    assert len(orders_of(p, a, "expiry_notice")) == 1        # never twice


def test_3_notice_overdue_then_confirmed(platform, period):
    """R14.2: not confirmed by its day, the notice is overdue for the
    vendor; the vendor confirms when, how and to whom it was given."""
    p, a, b = platform, period["a"], period["b"]
    late = overdue(p)
    assert late[period["notice_a"]]["late_workdays"] == 1
    assert late[period["notice_a"]]["owed_by"] == "vendor"
    notice_b = orders_of(p, b, "expiry_notice")[0][0]
    assert notice_b not in late                            # due today
    assert ("missing_field", "body.notice") in error_of(
        complete(p, period["notice_a"]))
    assert ("out_of_range", "body.notice.given_at") in error_of(complete(
        p, period["notice_a"], notice={"given_at": "2026-09-10",
                                       "channel": "公函", "to": "县教育局"}))
    ok(complete(p, period["notice_a"], notice={
        "given_at": "2026-09-09", "channel": "公函及短信",
        "to": "县教育局信息科及主管部门"}))
    got = ok(p.call("bureau", "provisioning", "order.get",
                    {"order_id": period["notice_a"]}))
    assert {i["kind"]: i["ref"] for i in got["built"]} == {
        "given_at": "2026-09-09", "channel": "公函及短信",
        "to": "县教育局信息科及主管部门"}
    ok(complete(p, notice_b, notice={"given_at": "2026-09-09",
                                     "channel": "电子邮件", "to": "县卫生健康局"}))
    assert period["notice_a"] not in overdue(p)


def test_4_renewal_moves_the_end(platform, period):
    """R14.3, R14.1: the unit asks 1-3 years more before the end; approved,
    the last day moves on from the old one (2028: a provisional year, and
    2028-10-08 is a Sunday)."""
    p, a = platform, period["a"]
    refused = p.cli("renew", a, "--years", "4", "--reason", "业务持续",
                    actor="edu", check=False)
    assert refused.returncode != 0
    out = p.cli("renew", a, "--years", "2", "--reason", "业务持续运行",
                actor="edu").stdout
    assert "续期申请已提交" in out
    req = [r for r in requests_of(p, "edu", a, "renew")
           if r["request_id"] != period["auto"]][0]["request_id"]
    approve_request(p, period["auto"], approve=False)
    approve_request(p, req)
    p.wait_until(lambda: app_of(p, "edu", a)["usage_to"] == "2028-10-09",
                 what="period moved")
    got = app_of(p, "edu", a)
    assert (got["usage_from"], got["notice_due"], got["usage_provisional"]) == (
        "2025-10-01", "2028-09-09", True)
    shown = p.cli("show", a, actor="edu").stdout
    assert "至 2028-10-09（" in shown and "暂定" in shown
    # a renewal of another unit's application: not found
    assert ("not_found", "body.app_id") in error_of(p.call(
        "health", "intake", "request.renew",
        {"app_id": a, "years": 1, "reason": "x"}))


def test_5_expiry_offline_and_backup_purge(platform, period):
    """R14.4: B (过期停止服务) expires after 24:00 of its last day; the
    bureau approves taking it offline; the vendor owes it within 15
    working days (overdue on the 16th); billing closes; the backup is kept
    3 months and its purge ordered from the day after."""
    p, a, b = platform, period["a"], period["b"]
    p.set_now("2026-10-09T23:00:00+08:00")
    tick()
    assert state(p, "health", b) == "production"
    p.set_now("2026-10-10T00:00:30+08:00")
    p.wait_until(lambda: state(p, "health", b) == "expired", what="expired")
    p.wait_until(lambda: ok(p.call("bureau", "review", "review.get",
                                   {"app_id": b}))["state"] == "expired",
                 what="review follows")
    assert state(p, "edu", a) == "production"                # renewed
    # R14.4: the unit and the bureau are told it expired, with its period
    for actor in ("health", "bureau"):
        p.wait_until(lambda: told(p, actor, "application.expired", b,
                                  "至 2026-10-09"), what=f"{actor} told")
    assert not told(p, "edu", "application.expired", b)
    # renewal after the end: refused
    assert ("invalid_state", "body.app_id") in error_of(p.call(
        "health", "intake", "request.renew",
        {"app_id": b, "years": 1, "reason": "补续"}))
    p.set_now("2026-10-12T09:00:00+08:00")
    assert p.cli("expire", b, actor="bureau", check=False).returncode == 2
    assert ("invalid_state", "body.app_id") in error_of(p.call(
        "bureau", "review", "review.expire", {"app_id": a, "opinion": "x"}))
    out = p.cli("expire", b, "--opinion", "期满未申请续期，同意下线",
                actor="bureau").stdout
    assert "已批准到期下线" in out
    p.wait_until(lambda: orders_of(p, b, "offline"), what="offline order")
    off = orders_of(p, b, "offline")
    assert [o[1:3] for o in off] == [["pending", "2026-11-02"]]
    p.set_now("2026-11-02T20:00:00+08:00")
    assert off[0][0] not in overdue(p)
    p.set_now("2026-11-03T09:00:00+08:00")                 # 16th working day
    assert overdue(p)[off[0][0]]["late_workdays"] == 1
    ok(complete(p, off[0][0]))
    p.wait_until(lambda: state(p, "health", b) == "offline", what="offline")
    # billing: the interval closed when the system went offline
    allocs = ok(p.call("bureau", "billing", "billing.allocations",
                       {"app_id": b}))["allocations"]
    p.wait_until(lambda: all(x["to"] for x in ok(p.call(
        "bureau", "billing", "billing.allocations", {"app_id": b}))["allocations"]),
        what="billing closed")
    assert allocs
    # the backup: kept 3 months from 2026-11-03, to 24:00 of 2027-02-03
    # (a provisional year), purged from 2027-02-04
    p.wait_until(lambda: p.sql(f"SELECT kept_until FROM provisioning.retention"
                               f" WHERE app_id = '{b}'"), what="retention")
    kept = p.sql(f"SELECT kept_until::text, rule FROM provisioning.retention"
                 f" WHERE app_id = '{b}'")[0]
    assert kept[0] == "2027-02-03" and kept[1].startswith("R14.4")
    p.set_now("2027-02-03T23:00:00+08:00")
    tick()
    assert not orders_of(p, b, "purge")
    p.set_now("2027-02-04T00:00:30+08:00")
    p.wait_until(lambda: orders_of(p, b, "purge"), what="purge ordered")
    purge = orders_of(p, b, "purge")
    assert len(purge) == 1 and purge[0][2:] == ["2027-02-12", "2027-02-04"]
    ok(complete(p, purge[0][0]))
    p.wait_until(lambda: state(p, "health", b) == "purged", what="purged")


def test_6_a_published_year_moves_a_provisional_end(platform, period):
    """Time rules: A's end (2028-10-09, provisional) rests on 2028; when the
    bureau publishes 2028 with that Monday off, the end moves to the next
    working day and the notice day with it (still 暂定: 2027 is not
    published)."""
    p, a = platform, period["a"]
    reply = p.call("bureau", "review", "calendar.publish", {
        "year": 2028, "kind": "full",
        "days": [{"date": "2028-10-09", "off": True, "name": "测试"}]})
    assert reply["ok"], reply
    p.wait_until(lambda: app_of(p, "edu", a)["usage_to"] == "2028-10-10",
                 what="the end recomputed")
    got = app_of(p, "edu", a)
    assert (got["notice_due"], got["usage_provisional"]) == ("2028-09-10", True)
