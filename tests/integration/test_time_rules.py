"""Time rules (requirements.md "Time rules"): a period ends at 24:00 of its
last day.  Each step that ends a period is named here and watched across
that midnight: not late at 23:00 of the last day, one working day late
from 00:00 of the next.  R9.1 acceptance, R10.2 end of the test, R12.3
paperwork owed after an emergency change; R13.2's retention and purge are
shown the same way in test_lifecycle::test_7."""
import pytest

from conftest import minimal_form

T0 = "2025-09-01T09:00:00+08:00"   # a Monday


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


@pytest.fixture(scope="module")
def clock(platform):
    platform.stop_all()
    platform.set_now(T0)
    platform.start_all()
    platform.start_vendor()
    return platform


def late_steps(p, app):
    """The steps of `app` that review.overdue shows, with how late."""
    rows = ok(p.call("bureau", "review", "review.overdue", {}))["overdue"]
    return {r["step"]: r["late_workdays"] for r in rows if r["app_id"] == app}


def across_midnight(p, app, step, last_day, next_day):
    """`step` is not late at 23:00 of `last_day`, and one working day late
    at 00:00 of `next_day` (the first moment after 24:00)."""
    p.set_now(f"{last_day}T23:00:00+08:00")
    assert step not in late_steps(p, app)
    p.set_now(f"{next_day}T00:00:30+08:00")
    assert late_steps(p, app).get(step) == 1


def test_r9_1_acceptance_ends_at_24_00_of_its_third_working_day(clock):
    p = clock
    app = ok(p.submit("health", minimal_form()))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
    got = ok(p.call("bureau", "review", "review.get", {"app_id": app}))
    assert got["accept_due"] == "2025-09-04"          # Tue, Wed, Thu
    across_midnight(p, app, "accept", "2025-09-04", "2025-09-05")
    ok(p.call("bureau", "review", "review.decline",
              {"app_id": app, "opinion": "材料不全"}))
    assert "accept" not in late_steps(p, app)


def test_r10_2_test_and_r12_3_paperwork_end_at_24_00_of_their_last_day(clock):
    p = clock
    p.set_now(T0)
    app = ok(p.submit("health", minimal_form()))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
    p.wait_until(lambda: ok(p.call("health", "intake", "application.get",
                                   {"app_id": app}))["state"] == "testing",
                 what="test environment delivered")
    # R10.2: delivered Monday 2025-09-01, 15 days end Tuesday 09-16
    p.wait_until(lambda: any(d["what"] == "test_end" for d in ok(p.call(
        "bureau", "review", "review.get", {"app_id": app}))["duties"]))
    across_midnight(p, app, "test_end", "2025-09-16", "2025-09-17")
    # R11.1 go-live (level 2: no third-party report), then R12.3
    req = ok(p.call("health", "intake", "request.go_live", {
        "app_id": app, "results": {"function": "通过", "performance": "通过",
                                   "security": "通过"}}))["request_id"]
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.requests WHERE request_id = '{req}'") == "1")
    ok(p.call("bureau", "review", "request.approve", {"request_id": req}))
    p.wait_until(lambda: ok(p.call("health", "intake", "application.get",
                                   {"app_id": app}))["state"] == "production",
                 what="production")
    assert "test_end" not in late_steps(p, app)
    resources = minimal_form()["resources"]
    p.set_now("2025-09-17T10:00:00+08:00")
    ok(p.call("health", "provisioning", "emergency.report",
              {"app_id": app, "resources": resources, "description": "临时扩容"}))
    # 5 working days from Thursday 09-18: due Wednesday 09-24
    p.wait_until(lambda: any(d["what"] == "paperwork" for d in ok(p.call(
        "bureau", "review", "review.get", {"app_id": app}))["duties"]))
    duty = [d for d in ok(p.call("bureau", "review", "review.get",
                                 {"app_id": app}))["duties"]
            if d["what"] == "paperwork"][0]
    assert (duty["due"], duty["owed_by"]) == ("2025-09-24", "unit")
    across_midnight(p, app, "paperwork", "2025-09-24", "2025-09-25")
