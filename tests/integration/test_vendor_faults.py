"""R7 with a vendor whose client crashes, retries or reports twice, and an
adapter killed mid-order: no order is lost, none is provisioned twice.
The vendor is yjc-vendor-sim with its fault options; the adapter is
killed with SIGKILL and restarted."""
import signal
import time

import pytest

from conftest import Platform, minimal_form


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def approved(p, actor="health"):
    app = ok(p.submit(actor, minimal_form()))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
    return app


def order_state(p, app):
    rows = p.sql(f"SELECT state FROM provisioning.orders WHERE app_id = '{app}'")
    return rows[0][0] if rows else None


def completions(p, app):
    return p.scalar("SELECT count(*) FROM audit.events WHERE type = 'order.completed'"
                    f" AND app_id = '{app}'")


@pytest.fixture(scope="module")
def p():
    platform = Platform("vendorfaults")
    platform.start_all()
    yield platform
    platform.stop_all()
    findings = platform.sanitizer_findings()
    assert not findings, findings


def test_vendor_crash_mid_order_then_reconnect(p):
    # acknowledged, then the vendor's client dies before reporting
    p.start_vendor("--delay", "3000")
    app = approved(p)
    p.wait_until(lambda: order_state(p, app) == "acknowledged", what="ack")
    p.kill("vendor-sim")
    time.sleep(0.5)
    assert order_state(p, app) == "acknowledged"      # nothing lost
    p.start_vendor()                                    # reconnects, fetches again
    p.wait_until(lambda: order_state(p, app) == "done", what="done")
    p.wait_until(lambda: completions(p, app) == "1", what="audited")
    time.sleep(0.5)
    assert completions(p, app) == "1"
    assert p.scalar(f"SELECT count(*) FROM billing.allocations WHERE app_id = '{app}'") == "1"
    p.kill("vendor-sim", signal.SIGTERM)


def test_adapter_killed_while_the_vendor_works(p):
    p.start_vendor("--delay", "1500", "--duplicate")
    app = approved(p)
    p.wait_until(lambda: order_state(p, app) == "acknowledged", what="ack")
    p.kill("provisioning")                 # the vendor's report finds no one
    time.sleep(2.0)
    p.start("provisioning")
    p.wait_until(lambda: order_state(p, app) == "done", timeout=90, what="done")
    p.wait_until(lambda: completions(p, app) == "1", what="audited")
    time.sleep(1.0)
    assert completions(p, app) == "1"
    assert p.scalar(f"SELECT count(*) FROM provisioning.orders WHERE app_id = '{app}'") == "1"
    assert p.scalar(f"SELECT count(*) FROM billing.allocations WHERE app_id = '{app}'") == "1"
    p.kill("vendor-sim", signal.SIGTERM)


def test_failure_reported_twice_is_one_failure(p):
    p.start_vendor("--fail-every", "1", "--duplicate")
    app = approved(p)
    p.wait_until(lambda: order_state(p, app) == "failed", what="failed")
    p.wait_until(lambda: ok(p.call("health", "intake", "application.get",
                                   {"app_id": app}))["state"] == "provision_failed")
    time.sleep(0.5)
    assert p.scalar("SELECT count(*) FROM audit.events WHERE type = 'order.failed'"
                    f" AND app_id = '{app}'") == "1"
    p.kill("vendor-sim", signal.SIGTERM)
    # a closed order takes no other result
    order = p.scalar(f"SELECT order_id FROM provisioning.orders WHERE app_id = '{app}'")
    c = p.client("vendor", "vendor")
    try:
        reply = c.call("order.complete", {"order_id": order, "built": []})
        assert reply["error"]["code"] == "invalid_state"
        again = c.call("order.fail", {"order_id": order, "reason": "again"})
        assert ok(again)["duplicate"] is True
        unknown = c.call("order.ack", {"order_id": "O999999"})
        assert unknown["error"]["code"] == "not_found"
    finally:
        c.close()


def test_failed_order_is_ordered_again_by_the_bureau_only(p):
    """R7: what the vendor failed is ordered again only by the bureau's
    decision (order.reorder); the application then goes on to testing."""
    p.start_vendor("--fail-every", "1")
    app = approved(p)
    p.wait_until(lambda: order_state(p, app) == "failed", what="failed")
    p.kill("vendor-sim", signal.SIGTERM)
    failed = p.scalar(f"SELECT order_id FROM provisioning.orders WHERE app_id = '{app}'")
    # the history names the order, so the bureau can refer to it
    history = ok(p.call("bureau", "intake", "application.get", {"app_id": app}))["history"]
    assert any(h["state"] == "provision_failed" and h["note"].startswith(failed)
               for h in history)
    assert p.call("health", "provisioning", "order.reorder",
                  {"order_id": failed})["error"]["code"] == "forbidden"
    out = p.cli("reorder", failed, "--opinion", "扩容后重新交付", actor="bureau").stdout
    again = ok(p.call("bureau", "provisioning", "order.reorder", {"order_id": failed}))
    assert again["duplicate"] is True and again["order_id"] in out
    open_order = p.call("bureau", "provisioning", "order.reorder",
                        {"order_id": again["order_id"]})
    assert open_order["error"]["code"] == "invalid_state"
    p.start_vendor()
    p.wait_until(lambda: ok(p.call("health", "intake", "application.get",
                                   {"app_id": app}))["state"] == "testing",
                 what="testing after the new order")
    assert p.scalar(f"SELECT count(*) FROM provisioning.orders WHERE app_id = '{app}'") == "2"
    p.kill("vendor-sim", signal.SIGTERM)


def test_vendor_sim_stops_within_a_second_of_sigterm(platform):
    """The reference client, waiting in a long poll or between rounds,
    stops within a second when told to (SIGTERM)."""
    import signal as _signal
    for args in (("--interval", "20000"), ("--interval", "20000", "--delay", "20000")):
        platform.start_vendor(*args)
        proc = platform.procs["vendor-sim"]
        time.sleep(1.0)                  # in its long poll by now
        assert proc.poll() is None
        t = time.time()
        proc.send_signal(_signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.time() - t < 1.0, args
