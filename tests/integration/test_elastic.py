"""R11.2 "合理规划、按需分配": for a system with large load swings the
bureau approves an elastic range per resource line, with the grant or
later; the vendor scales inside it without a change request, reporting
each step (scaling.report), and billing opens a new interval at each
step, so what was allocated when is exact.  A step outside the range, of
a line without one, or of a system not in production is refused naming
the field; a retried report changes nothing."""
import os
import subprocess

import pytest

from conftest import BIN, ROOT, minimal_form

T0 = "2025-09-01T09:00:00+08:00"   # a Monday
STEP_AT = "2025-09-02T10:30:00+08:00"
RANGES = {"hosts": [{"cpu_mem": "4c8g", "min": 2, "max": 6}],
          "bandwidth_mbps": {"min": 10, "max": 50}}


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def error_of(reply):
    assert not reply["ok"], reply
    problems = reply["error"].get("details") or [reply["error"]]
    return {(p["code"], p["field"]) for p in problems}


def swinging_form():
    """Two hosts of 4c/8G, 20 Mbps, 2 TB: a level-2 system (no report)."""
    form = minimal_form()
    form["resources"]["hosts"][0].update({"cpu_mem": "4c8g", "count": 2})
    form["resources"]["network"]["dedicated_mbps"] = 20
    form["resources"]["storage_tb"] = 2
    return form


@pytest.fixture(scope="module")
def el(platform):
    platform.stop_all()
    platform.set_now(T0)
    platform.start_all()
    platform.start_vendor()
    return {}


def state(p, app):
    return ok(p.call("health", "intake", "application.get", {"app_id": app}))["state"]


def allocations(p, app):
    return ok(p.call("bureau", "billing", "billing.allocations",
                     {"app_id": app}))["allocations"]


def submitted(p):
    app = ok(p.submit("health", swinging_form()))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get", {"app_id": app})["ok"])
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    return app


def to_production(p, app):
    p.wait_until(lambda: state(p, app) == "testing", what="testing")
    req = ok(p.call("health", "intake", "request.go_live", {
        "app_id": app, "results": {"function": "通过", "performance": "通过",
                                   "security": "通过"}}))
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.requests WHERE request_id = "
        f"'{req['request_id']}'") == "1", what="review has the request")
    ok(p.call("bureau", "review", "request.approve",
              {"request_id": req["request_id"], "opinion": "同意上线"}))
    p.wait_until(lambda: state(p, app) == "production", what="production")


def step(p, app, key, actor="vendor", at=STEP_AT, **lines):
    return p.call(actor, "vendor", "scaling.report",
                  dict({"app_id": app, "report_key": key, "at": at}, **lines))


def test_1_ranges_that_do_not_contain_the_grant_are_refused(platform, el):
    p = platform
    app = submitted(p)
    # R11.2: min <= granted <= max; the whole approval is refused, naming
    # the line (2 hosts granted, 3-6 asked)
    bad = dict(RANGES, hosts=[{"cpu_mem": "4c8g", "min": 3, "max": 6}])
    refused = p.call("bureau", "review", "review.approve",
                     {"app_id": app, "elastic": bad})
    assert ("out_of_range", "body.elastic.hosts[0].min") in error_of(refused)
    assert "弹性范围" in refused["error"]["message"]
    refused = p.call("bureau", "review", "review.approve", {"app_id": app, "elastic": {
        "bandwidth_mbps": {"min": 10, "max": 15}, "storage_tb": {"min": 3, "max": 1},
        "hosts": [{"cpu_mem": "8c16g", "min": 1, "max": 2}]}})
    assert error_of(refused) == {
        ("invalid_value", "body.elastic.bandwidth_mbps.max"),   # 2 Mbps steps
        ("out_of_range", "body.elastic.storage_tb.max"),        # max < min
        ("invalid_value", "body.elastic.hosts[0].cpu_mem")}     # not granted
    assert p.scalar(f"SELECT state FROM review.applications "
                    f"WHERE app_id = '{app}'") == "accepted"   # nothing kept
    # only an approval carries ranges
    assert ("invalid_value", "body.elastic") in error_of(p.call(
        "bureau", "review", "review.reject",
        {"app_id": app, "opinion": "x", "elastic": RANGES}))
    # not yet approved: review.elastic is refused
    assert ("invalid_state", "body.app_id") in error_of(p.call(
        "bureau", "review", "review.elastic", {"app_id": app, "elastic": RANGES}))
    el["app"] = app


