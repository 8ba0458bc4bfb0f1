"""The inbox: whatever an actor must know or do reaches it, derived from
the events in one place (proto/yjc_notify.def, stored by audit with the
event): decisions on an application (R9.1, R9.2) and on requests (R10.2,
R11.1, R12.1, R13.1) reach the application's unit and no other;
request.submitted the bureau; a new order the vendor (R7); a deadline
one working day away and past reach the party that owes it, once each,
across a restart: R9.1 (accept, 3 working days), R9.2 (opinion, 5
working days), R10.1 (test environment, 3 working days); a published
year that moves a deadline tells its party.  Read marks are per actor;
the auditor reads everyone's; a unit never reads another unit's, by any
filter.  The clock is moved with YJC_NOW_FILE."""
import pytest

from conftest import full_form, minimal_form

T0 = "2025-09-01T09:00:00+08:00"   # a Monday
EDU, HEALTH = "县教育局", "县卫生健康局"


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def inbox(p, actor, **body):
    return ok(p.call(actor, "audit", "inbox.list", dict(body, limit=500)))


def notes(p, actor, **body):
    return inbox(p, actor, **body)["notifications"]


def of(p, actor, type_, app=None):
    return [n for n in notes(p, actor)
            if n["type"] == type_ and (app is None or n["app_id"] == app)]


def wait_note(p, actor, type_, app=None, what=None):
    p.wait_until(lambda: of(p, actor, type_, app),
                 what=what or f"{type_} {app} in {actor}'s inbox")
    return of(p, actor, type_, app)


def submit(p, actor, form):
    app = ok(p.submit(actor, form))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": app})["ok"], what="review")
    return app


def settle(p):
    """Every service has acted on its events and ticked at the clock now
    (the relay and the ticks run every 100-200 ms)."""
    import time
    time.sleep(1.5)
    p.wait_until(lambda: p.scalar(
        "SELECT (SELECT count(*) FROM review.outbox_pending) +"
        " (SELECT count(*) FROM provisioning.outbox_pending)") == "0",
        what="every event delivered")


