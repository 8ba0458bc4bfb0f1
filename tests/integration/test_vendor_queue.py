"""The vendor's queue as a vendor's own client uses it (proto/README.md
§8): the fetch's cursor, so that a long poll waits while orders the vendor
is building stay open (R7, R10.1: answered at once when a new order is
made); the cursor survives a SIGKILL of the adapter; an emergency report
(R12.3) retried with a fresh envelope id makes one order; order.get shows
one order with what a re-order replaces, and to a unit only its own.  No
vendor simulator runs here: the test is the vendor."""
import copy
import time
import uuid

import msgpack
import pytest

from conftest import Platform, minimal_form


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def code_of(reply):
    assert not reply["ok"], reply
    return reply["error"]["code"], reply["error"].get("field")


@pytest.fixture(scope="module")
def p():
    platform = Platform("vendorqueue")
    platform.start_all()
    yield platform
    platform.stop_all()
    findings = platform.sanitizer_findings()
    assert not findings, findings


@pytest.fixture
def vendor(p):
    c = p.client("vendor", "vendor")
    yield c
    c.close()


UNITS = {"health": "县卫生健康局", "edu": "县教育局"}


def approved(p, actor="health"):
    app = ok(p.submit(actor, minimal_form(unit=UNITS[actor])))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve", {"app_id": app}))
    return app


def open_order(p, app, kind):
    """The order of `kind` the adapter made for `app`, once it exists."""
    q = (f"SELECT order_id FROM provisioning.orders WHERE app_id = '{app}'"
         f" AND kind = '{kind}' AND closed_at IS NULL")
    p.wait_until(lambda: p.sql(q), what=f"{kind} order of {app}")
    return p.scalar(q)


def fetch(c, timeout_ms=10000, **body):
    t = time.time()
    out = ok(c.call("order.fetch", body, timeout_ms=timeout_ms))
    return out, time.time() - t


def drain(c):
    """Reads every change there is; returns the cursor after them."""
    out, _ = fetch(c)
    while out["orders"]:
        out, _ = fetch(c, cursor=out["cursor"])
    return out["cursor"]


def test_fetch_with_cursor_waits_while_an_acknowledged_order_is_open(p, vendor):
    """The documented loop does not spin: an order acknowledged and being
    built stays open, yet a fetch with the cursor holds for its wait_ms;
    a new order ends the wait at once."""
    app = approved(p)
    order = open_order(p, app, "test_env")
    first, _ = fetch(vendor)
    assert order in [o["order_id"] for o in first["orders"]]
    assert first["cursor"].startswith("c")
    assert ok(vendor.call("order.ack", {"order_id": order}))["state"] == "acknowledged"
    cursor = drain(vendor)               # our own ack comes back once
    # still open: without the cursor it comes back at once, every time
    again, took = fetch(vendor, wait_ms=3000)
    assert order in [o["order_id"] for o in again["orders"]] and took < 1.5
    # with the cursor, nothing changed: the fetch holds for its wait_ms
    held, took = fetch(vendor, cursor=cursor, wait_ms=2000, timeout_ms=8000)
    assert held["orders"] == [] and took >= 1.7, took
    assert held["cursor"] == cursor
    # a new order during the wait answers it at once
    vendor.send_raw(msgpack.packb({"v": 1, "id": "lp", "type": "order.fetch",
                                   "body": {"cursor": cursor, "wait_ms": 25000}}))
    app2 = ok(p.submit("edu", minimal_form(unit=UNITS["edu"])))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app2})["ok"])
    ok(p.call("bureau", "review", "review.accept", {"app_id": app2}))
    t = time.time()
    ok(p.call("bureau", "review", "review.approve", {"app_id": app2}))
    reply = msgpack.unpackb(vendor.recv_raw(15000), raw=False)
    assert time.time() - t < 5
    assert reply["id"] == "lp"
    assert [(o["app_id"], o["state"]) for o in reply["body"]["orders"]] == [(app2, "pending")]
    assert reply["body"]["cursor"] != cursor
    # a cursor not given by the adapter is refused, named
    assert code_of(vendor.call("order.fetch", {"cursor": "zz"})) == ("invalid_value", "body.cursor")