def test_2_a_range_approved_with_the_grant(platform, el):
    p, app = platform, el["app"]
    ok(p.call("bureau", "review", "review.approve",
              {"app_id": app, "opinion": "负载波动大，核定弹性范围", "elastic": RANGES}))
    got = ok(p.call("health", "review", "review.get", {"app_id": app}))["elastic"]
    assert got["ranges"] == RANGES and got["approved_by"] == "bureau"
    # elastic.approved reached the adapter, which stores the ranges
    p.wait_until(lambda: p.sql(f"SELECT approved_by FROM provisioning.elastic_ranges"
                               f" WHERE app_id = '{app}'") == [["bureau"]],
                 what="ranges at the adapter")
    # R11.2: scaling is for a system in production
    p.wait_until(lambda: state(p, app) == "testing", what="testing")
    refused = step(p, app, "t-1", hosts=[{"cpu_mem": "4c8g", "count": 3}])
    assert error_of(refused) == {("invalid_state", "body.app_id")}
    to_production(p, app)


def test_3_a_step_inside_is_applied_and_billed_by_interval(platform, el):
    p, app = platform, el["app"]
    p.set_now("2025-09-03T09:00:00+08:00")
    done = ok(step(p, app, "scale-001", hosts=[{"cpu_mem": "4c8g", "count": 5}],
                   bandwidth_mbps=40))
    assert not done["duplicate"] and done["step_id"].startswith("S")
    assert done["resources"]["hosts"][0]["count"] == 5
    assert done["resources"]["network"]["dedicated_mbps"] == 40
    assert done["resources"]["storage_tb"] == 2          # untouched line
    el["step"] = done["step_id"]
    # billing closed the production interval and opened one of the new
    # resources, both at the step's time (not when it was reported)
    p.wait_until(lambda: len(allocations(p, app)) == 3, what="billed")
    alloc = allocations(p, app)
    assert [a["stage"] for a in alloc] == ["test", "production", "production"]
    assert alloc[1]["to"] == "2025-09-02 10:30:00"
    assert alloc[2]["from"] == "2025-09-02 10:30:00" and alloc[2]["to"] == ""
    assert alloc[2]["order_id"] == done["step_id"]
    assert alloc[2]["resources"]["hosts"][0]["count"] == 5
    assert alloc[1]["resources"]["hosts"][0]["count"] == 2


def test_4_a_retried_report_changes_nothing(platform, el):
    p, app = platform, el["app"]
    again = ok(step(p, app, "scale-001", hosts=[{"cpu_mem": "4c8g", "count": 6}]))
    assert again["duplicate"] and again["step_id"] == el["step"]
    assert again["resources"]["hosts"][0]["count"] == 5     # the first step's
    assert p.scalar(f"SELECT count(*) FROM provisioning.scaling_steps "
                    f"WHERE app_id = '{app}'") == "1"
    assert len(allocations(p, app)) == 3
    # one key, two applications: refused
    other = submitted(p)
    assert ("invalid_value", "body.report_key") in error_of(
        step(p, other, "scale-001", hosts=[{"cpu_mem": "4c8g", "count": 3}]))
    el["other"] = other


