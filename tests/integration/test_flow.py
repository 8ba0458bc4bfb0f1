"""The first flow through all five services, as a user drives it with the
CLI (R7, R9.1, R9.2, R10.1): a unit applies, the bureau accepts and
approves, the vendor delivers the test environment, billing opens the
interval, and the auditor sees every event in order."""
import re

import pytest

from conftest import SERVICES, FULL_FORM_ATTACH, full_form, minimal_form


def app_id_of(text):
    m = re.search(r"A\d{6}", text)
    assert m, text
    return m.group(0)


@pytest.fixture(scope="module", autouse=True)
def clock(platform):
    """A clock the shipped calendar covers (2020-2026) for the deadlines
    this module shows, whatever day the suite runs."""
    platform.stop_all()
    platform.set_now("2026-11-30T10:00:00+08:00")
    platform.start_all()


@pytest.fixture(scope="module")
def flow(platform):
    """Runs the flow once; the tests below check what it left behind."""
    platform.start_vendor()
    out = platform.cli("apply", "tests/data/form-full.json", *FULL_FORM_ATTACH,
                       actor="edu").stdout
    app = app_id_of(out)
    assert "申请已提交" in out
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    assert "已受理" in platform.cli("accept", app, actor="bureau").stdout
    out = platform.cli("approve", app, "--opinion", "同意", actor="bureau").stdout
    assert "审核通过" in out
    platform.wait_until(
        lambda: platform.call("edu", "intake", "application.get",
                              {"app_id": app})["body"]["state"] == "testing",
        what="test environment delivered")
    platform.wait_until(
        lambda: len(platform.call("auditor", "audit", "audit.events",
                                  {"app_id": app})["body"]["events"]) == 7,
        what="audit trail")
    return app


def test_unit_sees_its_application_in_testing(platform, flow):
    out = platform.cli("show", flow, actor="edu").stdout
    assert "永嘉县智慧教育公共服务平台" in out
    assert "测试中" in out
    assert "R9.1" in out and "R9.2" in out


def test_audit_lists_every_event_in_order(platform, flow):
    trail = platform.cli("audit", "events", "--app", flow, actor="auditor",
                         json_out=True)["events"]
    assert [e["type"] for e in trail] == [
        "application.submitted", "application.accepted", "application.approved",
        "order.created", "order.acknowledged", "order.completed",
        "allocation.opened"]
    assert [e["source"] for e in trail] == [
        "intake", "review", "review", "provisioning", "provisioning",
        "provisioning", "billing"]
    assert all(e["app_id"] == flow for e in trail)
    text = platform.cli("audit", "events", "--app", flow, actor="auditor").stdout
    assert "提交申请" in text and "供应商完成交付" in text


def test_unit_sees_only_its_own_allocations(platform, flow):
    own = platform.call("edu", "billing", "billing.allocations", {"app_id": flow})
    assert own["ok"] and len(own["body"]["allocations"]) == 1
    other = platform.call("health", "billing", "billing.allocations", {"app_id": flow})
    assert other["error"]["code"] == "not_found"


def test_billing_records_the_test_interval(platform, flow):
    allocations = platform.cli("allocations", flow, actor="bureau",
                               json_out=True)["allocations"]
    assert len(allocations) == 1
    interval = allocations[0]
    assert interval["stage"] == "test"
    assert interval["to"] == ""
    assert [h["cpu_mem"] for h in interval["resources"]["hosts"]] == ["8c16g", "8c16g"]


def test_order_was_produced_by_the_decision_only(platform, flow):
    # R7: the only order is the one the approval caused, due 3 working
    # days later (R10.1).
    rows = platform.sql(f"SELECT state, cause_event, due_rule FROM provisioning.orders "
                        f"WHERE app_id = '{flow}'")
    assert len(rows) == 1
    state, cause, rule = rows[0]
    assert state == "done"
    assert cause.startswith("review:")
    assert rule.startswith("R10.1")


