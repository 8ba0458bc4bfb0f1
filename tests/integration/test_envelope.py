"""Bad input never crashes a service: every item of the wire envelope
(proto/README.md) gets its own error reply, and the service goes on
serving.  Identity comes from the CurveZMQ key, never from the body."""
import os

import msgpack
import pytest
import zmq

import yjc
from conftest import full_form, minimal_form


def envelope(type_="sys.status", body=None, id_="e1", **extra):
    env = {"v": 1, "id": id_, "type": type_, "body": body if body is not None else {}}
    env.update(extra)
    return env


def raw_call(platform, frame, svc="intake", actor="edu"):
    c = platform.client(actor, svc)
    try:
        c.send_raw(frame)
        return msgpack.unpackb(c.recv_raw(5000), raw=False)
    finally:
        c.close()


def assert_error(reply, code, field=None):
    assert reply["ok"] is False, reply
    assert reply["error"]["code"] == code, reply
    if field is not None:
        assert reply["error"]["field"] == field, reply
    assert reply["error"]["message"]


def assert_still_serving(platform, svc="intake"):
    assert platform.procs[svc].poll() is None
    assert platform.call("admin", svc, "sys.status")["ok"]


def deep(n):
    value = {}
    for _ in range(n):
        value = {"k": value}
    return value


CASES = [
    # (name, frame, code, field, expected id)
    ("not msgpack", b"\xc1 this is not msgpack", "malformed", None, ""),
    ("empty frame", b"", "malformed", None, ""),
    ("trailing garbage", msgpack.packb(envelope()) + b"\x01", "malformed", None, ""),
    ("nested too deep", msgpack.packb(envelope(body=deep(40))), "too_deep", None, ""),
    ("over the size limit", msgpack.packb(envelope(body={"x": "a" * (2 * 1024 * 1024)})),
     "too_large", None, ""),
    ("not a map", msgpack.packb([1, 2, 3]), "bad_envelope", None, ""),
    ("no id", msgpack.packb({"v": 1, "type": "sys.status", "body": {}}),
     "bad_envelope", "id", ""),
    ("id too long", msgpack.packb(envelope(id_="i" * 65)), "bad_envelope", "id", ""),
    ("version 2", msgpack.packb(dict(envelope(), v=2)), "unsupported_version", "v", "e1"),
    ("unknown type", msgpack.packb(envelope("application.destroy")), "unknown_type", "type", "e1"),
    ("unknown envelope key", msgpack.packb(envelope(extra=1)), "bad_envelope", None, "e1"),
    ("no body", msgpack.packb({"v": 1, "id": "e1", "type": "sys.status"}),
     "missing_field", "body", "e1"),
    ("body not a map", msgpack.packb(envelope(body=[1])), "wrong_type", "body", "e1"),
    ("missing field", msgpack.packb(envelope("application.get", {})),
     "missing_field", "body.app_id", "e1"),
    ("wrong type of field", msgpack.packb(envelope("application.get", {"app_id": 7})),
     "wrong_type", "body.app_id", "e1"),
    ("over-long string", msgpack.packb(envelope("application.get", {"app_id": "A" * 33})),
     "too_long", "body.app_id", "e1"),
    ("too many elements", msgpack.packb(envelope("application.list", {"x": list(range(6000))})),
     "too_many_items", None, ""),
    ("unknown body field", msgpack.packb(envelope("application.get", {"app_id": "A1", "as": "bureau"})),
     "unknown_field", "body.as", "e1"),
]


@pytest.mark.parametrize("name,frame,code,field,id_", CASES, ids=[c[0] for c in CASES])
def test_bad_frame_gets_error_and_service_keeps_serving(platform, name, frame, code, field, id_):
    reply = raw_call(platform, frame)
    assert_error(reply, code, field)
    assert reply["id"] == id_
    assert reply["v"] == 1
    assert_still_serving(platform)


def test_form_problems_are_all_reported_with_their_paths(platform):
    form = full_form()
    form["resources"]["hosts"][0]["cpu_mem"] = "16c64g"
    form["unit"]["contact"]["phone"] = "call me"
    form["project"]["period"].pop("on_expiry")
    form["resources"]["storage_tb"] = 1.5
    reply = platform.submit("edu", form)
    assert not reply["ok"]
    got = {(d["code"], d["field"]) for d in reply["error"]["details"]}
    assert ("invalid_value", "body.form.resources.hosts[0].cpu_mem") in got
    assert ("invalid_phone", "body.form.unit.contact.phone") in got
    assert ("missing_field", "body.form.project.period.on_expiry") in got
    assert ("wrong_type", "body.form.resources.storage_tb") in got


def test_frame_over_socket_limit_drops_connection_not_service(platform):
    c = platform.client("edu", "intake")
    try:
        c.send_raw(b"\x00" * (17 * 1024 * 1024))
        with pytest.raises(TimeoutError):
            c.recv_raw(1500)
    finally:
        c.close()
    assert_still_serving(platform)