def test_5_a_step_outside_is_refused_naming_the_field(platform, el):
    p, app = platform, el["app"]
    refused = step(p, app, "scale-002", hosts=[{"cpu_mem": "4c8g", "count": 7}],
                   bandwidth_mbps=60, storage_tb=3)
    assert error_of(refused) == {
        ("outside_elastic_range", "body.hosts[0].count"),
        ("outside_elastic_range", "body.bandwidth_mbps"),
        ("no_elastic_range", "body.storage_tb")}           # no storage range
    assert "2–6" in refused["error"]["details"][0]["message"]
    assert ("invalid_value", "body.bandwidth_mbps") in error_of(
        step(p, app, "scale-003", bandwidth_mbps=31))       # 2 Mbps steps
    assert ("out_of_range", "body.at") in error_of(p.call(
        "vendor", "vendor", "scaling.report", {
            "app_id": app, "report_key": "scale-004", "at": "2025-09-09T00:00:00+08:00",
            "bandwidth_mbps": 30}))                         # in the future
    # nothing changed, and the key of a refused report is still free
    assert len(allocations(p, app)) == 3
    assert p.scalar(f"SELECT count(*) FROM provisioning.scaling_steps "
                    f"WHERE app_id = '{app}'") == "1"
    # a unit cannot report a scaling step
    refused = step(p, app, "scale-005", actor="health", bandwidth_mbps=30)
    assert error_of(refused) == {("forbidden", "type")}
    # the service keeps serving
    assert ok(step(p, app, "scale-002", at="2025-09-02T14:00:00+08:00",
                   bandwidth_mbps=30))["resources"][
        "network"]["dedicated_mbps"] == 30
    p.wait_until(lambda: len(allocations(p, app)) == 4, what="billed again")


def test_6_a_range_approved_later_replaces_none(platform, el):
    p, other = platform, el["other"]
    ok(p.call("bureau", "review", "review.approve", {"app_id": other}))
    to_production(p, other)
    # no range approved: refused
    assert error_of(step(p, other, "o-1", hosts=[{"cpu_mem": "4c8g", "count": 3}])) \
        == {("no_elastic_range", "body.app_id")}
    # later, by the bureau only, and containing what is granted
    assert ("out_of_range", "body.elastic.storage_tb.min") in error_of(p.call(
        "bureau", "review", "review.elastic",
        {"app_id": other, "elastic": {"storage_tb": {"min": 3, "max": 8}}}))
    assert ("forbidden", "type") in error_of(p.call(
        "health", "review", "review.elastic",
        {"app_id": other, "elastic": {"storage_tb": {"min": 1, "max": 8}}}))
    refused = p.cli("elastic", other, "--storage", "3-8", actor="bureau", check=False)
    assert refused.returncode == 1 and "云存储弹性范围 · 下限" in refused.stdout + refused.stderr
    out = p.cli("elastic", other, "--storage", "1-8", "--opinion", "季节性高峰",
                actor="bureau").stdout
    assert "已核定弹性范围" in out and "云存储 1–8 TB" in out
    assert p.scalar(f"SELECT opinion FROM review.decisions WHERE app_id = '{other}'"
                    f" AND action = 'review.elastic'") == "季节性高峰"
    p.wait_until(lambda: p.sql(f"SELECT count(*) FROM provisioning.elastic_ranges"
                               f" WHERE app_id = '{other}'") == [["1"]],
                 what="ranges at the adapter")
    # the hosts have no range now; storage scales
    assert error_of(step(p, other, "o-2", at="2025-09-03T09:00:00+08:00",
                         hosts=[{"cpu_mem": "4c8g", "count": 3}])) \
        == {("no_elastic_range", "body.hosts[0].cpu_mem")}
    # before the system went live (its resources last changed): refused
    assert ("out_of_range", "body.at") in error_of(step(p, other, "o-3", storage_tb=6))
    assert ok(step(p, other, "o-3", at="2025-09-03T09:00:00+08:00",
                   storage_tb=6))["resources"]["storage_tb"] == 6
    p.wait_until(lambda: len(allocations(p, other)) == 3, what="billed")
    # the reference vendor reports a step too (yjc-vendor-sim --scale)
    p.set_now("2025-09-04T09:00:00+08:00")
    sim = subprocess.run([os.path.join(BIN, "yjc-vendor-sim"), "--scale",
                          f"{other}:storage=7"], env=p.env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert sim.returncode == 0, sim.stderr
    p.wait_until(lambda: len(allocations(p, other)) == 4, what="billed again")
    assert allocations(p, other)[-1]["from"] == "2025-09-04 09:00:00"
    # show displays the ranges in force
    out = p.cli("show", other, actor="bureau").stdout
    assert "弹性范围" in out and "云存储 1–8 TB" in out
