"""The outbox and inbox are pruned once delivered and older than
YJC_PRUNE_AFTER_S; the audit trail is the record.  An event still owed to
a receiver that is down is kept, delivered when it is back (once), and
pruned after."""
import time

import pytest

from conftest import Platform, minimal_form


@pytest.fixture(scope="module")
def pruning():
    p = Platform("prune")
    p.env.update({"YJC_PRUNE_AFTER_S": "1", "YJC_PRUNE_EVERY_MS": "300"})
    p.start_all()
    yield p
    p.stop_all()
    assert not p.sanitizer_findings()


def count(p, table):
    return int(p.scalar(f"SELECT count(*) FROM {table}"))


def test_delivered_events_are_pruned_and_owed_ones_kept(pruning):
    p = pruning
    app = p.submit("health", minimal_form())["body"]["app_id"]
    p.wait_until(lambda: count(p, "audit.events") >= 1, what="audited")
    p.wait_until(lambda: count(p, "intake.outbox") == 0 and
                 count(p, "review.inbox") == 0 and count(p, "audit.inbox") == 0,
                 timeout=20, what="pruned")
    # the record stays: the audit trail and the application
    assert p.scalar(f"SELECT count(*) FROM audit.events WHERE app_id = '{app}'") == "1"
    # review is down: what is owed to it is kept however old
    p.kill("review")
    app2 = p.submit("health", minimal_form())["body"]["app_id"]
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM audit.events WHERE app_id = '{app2}'") == "1")
    time.sleep(2.0)                            # older than the retention
    assert count(p, "intake.outbox") == 1
    assert p.scalar("SELECT string_agg(receiver, ',') FROM intake.outbox_pending "
                    "WHERE receiver <> 'audit'") == "review"
    p.start("review")
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.applications WHERE app_id = '{app2}'") == "1",
        what="delivered after the restart")
    p.wait_until(lambda: count(p, "intake.outbox") == 0, timeout=20, what="pruned")
    assert p.scalar(
        f"SELECT count(*) FROM review.applications WHERE app_id = '{app2}'") == "1"
