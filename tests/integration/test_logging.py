"""Logs (issue 9): YJC_LOG_LEVEL says how much a service writes, and a
line about a request carries its envelope id and the application it
concerns, "[req=<id> app=<app id>]", so that one request can be followed
through the log (and across services: the relay names its delivery)."""
import os
import re

import pytest

from conftest import Platform, full_form, running


@pytest.fixture(scope="module")
def platform():
    p = Platform("logging")
    p.env["YJC_LOG_LEVEL"] = "debug"
    yield from running(p)


def log_since(platform, svc, offset=0):
    return platform.log_text(svc)[offset:]


def test_debug_names_each_request_and_its_application(platform):
    reply = platform.submit("edu", full_form(), id_="log-submit-1")
    assert reply["ok"], reply
    app = reply["body"]["app_id"]
    # the request creates the application: the reply names it
    platform.wait_until(
        lambda: f"[req=log-submit-1 app={app}] application.submit done"
        in platform.log_text("intake"), what="intake's line")
    platform.wait_until(lambda: platform.call(
        "bureau", "review", "review.get", {"app_id": app})["ok"], what="review")
    assert platform.call("bureau", "review", "review.accept", {"app_id": app},
                         id_="log-accept-1")["ok"]
    refused = platform.call("bureau", "review", "review.accept",
                            {"app_id": app}, id_="log-accept-2")
    assert refused["error"]["code"] == "invalid_state"
    text = platform.log_text("review")
    assert re.search(rf"^D: .*\[req=log-accept-1 app={app}\] review\.accept "
                     r"done$", text, re.M), text[-3000:]
    assert re.search(rf"^D: .*\[req=log-accept-2 app={app}\] review\.accept "
                     r"refused: invalid_state", text, re.M), text[-3000:]
    # the submission reached review as an event delivery, logged too
    assert re.search(r"\[req=\S+ app=-\] event\.deliver done", text)
    assert re.search(r"^I: .* serving on ", text, re.M)


def test_error_level_writes_no_info_nor_debug(platform):
    offset = len(platform.log_text("billing"))
    assert re.search(r"^I: .* serving on ", platform.log_text("billing"), re.M)
    platform.kill("billing")
    platform.env["YJC_LOG_LEVEL"] = "error"
    try:
        platform.start("billing")
    finally:
        platform.env["YJC_LOG_LEVEL"] = "debug"
    reply = platform.call("bureau", "billing", "billing.allocations",
                          {"app_id": "A999999"}, id_="log-quiet")
    assert reply["ok"] or reply["error"]["code"] == "not_found", reply
    text = platform.log_text("billing")[offset:]
    assert "log-quiet" not in text and "serving on" not in text, text
    assert not re.search(r"^[DIW]: ", text, re.M), text