def test_fetch_without_cursor_returns_every_open_order(p, vendor):
    """The vendor's restart: every open order, pending or acknowledged,
    none closed; cut at `limit`, the cursor brings the rest."""
    apps = [approved(p) for _ in range(2)]
    orders = [open_order(p, a, "test_env") for a in apps]
    ok(vendor.call("order.ack", {"order_id": orders[0]}))
    want = {o[0] for o in p.sql("SELECT order_id FROM provisioning.orders"
                                " WHERE closed_at IS NULL")}
    assert set(orders) <= want and len(want) >= 3
    every, _ = fetch(vendor, limit=100)
    assert {o["order_id"] for o in every["orders"]} == want
    assert {o["state"] for o in every["orders"]} <= {"pending", "acknowledged"}
    # one at a time: the cursor after each brings the next, none lost
    seen, out = [], fetch(vendor, limit=1)[0]
    while out["orders"]:
        assert len(out["orders"]) == 1
        seen.append(out["orders"][0]["order_id"])
        out = fetch(vendor, limit=1, cursor=out["cursor"])[0]
    assert set(seen) == want and len(seen) == len(want)


def test_cursor_survives_an_adapter_killed_and_restarted(p, vendor):
    old = {o[0] for o in p.sql("SELECT order_id FROM provisioning.orders"
                               " WHERE closed_at IS NULL")}
    assert old
    cursor = drain(vendor)
    p.kill("provisioning")               # SIGKILL
    p.start("provisioning")
    c = p.client("vendor", "vendor")
    try:
        nothing, took = fetch(c, cursor=cursor, wait_ms=1000)
        assert nothing["orders"] == [] and took >= 0.8
        app = approved(p)
        new = open_order(p, app, "test_env")
        out, _ = fetch(c, cursor=cursor, wait_ms=5000)
        # only what changed since: the new order, none of the old open ones
        assert [o["order_id"] for o in out["orders"]] == [new]
    finally:
        c.close()