def test_decisions_follow_the_state_table(platform, flow):
    # approving again, or accepting an approved application: invalid_state
    res = platform.cli("approve", flow, actor="bureau", check=False)
    assert res.returncode == 1 and "当前状态不允许该操作" in res.stderr
    res = platform.cli("accept", flow, actor="bureau", check=False, json_out=True)
    assert res.returncode == 1 and '"invalid_state"' in res.stdout


def test_decline_needs_an_opinion(platform):
    reply = platform.submit("health", minimal_form())
    app = reply["body"]["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    no_opinion = platform.call("bureau", "review", "review.decline", {"app_id": app})
    assert no_opinion["error"]["code"] == "missing_field"
    assert no_opinion["error"]["field"] == "body.opinion"
    # approve before accept is refused with the state named
    early = platform.call("bureau", "review", "review.approve", {"app_id": app})
    assert early["error"]["code"] == "invalid_state"
    assert "submitted" in early["error"]["detail"]
    ok = platform.call("bureau", "review", "review.decline",
                       {"app_id": app, "opinion": "材料不全"})
    assert ok["ok"] and ok["body"]["state"] == "declined"
    platform.wait_until(
        lambda: platform.call("health", "intake", "application.get",
                              {"app_id": app})["body"]["state"] == "declined",
        what="intake follows")


def test_json_output_is_one_object(platform, flow):
    listed = platform.cli("list", actor="bureau", json_out=True)
    assert flow in [a["app_id"] for a in listed["applications"]]
    status = platform.cli("status", actor="admin", json_out=True)
    assert [s["up"] for s in status["services"]] == [True] * len(SERVICES)
    assert all(s["db"] for s in status["services"])


def test_audit_pages_by_seq(platform, flow):
    first = platform.call("auditor", "audit", "audit.events",
                          {"app_id": flow, "limit": 3})["body"]["events"]
    assert len(first) == 3 and all(isinstance(e["seq"], int) for e in first)
    rest = platform.call("auditor", "audit", "audit.events",
                         {"app_id": flow, "after": first[-1]["seq"]})["body"]["events"]
    assert [e["type"] for e in first + rest][-1] == "allocation.opened"
    assert len(first + rest) == 7
    # the unit is not an auditor
    assert platform.call("edu", "audit", "audit.events", {})["error"]["code"] == "forbidden"


def test_history_shows_every_step(platform, flow):
    got = platform.call("edu", "intake", "application.get", {"app_id": flow})["body"]
    assert [h["state"] for h in got["history"]] == [
        "submitted", "accepted", "approved", "ordered", "testing"]
    assert got["history"][2]["note"] == "同意"


def test_retried_submit_reports_the_current_state(platform, flow):
    row = platform.sql(f"SELECT submitted_by, request_id FROM intake.applications "
                       f"WHERE app_id = '{flow}'")[0]
    again = platform.submit(row[0], full_form(), id_=row[1])
    assert again["ok"] and again["body"]["duplicate"] is True
    assert again["body"]["app_id"] == flow
    assert again["body"]["state"] == "testing"


def test_unit_withdraws_before_the_decision(platform, flow):
    app = platform.submit("health", minimal_form())["body"]["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    # another unit cannot, and is not told the application exists
    other = platform.call("edu", "review", "review.withdraw", {"app_id": app})
    assert other["error"]["code"] == "not_found"
    # the bureau cannot withdraw for the unit
    assert platform.call("bureau", "review", "review.withdraw",
                         {"app_id": app})["error"]["code"] == "forbidden"
    out = platform.cli("withdraw", app, "--opinion", "项目取消", actor="health").stdout
    assert "已撤回" in out
    late = platform.call("bureau", "review", "review.accept", {"app_id": app})
    assert late["error"]["code"] == "invalid_state" and "withdrawn" in late["error"]["detail"]
    platform.wait_until(
        lambda: platform.call("health", "intake", "application.get",
                              {"app_id": app})["body"]["state"] == "withdrawn",
        what="intake follows")
    # a decided application cannot be withdrawn
    done = platform.call("edu", "review", "review.withdraw", {"app_id": flow})
    assert done["error"]["code"] == "invalid_state"


def test_form_template_has_every_line_and_is_refused_unfilled(platform, flow):
    """The form has R2's funding line (fiscal, partly fiscal, SOE) and R4's
    new-or-migration line; unfilled, each is named."""
    import json
    template = json.loads(platform.cli("form", "template").stdout)
    assert set(template) == {"unit", "project", "resources", "other_needs"}
    assert template["resources"]["hosts"][0]["cpu_mem"] == "2c4g|4c8g|6c12g|8c16g"
    reply = platform.submit("edu", template)
    assert not reply["ok"]
    fields = {d["field"] for d in reply["error"]["details"]}
    assert "body.form.project.kind" in fields and "body.form.unit.filled_on" in fields
    assert "body.form.project.funding" in fields                      # R2
    assert template["project"]["funding"] == "fiscal|partly_fiscal|soe"
    assert template["project"]["kind"] == "new|migration"             # R4


def test_trimmed_grant_reaches_provisioning_and_billing(platform, flow, tmp_path):
    # R9.2 / R11.2: the bureau grants less than asked on some lines; what
    # was granted, not what was asked, is what the vendor builds and
    # billing records.
    import json
    from conftest import full_form
    form = full_form()
    app = platform.submit("edu", form)["body"]["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    assert platform.call("bureau", "review", "review.accept", {"app_id": app})["ok"]
    too_much = json.loads(json.dumps(form["resources"]))
    too_much["storage_tb"] = 5
    refused = platform.call("bureau", "review", "review.approve",
                            {"app_id": app, "granted": too_much})
    assert refused["error"]["code"] == "out_of_range"
    assert refused["error"]["field"] == "body.granted.storage_tb"
    grant = json.loads(json.dumps(form["resources"]))
    grant["hosts"][0]["count"] = 1          # asked 2
    grant["storage_tb"] = 1                 # asked 2
    grant["network"]["dedicated_mbps"] = 10  # asked 20
    grant_file = tmp_path / "grant.json"
    grant_file.write_text(json.dumps(grant, ensure_ascii=False), encoding="utf-8")
    out = platform.cli("approve", app, "--grant", str(grant_file),
                       "--opinion", "核减存储和带宽", actor="bureau").stdout
    assert "审核通过" in out
    platform.wait_until(lambda: len(platform.call(
        "bureau", "billing", "billing.allocations", {"app_id": app})["body"]["allocations"]) == 1,
        what="delivered and billed")
    billed = platform.call("bureau", "billing", "billing.allocations",
                           {"app_id": app})["body"]["allocations"][0]["resources"]
    assert billed["storage_tb"] == 1 and billed["hosts"][0]["count"] == 1
    assert billed["network"]["dedicated_mbps"] == 10
    assert platform.call("bureau", "review", "review.get",
                         {"app_id": app})["body"]["granted"]["storage_tb"] == 1
    ordered = platform.call("auditor", "audit", "audit.events", {"app_id": app})["body"]["events"]
    created = [e for e in ordered if e["type"] == "order.created"][0]["payload"]
    assert created["resources"]["storage_tb"] == 1
    # the application as asked is unchanged
    asked = platform.call("edu", "intake", "application.get", {"app_id": app})["body"]["form"]
    assert asked["resources"]["storage_tb"] == 2
    # the 审核表 shows each line as asked and as granted (核定)
    text = platform.cli("show", app, actor="edu").stdout
    assert "三、云平台资源需求表" in text and "核定" in text
    storage = [line for line in text.splitlines() if "云存储" in line][0]
    assert "2 TB" in storage and "1 TB" in storage
    assert "8核/16G" in text and "永府办政云管审" in text


def test_list_filters_by_state_unit_and_year(platform, flow):
    def ids(actor, **body):
        return {a["app_id"] for a in platform.call(
            actor, "intake", "application.list", body)["body"]["applications"]}
    year = 2026    # the module's clock
    assert flow in ids("bureau", unit="县教育局", year=year, state="testing")
    assert flow not in ids("bureau", unit="县卫生健康局")
    assert flow not in ids("bureau", year=year - 1)
    # a unit asking for another unit's list still gets its own
    assert flow not in ids("health", unit="县教育局")
    text = platform.cli("list", "--unit", "县教育局", "--year", str(year), actor="bureau").stdout
    assert flow in text
