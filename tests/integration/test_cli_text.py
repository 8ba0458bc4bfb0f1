"""Text a clerk can read (issue 9): the CLI's tables line up by display
width (a Chinese character takes two columns), name the lifecycle in
Chinese from proto/yjc_lifecycle.def, say who owes each step (the unit
owes the end of its test, R10.2), mark a trimmed grant line (R9.2), and
refuse an option the command does not take."""
import copy
import json
import re

import pytest

from cli_text import ascii_words, block, cells, second_column_starts, table
from conftest import full_form, minimal_form

T0 = "2025-09-01T09:00:00+08:00"      # a Monday
LATER = "2025-09-22T09:00:00+08:00"   # the test (to 2025-09-16) is over


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


@pytest.fixture(scope="module")
def apps(platform, tmp_path_factory):
    """A: approved with a trimmed grant, delivered, its test ended
    (owed by the unit); B: submitted, not accepted (owed by the bureau)."""
    p = platform
    p.stop_all()
    p.set_now(T0)
    p.start_all()
    p.start_vendor()
    a = ok(p.submit("edu", full_form()))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": a})["ok"], what="review")
    grant = copy.deepcopy(full_form()["resources"])
    grant["hosts"][0]["count"] = 1                # asked 2: trimmed
    grant["storage_tb"] = 1                       # asked 2: trimmed
    del grant["security"]["waf_domains"]          # asked 1: refused
    path = tmp_path_factory.mktemp("grant") / "grant.json"
    path.write_text(json.dumps(grant, ensure_ascii=False), encoding="utf-8")
    p.cli("accept", a, actor="bureau")
    p.cli("approve", a, "--grant", str(path), actor="bureau")
    p.wait_until(lambda: any(d["what"] == "test_end" for d in ok(p.call(
        "bureau", "review", "review.get", {"app_id": a}))["duties"]),
        what="test environment delivered")
    b = ok(p.submit("health", minimal_form()))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": b})["ok"], what="review")
    p.set_now(LATER)
    return {"a": a, "b": b}


def by_app(rows, app):
    return [r for r in rows if r.get("申请编号") == app]


def test_list_columns_line_up_and_say_who_owes(platform, apps):
    text = platform.cli("list", actor="bureau").stdout
    lines = text.splitlines()
    assert len(second_column_starts(lines)) == 1, text
    rows = table(lines)
    a, b = by_app(rows, apps["a"])[0], by_app(rows, apps["b"])[0]
    # R10.2: the end of the test is the unit's; R9.1: acceptance the bureau's
    assert (a["状态"], a["应办事项"], a["谁办"]) == ("测试中", "测试期届满", "使用单位"), a
    assert a["办理期限"].startswith("2025-09-16 逾期")
    assert (b["状态"], b["应办事项"], b["谁办"]) == ("已提交，待受理", "受理", "主管部门"), b


def test_overdue_columns_line_up_and_say_who_owes(platform, apps):
    text = platform.cli("list", "--overdue", actor="bureau").stdout
    lines = text.splitlines()
    assert len(second_column_starts(lines)) == 1, text
    rows = table(lines)
    a = [r for r in by_app(rows, apps["a"]) if r["应办事项"] == "测试期届满"]
    assert a and a[0]["谁办"] == "使用单位" and a[0]["办理期限"] == "2025-09-16", rows
    assert a[0]["依据"].startswith("R10.2")
    b = by_app(rows, apps["b"])
    assert b and (b[0]["应办事项"], b[0]["谁办"]) == ("受理", "主管部门"), rows


def test_show_grant_table_lines_up_and_marks_trims(platform, apps):
    text = platform.cli("show", apps["a"], actor="edu").stdout
    lines = block(text, "三、云平台资源需求表")
    rows = table(lines)       # every cell under its header, however long
    assert len(second_column_starts(lines)) == 1
    line = {r["项目"]: r for r in rows}
    # R9.2: granted less than asked is marked; nothing granted is refused
    assert line["云存储"] == {"项目": "云存储", "申请": "2 TB", "核定": "1 TB（核减）"}
    assert line["云主机 配置1"]["核定"].endswith("（核减）")
    assert "×1" in line["云主机 配置1"]["核定"]
    assert line["云主机 配置2"]["核定"] == line["云主机 配置2"]["申请"]
    assert line["WEB 防护（WAF）"]["核定"] == "不予核定"
    assert line["独享带宽"]["核定"] == "20 Mbps"
    # the deadlines table: the unit owes the end of its test
    duties = table(block(text, "期限事项"))
    ended = [d for d in duties if d["事项"] == "测试期届满"]
    assert ended and ended[0]["谁办"] == "使用单位", duties
    history = block(text, "办理过程")
    assert len({cells(ln)[1][0] for ln in history}) == 1, history


def test_text_output_has_no_codes(platform, apps):
    for args in (["show", apps["a"]], ["list"], ["list", "--overdue"],
                 ["orders"], ["allocations", apps["a"]],
                 ["audit", "events", "--app", apps["a"]]):
        actor = {"audit": "auditor", "orders": "vendor"}.get(args[0], "bureau")
        text = platform.cli(*args, actor=actor).stdout
        assert text.strip()
        audit = args[0] == "audit"
        assert ascii_words(text, actors=audit) == [], (args, ascii_words(text), text)
    # --json keeps the codes
    shown = platform.cli("show", apps["a"], actor="bureau", json_out=True)
    assert shown["application"]["state"] == "testing"
    assert "test_end" in {d["what"] for d in shown["review"]["duties"]}


def test_help_columns_line_up(platform):
    text = platform.cli("--help").stdout
    lines = block(text, "命令：")
    assert len(lines) > 20
    assert len(second_column_starts(lines)) == 1, text
    # every command's usage starts in one column too (where it has one)
    third = {cells(ln)[2][0] for ln in lines if len(cells(ln)) > 2}
    assert len(third) == 1, text


@pytest.mark.parametrize("args, option", [
    (["show", "A000001", "--grant", "x.json"], "--grant"),
    (["list", "--reason", "x"], "--reason"),
    (["accept", "A000001", "--until", "2025-12-31"], "--until"),
    (["orders", "--app", "A000001"], "--app"),
])
def test_an_option_foreign_to_the_command_is_refused(platform, apps, args, option):
    res = platform.cli(*args, actor="bureau", check=False)
    assert res.returncode == 2, res
    assert f"不接受选项 {option}" in res.stderr, res.stderr
    assert res.stdout == ""


def test_refused_option_changes_nothing(platform, apps):
    b = apps["b"]
    res = platform.cli("accept", b, "--opinion", "同意", actor="bureau", check=False)
    assert res.returncode == 2 and "--opinion" in res.stderr
    assert ok(platform.call("bureau", "review", "review.get",
                            {"app_id": b}))["state"] == "submitted"
    res = platform.cli("list", "--overdue", "--state", "testing", actor="bureau",
                       check=False)
    assert res.returncode == 2 and "--overdue" in res.stderr
    res = platform.cli("list", "--nonsense", actor="bureau", check=False)
    assert res.returncode == 2 and "--nonsense" in res.stderr
    assert not re.search(r"unrecognized|invalid option", res.stderr)