def test_a_second_adapter_gives_the_same_cursors(p, vendor):
    """Two instances on one database: a cursor of one is good at the
    other (one sequence of changes)."""
    import os
    import signal
    import subprocess
    from conftest import BIN, free_port
    cursor = drain(vendor)
    env = dict(p.env, YJC_DB=p.conninfo("provisioning"),
               YJC_PROVISIONING_ENDPOINT=f"tcp://127.0.0.1:{free_port()}",
               YJC_VENDOR_ENDPOINT=f"tcp://127.0.0.1:{free_port()}")
    log = open(os.path.join(p.dir, "provisioning-2.log"), "ab")
    proc = subprocess.Popen([os.path.join(BIN, "yjc-provisioning-adapter")],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    import yjc
    other = yjc.Client(p.keys, "vendor", env["YJC_VENDOR_ENDPOINT"], "provisioning")
    try:
        p.wait_until(lambda: other.call("sys.status", timeout_ms=1000)["ok"],
                     what="second adapter")
        assert fetch(other, cursor=cursor)[0] == {"orders": [], "cursor": cursor}
        app = approved(p)
        new = open_order(p, app, "test_env")
        # seen at both, with the same cursor after it
        a, b = fetch(vendor, cursor=cursor)[0], fetch(other, cursor=cursor)[0]
        assert [o["order_id"] for o in a["orders"]] == [new]
        assert a == b
        # a step at one instance moves the cursor seen at the other
        ok(other.call("order.ack", {"order_id": new}))
        after = fetch(vendor, cursor=a["cursor"])[0]
        assert [(o["order_id"], o["state"]) for o in after["orders"]] == [(new, "acknowledged")]
    finally:
        other.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def deliver(p, vendor, app, kind):
    order = open_order(p, app, kind)
    ok(vendor.call("order.complete", {"order_id": order, "built": []}))
    return order


def in_production(p, vendor, actor="health"):
    app = approved(p, actor)
    deliver(p, vendor, app, "test_env")
    p.wait_until(lambda: ok(p.call(actor, "intake", "application.get",
                                   {"app_id": app}))["state"] == "testing")
    req = ok(p.call(actor, "intake", "request.go_live", {
        "app_id": app, "results": {"function": "通过", "performance": "通过",
                                   "security": "通过"}}))["request_id"]
    p.wait_until(lambda: p.call("bureau", "review", "request.approve",
                                {"request_id": req})["ok"], what="go-live approved")
    deliver(p, vendor, app, "go_live")
    p.wait_until(lambda: p.scalar("SELECT state FROM provisioning.apps"
                                  f" WHERE app_id = '{app}'") == "production")
    return app


def test_emergency_report_retried_with_a_fresh_envelope_makes_one_order(p, vendor):
    """R12.3: a report is one order however often it is sent, by its
    report_key, whatever the envelope ids of the retries."""
    app = in_production(p, vendor)
    urgent = copy.deepcopy(minimal_form()["resources"])
    urgent["storage_tb"] = 2
    body = {"app_id": app, "resources": urgent, "description": "磁盘将满，临时扩容",
            "report_key": f"ops-{uuid.uuid4().hex[:8]}"}
    first = ok(vendor.call("emergency.report", body, id_=uuid.uuid4().hex))
    assert (first["state"], first["duplicate"]) == ("acknowledged", False)
    for _ in range(2):                   # the reply was lost: sent again
        again = ok(vendor.call("emergency.report", body, id_=uuid.uuid4().hex))
        assert again == dict(first, duplicate=True)
    assert p.scalar("SELECT count(*) FROM provisioning.orders"
                    f" WHERE app_id = '{app}' AND kind = 'emergency'") == "1"
    time.sleep(0.5)
    assert p.scalar("SELECT count(*) FROM audit.events WHERE type = 'emergency.reported'"
                    f" AND app_id = '{app}'") == "1"
    # the same key for another report is refused, not taken for a retry
    other = in_production(p, vendor)
    reuse = dict(body, app_id=other)
    assert code_of(vendor.call("emergency.report", reuse)) == ("invalid_value",
                                                               "body.report_key")
    # the unit's own key is its own: the same words make its own order
    mine = ok(p.call("health", "provisioning", "emergency.report", body))
    assert mine["order_id"] != first["order_id"] and mine["state"] == "pending"


def test_order_get_shows_a_reorder_and_what_it_replaces(p, vendor):
    """R7: the failed order, the bureau's re-order with its opinion, and
    each naming the other; a unit sees only its own orders."""
    app = approved(p, "edu")
    failed = open_order(p, app, "test_env")
    ok(vendor.call("order.fail", {"order_id": failed, "reason": "资源池容量不足"}))
    opinion = "扩容后重新交付"
    new = ok(p.call("bureau", "provisioning", "order.reorder",
                    {"order_id": failed, "opinion": opinion}))["order_id"]
    got = ok(p.call("bureau", "provisioning", "order.get", {"order_id": new}))
    assert (got["order_id"], got["app_id"], got["unit"], got["kind"], got["state"]) == (
        new, app, "县教育局", "test_env", "pending")
    assert (got["replaces"], got["opinion"], got["replaced_by"]) == (failed, opinion, "")
    assert got["created_at"] and got["acked_at"] == "" and got["closed_at"] == ""
    assert got["resources"] == minimal_form()["resources"]
    assert set(got) >= {"deadline", "deadline_rule", "request_id", "built", "reason"}
    if got["deadline"]:
        assert got["deadline_rule"].startswith("R10.1")
    old = ok(p.call("vendor", "provisioning", "order.get", {"order_id": failed}))
    assert (old["state"], old["reason"], old["replaced_by"], old["replaces"]) == (
        "failed", "资源池容量不足", new, "")
    assert old["closed_at"]
    # the vendor learns of the re-order and the opinion from its fetch too
    row = [o for o in fetch(vendor)[0]["orders"] if o["order_id"] == new][0]
    assert (row["replaces"], row["opinion"]) == (failed, opinion)
    # its own unit and the auditor see it; another unit is told not_found
    assert ok(p.call("edu", "provisioning", "order.get", {"order_id": new}))["order_id"] == new
    assert ok(p.call("auditor", "provisioning", "order.get", {"order_id": new}))["state"] == "pending"
    assert code_of(p.call("health", "provisioning", "order.get",
                          {"order_id": new})) == ("not_found", "body.order_id")
    assert code_of(p.call("bureau", "provisioning", "order.get",
                          {"order_id": "O999999"})) == ("not_found", "body.order_id")
    # completed: what was built
    built = [{"kind": "host", "ref": f"vm-{new}-1", "detail": "2c4g centos6 x1"}]
    ok(vendor.call("order.complete", {"order_id": new, "built": built}))
    done = ok(p.call("edu", "provisioning", "order.get", {"order_id": new}))
    assert (done["state"], done["built"]) == ("done", built)
    # the audit trail has the re-order with what it replaces
    p.wait_until(lambda: p.scalar(
        "SELECT count(*) FROM audit.events WHERE type = 'order.created'"
        f" AND app_id = '{app}'") == "2", what="audited")
