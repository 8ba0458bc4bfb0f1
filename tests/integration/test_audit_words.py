"""Issue 12: the audit trail's rows in a clerk's words.  An application
walked through submit -> accept -> approve with an opinion -> the vendor's
orders -> go-live -> a change request; `yjcloud audit events` says in
Chinese, in its 说明 column, the order's kind, the request's kind and the
bureau's opinion (proto/yjc_describe.def), not just the event's name."""
import copy
import csv
import io

import pytest

from cli_text import ascii_words
from conftest import minimal_form

OPINION = "同意建设，请按等保二级要求部署"
CHANGE_OPINION = "同意扩容一台"


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def state(p, app):
    return ok(p.call("health", "intake", "application.get",
                     {"app_id": app}))["state"]


def approve_request(p, req, opinion):
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.requests WHERE request_id = '{req}'")
        == "1", what="review has the request")
    ok(p.call("bureau", "review", "request.approve",
              {"request_id": req, "opinion": opinion}))


@pytest.fixture(scope="module")
def walked(platform):
    """The application and its change request, every event in audit."""
    p = platform
    p.start_vendor()
    app = ok(p.submit("health", minimal_form()))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": app})["ok"], what="in review")
    ok(p.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(p.call("bureau", "review", "review.approve",
              {"app_id": app, "opinion": OPINION}))
    p.wait_until(lambda: state(p, app) == "testing", what="testing")
    go = ok(p.call("health", "intake", "request.go_live", {
        "app_id": app, "results": {"function": "通过", "performance": "通过",
                                   "security": "通过"}}))
    approve_request(p, go["request_id"], "同意上线")
    p.wait_until(lambda: state(p, app) == "production", what="production")
    wanted = copy.deepcopy(minimal_form()["resources"])
    wanted["hosts"][0]["count"] = 2
    change = ok(p.call("health", "intake", "request.change", {
        "app_id": app, "resources": wanted, "reason": "访问量增长"}))
    approve_request(p, change["request_id"], CHANGE_OPINION)
    p.wait_until(lambda: p.scalar(
        "SELECT count(*) FROM audit.events WHERE type = 'request.approved'"
        f" AND app_id = '{app}'") == "2", what="the change's decision in audit")
    return app, change["request_id"]


def rows_of(p, app):
    """`audit events --csv` as dicts by the header's words."""
    out = p.cli("audit", "events", "--app", app, "--csv",
                actor="auditor").stdout
    rows = list(csv.reader(io.StringIO(out)))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_auditor_reads_the_kinds_and_the_opinion_in_words(platform, walked):
    p = platform
    app, change = walked
    text = p.cli("audit", "events", "--app", app, actor="auditor").stdout
    header = text.splitlines()[0].split()
    assert header[-2:] == ["事件", "说明"], header
    # the bureau's decision with its opinion (R9.2)
    assert "审核通过，使用期限 12 个月，期满过期停止服务；意见：" + OPINION in text, text
    # the orders by their kind (R7, R10.1, R11.1): yjc_orders' words
    assert "下达开通测试环境订单 O" in text, text
    assert "下达转为正式环境订单 O" in text, text
    assert "供应商完成开通测试环境订单" in text, text
    # the requests by their kind (R10.3, R12.1), with reason and opinion
    assert f"提交变更申请 {change}；理由：访问量增长" in text, text
    assert f"同意变更申请 {change}；意见：{CHANGE_OPINION}" in text, text
    assert "提交上线申请" in text, text
    # the billing interval in words (R11.1)
    assert "开始正式计费区间" in text, text
    # every row says something, and no code slips into the clerk's text
    assert ascii_words(text, actors=True) == [], ascii_words(text, actors=True)


def test_csv_has_the_words_beside_the_code(platform, walked):
    p = platform
    app, change = walked
    rows = rows_of(p, app)
    by_type = {}
    for r in rows:
        by_type.setdefault(r["事件代码"], []).append(r["说明"])
    approved, = by_type["application.approved"]
    assert approved.startswith("审核通过，") and approved.endswith(
        f"；意见：{OPINION}"), approved
    assert any(s.startswith("下达开通测试环境订单 O")
               for s in by_type["order.created"]), by_type
    assert f"提交变更申请 {change}；理由：访问量增长" in by_type["request.submitted"]
    assert all(r["说明"] for r in rows), rows
    # the 说明 column sits after 事件
    header = list(rows[0].keys())
    assert header.index("说明") == header.index("事件") + 1