@pytest.fixture(scope="module")
def apps(platform):
    p = platform
    p.stop_all()
    p.set_now(T0)
    p.start_all()
    a = {
        # edu: accepted and approved at once -> a test_env order (R10.1)
        "approved": submit(p, "edu", full_form(EDU)),
        # edu: accepted and left -> the bureau owes its opinion (R9.2)
        "accepted": submit(p, "edu", full_form(EDU)),
        # health: left submitted -> the bureau owes acceptance (R9.1)
        "submitted": submit(p, "health", minimal_form(HEALTH)),
        # health: declined
        "declined": submit(p, "health", minimal_form(HEALTH)),
    }
    ok(p.call("bureau", "review", "review.accept", {"app_id": a["approved"]}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": a["approved"]}))
    ok(p.call("bureau", "review", "review.accept", {"app_id": a["accepted"]}))
    ok(p.call("bureau", "review", "review.decline",
              {"app_id": a["declined"], "opinion": "缺少系统建设方案"}))
    return a


def test_decisions_reach_their_unit_only(platform, apps):
    p = platform
    got = wait_note(p, "edu", "application.approved", apps["approved"])
    assert len(got) == 1 and got[0]["title"] == "申请审核通过"
    assert apps["approved"] in got[0]["body"]
    assert (got[0]["recipient"], got[0]["unit"]) == ("unit", EDU)
    assert wait_note(p, "edu", "application.accepted", apps["accepted"])
    declined = wait_note(p, "health", "application.declined", apps["declined"])
    # the facts of the payload: the opinion the decision carries (R9.1)
    assert "缺少系统建设方案" in declined[0]["body"]
    # never another unit's, never the bureau's or the vendor's
    assert {n["unit"] for n in notes(p, "edu")} == {EDU}
    assert {n["unit"] for n in notes(p, "health")} == {HEALTH}
    assert not [n for n in notes(p, "health")
                if n["app_id"] in (apps["approved"], apps["accepted"])]
    assert not [n for n in notes(p, "bureau")
                if n["type"].startswith("application.")]
    # the CLI: a Chinese table, the unread ones marked
    text = p.cli("--as", "health", "inbox").stdout
    assert "申请不予受理" in text and "未读" in text
    assert apps["approved"] not in text


def test_a_new_order_reaches_the_vendor_and_the_unit(platform, apps):
    p = platform
    got = wait_note(p, "vendor", "order.created", apps["approved"])
    assert len(got) == 1 and got[0]["recipient"] == "vendor"
    assert "开通测试环境" in got[0]["body"] and "2025-09-04" in got[0]["body"]
    assert wait_note(p, "edu", "order.created", apps["approved"])
    assert not of(p, "health", "order.created")
    assert not of(p, "bureau", "order.created")


def count(p, actor, type_, app):
    return len(of(p, actor, type_, app))


def test_deadline_near_the_working_day_before_and_overdue_the_day_after(
        platform, apps):
    """R9.1: submitted Mon 09-01, acceptance due Thu 09-04: near on Wed
    09-03 (not Tue), overdue from Fri 09-05.  R10.1: the test environment
    ordered 09-01 is due 09-04 likewise, owed by the vendor.  R9.2:
    accepted 09-01, opinion due Mon 09-08: near on Fri 09-05 (the next
    working day is Monday), overdue on Tue 09-09.  Once each, across a
    restart of every service."""
    p = platform
    sub, acc, appr = apps["submitted"], apps["accepted"], apps["approved"]
    p.set_now("2025-09-02T10:00:00+08:00")
    settle(p)
    assert count(p, "bureau", "deadline.near", sub) == 0
    assert count(p, "vendor", "order.deadline_near", appr) == 0

    p.set_now("2025-09-03T08:00:00+08:00")
    near = wait_note(p, "bureau", "deadline.near", sub)
    assert "2025-09-04" in near[0]["body"] and "受理" in near[0]["body"]
    assert "R9.1" in near[0]["body"]
    order_near = wait_note(p, "vendor", "order.deadline_near", appr)
    assert "2025-09-04" in order_near[0]["body"]
    settle(p)
    # only the party that owes it
    assert count(p, "health", "deadline.near", sub) == 0
    assert count(p, "edu", "order.deadline_near", appr) == 0
    assert count(p, "bureau", "deadline.near", acc) == 0  # due 09-08

    # a restart says nothing again
    p.stop_all()
    p.start_all()
    settle(p)
    assert count(p, "bureau", "deadline.near", sub) == 1
    assert count(p, "vendor", "order.deadline_near", appr) == 1

    p.set_now("2025-09-04T23:59:00+08:00")   # the last day: not overdue
    settle(p)
    assert count(p, "bureau", "deadline.overdue", sub) == 0
    assert count(p, "vendor", "order.deadline_overdue", appr) == 0

    p.set_now("2025-09-05T00:01:00+08:00")
    over = wait_note(p, "bureau", "deadline.overdue", sub)
    assert "2025-09-04" in over[0]["body"] and over[0]["title"] == "已逾期"
    wait_note(p, "vendor", "order.deadline_overdue", appr)
    # Friday 09-05: R9.2's Monday 09-08 is the next working day
    wait_note(p, "bureau", "deadline.near", acc)

    p.set_now("2025-09-09T00:01:00+08:00")
    wait_note(p, "bureau", "deadline.overdue", acc)
    p.stop_all()
    p.start_all()
    settle(p)
    for actor, type_, app in [("bureau", "deadline.near", sub),
                              ("bureau", "deadline.overdue", sub),
                              ("bureau", "deadline.near", acc),
                              ("bureau", "deadline.overdue", acc),
                              ("vendor", "order.deadline_near", appr),
                              ("vendor", "order.deadline_overdue", appr)]:
        assert count(p, actor, type_, app) == 1, (actor, type_, app)
    assert p.scalar("SELECT count(*) FROM review.reminders") == "4"


def test_request_submitted_reaches_the_bureau_its_decision_the_unit(
        platform, apps):
    p = platform
    appr = apps["approved"]
    order = of(p, "vendor", "order.created", appr)[0]["body"]
    order_id = p.scalar("SELECT order_id FROM provisioning.orders "
                        f"WHERE app_id = '{appr}'")
    assert order_id in order
    ok(p.call("vendor", "vendor", "order.complete",
              {"order_id": order_id, "built": []}))
    done = wait_note(p, "edu", "order.completed", appr)
    assert wait_note(p, "bureau", "order.completed", appr)
    assert not of(p, "health", "order.completed")
    assert done[0]["title"] == "供应商已完成订单"
    p.wait_until(lambda: ok(p.call("edu", "intake", "application.get",
                                   {"app_id": appr}))["state"] == "testing",
                 what="testing")
    req = ok(p.call("edu", "intake", "request.extend_test",
                    {"app_id": appr, "until": "2025-10-31",
                     "reason": "联调未完成"}))["request_id"]
    got = wait_note(p, "bureau", "request.submitted", appr)
    assert req in got[0]["body"] and "延长测试期" in got[0]["body"]
    assert not of(p, "edu", "request.submitted")
    assert not of(p, "vendor", "request.submitted")
    p.wait_until(lambda: p.call("bureau", "review", "request.approve",
                                {"request_id": req, "until": "2025-10-31"})["ok"],
                 what="request approved")
    got = wait_note(p, "edu", "request.approved", appr)
    assert "2025-10-31" in got[0]["body"]
    assert not of(p, "health", "request.approved")
    # R10.2: the extended test ends Fri 10-31, a step the unit owes: on
    # Thu 10-30 the unit is told, nobody else
    p.set_now("2025-10-30T09:00:00+08:00")
    got = wait_note(p, "edu", "deadline.near", appr)
    assert len(got) == 1 and "2025-10-31" in got[0]["body"]
    assert "R10.2" in got[0]["body"]
    settle(p)
    assert not of(p, "bureau", "deadline.near", appr)
    assert not of(p, "health", "deadline.near", appr)


def test_read_marks_are_per_actor(platform, apps):
    p = platform
    p.cli("actor", "add", "edu2", "--role", "unit", "--unit", EDU)
    mine = notes(p, "edu")
    assert mine and [n["id"] for n in notes(p, "edu2")] == [n["id"] for n in mine]
    first = mine[-1]
    unread = inbox(p, "edu")["unread"]
    assert unread == len(mine)
    out = p.cli("--as", "edu", "inbox", "read", str(first["id"]))
    assert "已标为已读 1 条" in out.stdout
    assert inbox(p, "edu")["unread"] == unread - 1
    assert first["id"] not in [n["id"] for n in notes(p, "edu", unread=True)]
    # the other clerk of the same unit still has it unread
    assert inbox(p, "edu2")["unread"] == unread
    assert first["id"] in [n["id"] for n in notes(p, "edu2", unread=True)]
    # --all marks the rest, for edu only
    p.cli("--as", "edu", "inbox", "read", "--all")
    assert inbox(p, "edu")["unread"] == 0
    assert notes(p, "edu", unread=True) == []
    assert inbox(p, "edu2")["unread"] == unread
    js = p.cli("inbox", "--unread", actor="edu2", json_out=True)
    assert len(js["notifications"]) == unread
    assert "未读 0 条" in p.cli("--as", "edu", "inbox", "--unread").stdout


def test_the_auditor_reads_everyones(platform, apps):
    p = platform
    everything = notes(p, "auditor")
    units = {n["unit"] for n in everything if n["recipient"] == "unit"}
    assert units == {EDU, HEALTH}
    assert {n["recipient"] for n in everything} == {"unit", "bureau", "vendor"}
    only = notes(p, "auditor", recipient="unit", unit=HEALTH)
    assert only and {(n["recipient"], n["unit"]) for n in only} == {("unit", HEALTH)}
    assert {n["recipient"] for n in notes(p, "auditor", recipient="vendor")} == {"vendor"}
    assert not p.call("auditor", "audit", "inbox.list", {"recipient": "nobody"})["ok"]
    # the admin has no inbox; a service may not ask
    assert notes(p, "admin") == []


def test_a_unit_never_reads_another_units(platform, apps):
    p = platform
    for body in ({"unit": EDU}, {"recipient": "bureau"},
                 {"recipient": "unit", "unit": EDU}, {"recipient": "vendor"}):
        reply = p.call("health", "audit", "inbox.list", body)
        assert not reply["ok"] and reply["error"]["code"] == "forbidden", body
        assert not p.call("vendor", "audit", "inbox.list", body)["ok"]
    res = p.cli("--as", "health", "inbox", "--unit", EDU, check=False)
    assert res.returncode != 0
    # marking another unit's notification read: not found, nothing marked
    edu_id = notes(p, "edu2")[0]["id"]
    reply = p.call("health", "audit", "inbox.read", {"ids": [str(edu_id)]})
    assert not reply["ok"] and reply["error"]["code"] == "not_found"
    assert p.scalar(f"SELECT count(*) FROM audit.notification_reads "
                    f"WHERE id = {edu_id} AND actor = 'health'") == "0"
    reply = p.call("health", "audit", "inbox.read", {"ids": ["x1"]})
    assert not reply["ok"] and reply["error"]["code"] == "invalid_value"
    assert not p.call("health", "audit", "inbox.read", {})["ok"]
    # marking all reads only its own
    ok(p.call("health", "audit", "inbox.read", {"all": True}))
    assert p.scalar("SELECT count(*) FROM audit.notification_reads r JOIN "
                    "audit.notifications n USING (id) WHERE r.actor = 'health'"
                    f" AND n.unit IS DISTINCT FROM '{HEALTH}'") == "0"


def test_a_calendar_publication_that_moves_a_deadline_notifies_its_party(
        platform):
    """Submitted Tue 2026-12-29: acceptance due Mon 2027-01-04 on the
    provisional 2027 (R9.1); the published 2027 makes 01-04 a day off, so
    it moves to 01-05: the bureau, who owes it, is told; the unit not."""
    p = platform
    p.set_now("2026-12-29T10:00:00+08:00")
    app = submit(p, "health", minimal_form(HEALTH))
    assert ok(p.call("bureau", "review", "review.get",
                     {"app_id": app}))["accept_due"] == "2027-01-04"
    reply = ok(p.call("bureau", "review", "calendar.publish", {
        "year": 2027, "kind": "full", "days": [
            {"date": "2027-01-01", "off": True, "name": "元旦"},
            {"date": "2027-01-04", "off": True, "name": "测试"}]}))
    assert reply["changed"] >= 1
    got = wait_note(p, "bureau", "deadline.changed", app)
    assert len(got) == 1 and "由 2027-01-04 调整为 2027-01-05" in got[0]["body"]
    assert got[0]["title"] == "期限因放假安排调整"
    settle(p)
    assert not of(p, "health", "deadline.changed", app)
