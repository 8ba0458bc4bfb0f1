"""People's requests and the services' deliveries run in separate batches
(issue 14): a request never waits inside a delivery's transaction, and
deliveries leave a worker to requests.  Review runs with two workers;
its applications table is held in SHARE mode by the test, so that every
delivery that writes it waits, while a read (review.get) does not."""
import time

import pytest

from conftest import Platform, full_form, hold_table, running


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def in_review(p, app):
    return p.call("bureau", "review", "review.get", {"app_id": app})["ok"]


def submit(p):
    app = ok(p.submit("edu", full_form()))["app_id"]
    p.wait_until(lambda: in_review(p, app), what=f"{app} in review")
    return app


@pytest.fixture(scope="module")
def platform():
    p = Platform("lanes")
    p.env["YJC_WORKERS"] = "2"
    p.env["YJC_TICK_MS"] = "3600000"  # no periodic work in the way
    yield from running(p)


def waiting_in_review(p):
    return int(p.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'yjc_review'"
        " AND wait_event_type = 'Lock'"))


def test_a_request_is_served_while_deliveries_wait(platform):
    p = platform
    approved, other = submit(p), submit(p)
    ok(p.call("bureau", "review", "review.accept", {"app_id": approved}))
    # provisioning away: its order.created for `approved` comes later,
    # into the held table
    p.kill("provisioning")
    ok(p.call("bureau", "review", "review.approve", {"app_id": approved}))
    psql = hold_table(p, "review.applications")
    try:
        p.start("provisioning")
        # two senders' deliveries to review, both writing the held table:
        # provisioning's order.created, intake's application.submitted
        late = ok(p.submit("edu", full_form()))["app_id"]
        p.wait_until(lambda: p.scalar(
            "SELECT count(*) FROM provisioning.orders WHERE app_id = '%s'"
            % approved) == "1", what="the order")
        p.wait_until(lambda: waiting_in_review(p) >= 1, what="a delivery waiting")
        time.sleep(1.0)  # both relays have sent theirs by now
        # Before the lanes, the second delivery took the second worker and
        # this read had none until the table was let go; and a request
        # waited for others to join it while any transaction ran, a
        # delivery's too.
        started = time.time()
        try:
            reply = p.call("bureau", "review", "review.get", {"app_id": other},
                           timeout_ms=5000)
        except TimeoutError:
            raise AssertionError("review.get unanswered; review's sessions: %s" % p.sql(
                "SELECT state, wait_event_type, left(query, 60) FROM pg_stat_activity"
                " WHERE usename = 'yjc_review'"))
        waited = time.time() - started
        assert reply["ok"], reply
        assert waited < 2.0, f"review.get waited {waited:.2f} s"
        # one worker holds a waiting delivery; the other is left to requests
        assert waiting_in_review(p) == 1
    finally:
        psql.stdin.write("COMMIT;\n")
        psql.stdin.close()
        psql.wait(timeout=30)
    # nothing lost: both deliveries land once the table is free
    p.wait_until(lambda: in_review(p, late), what=f"{late} in review")
    p.wait_until(lambda: p.scalar(
        "SELECT (SELECT count(*) FROM intake.outbox_pending WHERE receiver = 'review')"
        " + (SELECT count(*) FROM provisioning.outbox_pending WHERE receiver = 'review')")
        == "0", what="every delivery to review acknowledged")