def test_role_decides_what_may_be_sent(platform):
    # a unit may not decide, the vendor may not apply, the auditor may not
    # fetch orders: forbidden, whatever the body says.
    assert_error(platform.call("edu", "review", "review.accept", {"app_id": "A000001"}),
                 "forbidden", "type")
    assert_error(platform.call("vendor", "intake", "application.submit",
                               {"form": full_form()}), "forbidden", "type")
    assert_error(platform.call("auditor", "provisioning", "order.fetch", {}),
                 "forbidden", "type")
    assert_error(platform.call("edu", "review", "event.deliver",
                               {"events": [{"event_id": "x:1", "type": "application.submitted",
                                            "source": "intake", "at": "2026-01-01",
                                            "payload": {}}]}), "forbidden", "type")


def test_request_sent_to_the_wrong_service(platform):
    assert_error(platform.call("bureau", "intake", "review.accept", {"app_id": "A1"}),
                 "wrong_service", "type")


def test_unit_is_the_key_not_the_form(platform):
    # 县卫生健康局's key cannot apply in 县教育局's name (R7: identity
    # comes from the connection).
    reply = platform.submit("health", full_form("县教育局"))
    assert_error(reply, "invalid_value", "body.form.unit.name")


def test_unit_sees_only_its_own(platform):
    reply = platform.submit("edu", full_form())
    assert reply["ok"], reply
    app = reply["body"]["app_id"]
    assert platform.call("edu", "intake", "application.get", {"app_id": app})["ok"]
    # the other unit is told it does not exist, in both services
    assert_error(platform.call("health", "intake", "application.get", {"app_id": app}),
                 "not_found", "body.app_id")
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    assert_error(platform.call("health", "review", "review.get", {"app_id": app}),
                 "not_found", "body.app_id")
    listed = platform.call("health", "intake", "application.list", {})["body"]["applications"]
    assert app not in [a["app_id"] for a in listed]
    listed = platform.call("bureau", "intake", "application.list", {})["body"]["applications"]
    assert app in [a["app_id"] for a in listed]


def test_unknown_key_cannot_connect(platform):
    # A key pair not in the registry: the handshake is refused, no reply.
    pub, sec = zmq.curve_keypair()
    server, _, _ = yjc.read_cert(f"{platform.keys}/public/service-intake.cert")
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = pub, sec, server
    sock.connect(platform.env["YJC_INTAKE_ENDPOINT"])
    sock.send(msgpack.packb(envelope()))
    assert not sock.poll(1500)
    sock.close(0)
    # and without CurveZMQ at all, nothing either
    plain = zmq.Context.instance().socket(zmq.DEALER)
    plain.setsockopt(zmq.LINGER, 0)
    plain.connect(platform.env["YJC_INTAKE_ENDPOINT"])
    plain.send(msgpack.packb(envelope()))
    assert not plain.poll(1500)
    plain.close(0)
    assert_still_serving(platform)


def test_retried_submit_is_one_application(platform):
    body = {"form": full_form(), "attachments": platform.materials("edu")}
    first = platform.call("edu", "intake", "application.submit", body, id_="retry-42")
    again = platform.call("edu", "intake", "application.submit", body, id_="retry-42")
    assert first["ok"] and again["ok"]
    assert again["body"]["app_id"] == first["body"]["app_id"]
    assert again["body"]["duplicate"] is True
    assert platform.scalar("SELECT count(*) FROM intake.applications "
                           "WHERE request_id = 'retry-42'") == "1"


def test_garbage_burst_then_real_work(platform):
    # Many bad frames from several connections, interleaved with good ones.
    c = platform.client("edu", "intake")
    try:
        for i in range(200):
            c.send_raw(os.urandom(i % 64 + 1))
        c.send_raw(msgpack.packb(envelope(id_="after-garbage")))
        while True:
            reply = msgpack.unpackb(c.recv_raw(10000), raw=False)
            if reply["id"] == "after-garbage":
                assert reply["ok"]
                break
    finally:
        c.close()
    assert_still_serving(platform)


def forged(type_, source, payload=None):
    return {"events": [{"event_id": f"{source}:999999", "type": type_,
                        "source": source, "app_id": "A000001",
                        "at": "2026-11-30T09:00:00+08:00",
                        "payload": payload or {}}]}


def test_only_the_producer_may_deliver_its_events(platform):
    # R7: no order without a bureau decision.  Billing's key cannot pass
    # off an approval, and review's key cannot pretend to be intake.
    assert_error(platform.call("service-billing", "provisioning", "event.deliver",
                               forged("application.approved", "billing")),
                 "forbidden", "body.events[0]")
    assert_error(platform.call("service-billing", "provisioning", "event.deliver",
                               forged("application.approved", "review")),
                 "forbidden", "body.events[0]")
    # the right producer, but to a service that does not receive it
    assert_error(platform.call("service-review", "billing", "event.deliver",
                               forged("application.approved", "review")),
                 "forbidden", "body.events[0]")
    assert platform.scalar("SELECT count(*) FROM provisioning.inbox "
                           "WHERE event_id LIKE '%:999999'") == "0"
    assert platform.scalar("SELECT count(*) FROM provisioning.orders") == "0"


def test_a_step_of_an_unknown_application_is_refused_alone(platform):
    # intake records a stage with the statement after it (issue 14); an
    # event about an application it does not have is still refused (the
    # inbox says why), and the steps around it in the delivery still land
    apps = [platform.submit("edu", minimal_form("县教育局"))["body"]["app_id"]
            for _ in range(2)]
    def step(n, app):
        return {"event_id": f"review:88880{n}", "type": "application.withdrawn",
                "source": "review", "app_id": app,
                "at": "2026-11-30T09:00:00+08:00",
                "payload": {"app_id": app, "unit": "县教育局", "state": "withdrawn",
                            "opinion": f"撤回 {n}"}}
    events = [step(1, apps[0]), step(2, "A999999"), step(3, apps[1])]
    reply = platform.call("service-review", "intake", "event.deliver",
                          {"events": events})
    assert reply["ok"], reply
    assert platform.sql("SELECT event_id, outcome, coalesce(detail, '') FROM"
                        " intake.inbox WHERE event_id LIKE 'review:88880%'"
                        " ORDER BY 1") == [
        ["review:888801", "applied", ""],
        ["review:888802", "refused", "not_found app_id: A999999"],
        ["review:888803", "applied", ""]]
    for n, app in ((1, apps[0]), (3, apps[1])):
        assert platform.sql("SELECT state, note FROM intake.history"
                            f" WHERE event_id = 'review:88880{n}'") \
            == [["withdrawn", f"撤回 {n}"]]
        assert platform.scalar(
            f"SELECT state FROM intake.applications WHERE app_id = '{app}'") \
            == "withdrawn"
    assert platform.scalar("SELECT count(*) FROM intake.history"
                           " WHERE app_id = 'A999999'") == "0"
    # a redelivery changes nothing
    reply = platform.call("service-review", "intake", "event.deliver",
                          {"events": events})
    assert reply["ok"] and reply["body"]["duplicates"] == 3, reply


def test_role_service_is_reserved_for_the_services(platform):
    res = platform.cli("actor", "add", "rogue", "--role", "service", check=False)
    assert res.returncode == 1
    assert "service" in res.stderr


def test_form_rules_are_all_reported_then_the_fixed_form_passes(platform):
    # The 审核表's steps and tiers, and R14.1's 1-3 year period: every
    # problem in one reply, each with its field.
    form = full_form()
    form["resources"]["network"]["dedicated_mbps"] = 3
    form["resources"]["hosts"][0]["data_disk_gb"] = 250
    form["resources"]["hosts"][1]["os"] = "other"
    form["resources"]["databases"][0]["max_sessions"] = 200
    form["project"]["period"]["end"] = "2031-01-01"
    reply = platform.submit("edu", form)
    assert not reply["ok"]
    got = {(d["code"], d["field"]) for d in reply["error"]["details"]}
    assert got == {
        ("invalid_value", "body.form.resources.network.dedicated_mbps"),
        ("invalid_value", "body.form.resources.hosts[0].data_disk_gb"),
        ("missing_field", "body.form.resources.hosts[1].os_other"),
        ("invalid_value", "body.form.resources.databases[0].max_sessions"),
        ("out_of_range", "body.form.project.period.end"),
    }
    assert "2Mbps" in reply["error"]["details"][0]["message"]
    fixed = full_form()
    fixed["resources"]["hosts"][1].update(os="other", os_other="麒麟 V10")
    assert platform.submit("edu", fixed)["ok"]


def test_an_unregistered_or_revoked_key_is_named_as_such(platform):
    """The service answers a stranger with nothing; the client learns from
    the CURVE handshake that its key was refused, and the CLI says so
    (身份未登记或已被撤销) at once instead of reporting an outage."""
    import time as _time
    p = platform
    p.cli("actor", "add", "tmpclerk", "--role", "unit", "--unit", "县教育局")
    p.wait_until(lambda: p.cli("--as", "tmpclerk", "list", check=False).returncode == 0,
                 what="the new actor works")
    _time.sleep(1.1)                  # the registry is watched by mtime
    os.remove(os.path.join(p.keys, "public", "tmpclerk.cert"))
    t = _time.time()
    res = p.cli("--as", "tmpclerk", "list", check=False)
    assert res.returncode != 0
    assert "身份 tmpclerk 未登记或已被撤销" in res.stderr, res.stderr
    assert "无响应" not in res.stderr
    assert _time.time() - t < 5
    # a service that is down is still an outage, not an identity problem
    p.kill("billing")
    try:
        res = p.cli("--as", "edu", "--timeout", "800", "allocations", "A000001",
                    check=False)
        assert "无响应" in res.stderr and "未登记" not in res.stderr
    finally:
        p.start("billing")
