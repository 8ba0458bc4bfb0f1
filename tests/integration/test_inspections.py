"""R18, R19: the bureau, with the information-security authority, inspects
and records findings against applications, each with a severity and a
rectification deadline in working days; the unit (its security staff,
R19) is told, reports its rectification, and the bureau accepts it or sends
it back.  A major finding not rectified by its deadline lets the bureau
order enforcement (断网 / 下线 / 暂停服务): an order to the vendor
(YJC_ENFORCE_DAYS working days: the regulation names none); the measure is
shown with the application's state while it lasts, and billing records an
`enforced` interval; lifting it after the rectification is another order.
The clock is moved (YJC_NOW_FILE)."""
import json

import pytest

from conftest import minimal_form
from test_reclaim import to_production, ok, error_of, intake_state, allocations

T0 = "2025-09-01T09:00:00+08:00"        # a Monday
INSPECTED = "2025-09-08T10:00:00+08:00"  # 3 working days -> due 2025-09-11
LAST_DAY = "2025-09-11T23:00:00+08:00"
OVERDUE = "2025-09-12T09:00:00+08:00"


@pytest.fixture(scope="module")
def ins(platform):
    platform.stop_all()
    platform.set_now(T0)
    platform.start_all()
    platform.start_vendor()
    return {}


def review_get(p, actor, app):
    return ok(p.call(actor, "review", "review.get", {"app_id": app}))


def findings(p, actor, **flags):
    return ok(p.call(actor, "review", "finding.list", flags))["findings"]


def test_1_security_staff_from_the_form_and_updated(platform, ins):
    """R19: the unit names its security staff and MLPS level."""
    p = platform
    # an old form without security staff stays valid
    old = ok(p.submit("health", minimal_form("县卫生健康局")))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": old})["ok"])
    assert review_get(p, "bureau", old)["security_staff"] is None
    form = minimal_form("县教育局")
    form["unit"]["security_staff"] = {"name": "安全员甲", "phone": "0577-1234567"}
    app = ok(p.submit("edu", form))["app_id"]
    p.wait_until(lambda: p.call("bureau", "review", "review.get",
                                {"app_id": app})["ok"])
    got = review_get(p, "edu", app)
    assert got["security_staff"] == {"name": "安全员甲", "phone": "0577-1234567"}
    assert got["mlps"] == form["project"]["mlps"]
    bad = p.call("edu", "review", "security_staff.update",
                 {"app_id": app, "name": "乙", "phone": "call me"})
    assert ("invalid_phone", "body.phone") in error_of(bad)
    # another unit cannot touch it (its existence not revealed)
    assert ("not_found", "body.app_id") in error_of(p.call(
        "health", "review", "security_staff.update",
        {"app_id": app, "name": "乙", "phone": "13800000000"}))
    ok(p.call("edu", "review", "security_staff.update",
              {"app_id": app, "name": "安全员乙", "phone": "13800000000"}))
    assert review_get(p, "bureau", app)["security_staff"]["name"] == "安全员乙"


def test_2_inspection_finding_returned_then_accepted(platform, ins):
    """R18: inspection -> findings -> rectification returned, then accepted."""
    p = platform
    app = to_production(p, "edu", "县教育局")
    other = to_production(p, "health", "县卫生健康局")
    ins["app"] = app
    p.set_now(INSPECTED)
    assert not p.call("edu", "review", "inspection.record", {
        "date": "2025-09-08", "authority": "县公安局网安大队", "scope": "x",
        "findings": [{"app_id": app, "severity": "minor", "text": "t",
                      "days": 3}]})["ok"]
    rec = ok(p.call("bureau", "review", "inspection.record", {
        "date": "2025-09-08", "authority": "县公安局网安大队",
        "scope": "政务云平台及在用系统",
        "findings": [
            {"app_id": app, "severity": "minor", "text": "弱口令", "days": 3},
            {"app_id": app, "severity": "major", "text": "高危漏洞未修复",
             "days": 3},
            {"app_id": other, "severity": "minor", "text": "日志未留存",
             "days": 5}]}))
    minor, major, theirs = (f["finding_id"] for f in rec["findings"])
    assert rec["findings"][0]["due"] == "2025-09-11"
    ins.update(minor=minor, major=major)
    # a duty of the unit, with its rule
    assert p.sql(f"SELECT owed_by, due::text FROM review.duties"
                 f" WHERE what = 'rectify' AND ref = '{minor}'") == [["unit", "2025-09-11"]]
    # the unit is told (its inbox)
    p.wait_until(lambda: any(
        n.get("title", "").startswith("检查发现问题") for n in ok(p.call(
            "edu", "audit", "inbox.list", {}))["notifications"]),
        what="finding in the unit's inbox")
    # a unit sees only its own findings
    assert {f["finding_id"] for f in findings(p, "edu")} == {minor, major}
    assert {f["finding_id"] for f in findings(p, "health")} == {theirs}
    assert len(findings(p, "bureau", open=True)) == 3
    assert ("not_found", "body.finding_id") in error_of(p.call(
        "health", "review", "finding.rectify", {"finding_id": minor, "text": "x"}))
    # accepted only once reported
    assert ("invalid_state", "body.finding_id") in error_of(p.call(
        "bureau", "review", "finding.accept", {"finding_id": minor, "opinion": "好"}))
    ok(p.call("edu", "review", "finding.rectify",
              {"finding_id": minor, "text": "已修改口令", "attachments": []}))
    assert ok(p.call("bureau", "review", "finding.return",
                     {"finding_id": minor, "opinion": "未提供截图"}))["state"] == "returned"
    # R18: the attachments are the unit's own uploads, known to review
    shot = ok(p.upload("edu", b"%PDF-1.4 screenshot of the new policy\n"))["att_id"]
    theirs_file = ok(p.upload("health", b"%PDF-1.4 not edu's\n"))["att_id"]
    assert {("not_found", "body.attachments[0]"),
            ("not_found", "body.attachments[1]")} <= set(error_of(p.call(
        "edu", "review", "finding.rectify",
        {"finding_id": minor, "text": "x", "attachments": [theirs_file, "F999999"]})))
    ok(p.call("edu", "review", "finding.rectify",
              {"finding_id": minor, "text": "已修改口令，附截图",
               "attachments": [shot]}))
    assert ok(p.call("bureau", "review", "finding.accept",
                     {"finding_id": minor, "opinion": "整改到位"}))["state"] == "passed"
    assert p.scalar(f"SELECT closed_why FROM review.duties"
                    f" WHERE what = 'rectify' AND ref = '{minor}'") == "done"
    assert {f["finding_id"] for f in findings(p, "edu", open=True)} == {major}


def test_3_enforcement_refused_unless_major_and_overdue(platform, ins):
    """R18: only a major risk not rectified in time is enforced."""
    p = platform
    order = {"finding_id": ins["major"], "measure": "cut_network"}
    p.set_now(LAST_DAY)   # the deadline runs to 24:00 of its last day
    assert findings(p, "bureau", overdue=True) == []
    assert ("invalid_state", "body.finding_id") in error_of(p.call(
        "bureau", "review", "enforcement.order", order))
    p.set_now(OVERDUE)
    assert [f["finding_id"] for f in findings(p, "edu", overdue=True)] == [ins["major"]]
    # a minor (and rectified) finding is never enforced
    assert ("invalid_state", "body.finding_id") in error_of(p.call(
        "bureau", "review", "enforcement.order", dict(order, finding_id=ins["minor"])))
    assert not p.call("edu", "review", "enforcement.order", order)["ok"]
    assert ("invalid_value", "body.measure") in error_of(p.call(
        "bureau", "review", "enforcement.order", dict(order, measure="bomb")))
    # nothing to lift yet
    assert ("invalid_state", "body.finding_id") in error_of(p.call(
        "bureau", "review", "enforcement.lift", {"finding_id": ins["major"]}))


def test_4_cut_network_then_lifted_with_billing_intervals(platform, ins):
    """R18: 断网 order -> vendor done -> state shows it -> lifted after the
    rectification -> billing's intervals."""
    p, app, major = platform, ins["app"], ins["major"]
    ok(p.call("bureau", "review", "enforcement.order",
              {"finding_id": major, "measure": "cut_network",
               "opinion": "逾期未整改，予以断网"}))
    # twice: refused
    assert ("invalid_state", "body.finding_id") in error_of(p.call(
        "bureau", "review", "enforcement.order",
        {"finding_id": major, "measure": "suspend"}))
    q = (f"SELECT state, due::text FROM provisioning.orders WHERE app_id = '{app}'"
         f" AND kind = 'cut_network'")
    try:
        p.wait_until(lambda: p.sql(q) == [["done", "2025-09-15"]],
                     what="cut_network order done")
    except AssertionError:
        raise AssertionError(str(p.sql(q)) + str(p.sql(
            f"SELECT kind, state FROM provisioning.orders WHERE app_id = '{app}'"))
            + p.log_text("provisioning")[-1500:])
    p.wait_until(lambda: review_get(p, "edu", app).get("enforcement_state") == "in_force",
                 what="enforcement in force")
    got = review_get(p, "edu", app)
    assert got["enforcement"] == "cut_network" and got["state"] == "production"
    assert intake_state(p, "edu", app) == "production"
    shown = p.cli("show", app, actor="edu").stdout
    assert "已上线运行" in shown and "断网（执行中，R18）" in shown
    listed = p.cli("findings", "--overdue", actor="bureau").stdout
    assert major in listed and "断网" in listed and "已逾期" in listed
    # and in `list`, beside the state, while it lasts (R18)
    def list_row():
        return next(l for l in p.cli("list", actor="bureau").stdout.splitlines()
                    if app in l)
    try:
        p.wait_until(lambda: "已上线运行（断网中）" in list_row(), what="list shows 断网")
    except AssertionError:
        raise AssertionError(p.cli("list", actor="bureau").stdout + str(p.sql(
            "SELECT app_id, state, enforcement FROM intake.applications")))
    p.wait_until(lambda: any(a["stage"] == "enforced" for a in allocations(p, app)),
                 what="enforced interval")
    # lifted only after the rectification is accepted
    assert ("invalid_state", "body.finding_id") in error_of(p.call(
        "bureau", "review", "enforcement.lift", {"finding_id": major}))
    ok(p.call("edu", "review", "finding.rectify",
              {"finding_id": major, "text": "漏洞已修复"}))
    ok(p.call("bureau", "review", "finding.accept",
              {"finding_id": major, "opinion": "复查通过"}))
    ok(p.call("bureau", "review", "enforcement.lift",
              {"finding_id": major, "opinion": "恢复网络"}))
    p.wait_until(lambda: p.sql(
        f"SELECT state FROM provisioning.orders WHERE app_id = '{app}'"
        f" AND kind = 'lift'") == [["done"]], what="lift order done")
    p.wait_until(lambda: review_get(p, "edu", app)["enforcement"] is None,
                 what="enforcement lifted")
    p.wait_until(lambda: "断网" not in list_row() and "已上线运行" in list_row(),
                 what="list no longer shows 断网")
    def stages():
        return [(a["stage"], a["to"] == "") for a in allocations(p, app)]
    p.wait_until(lambda: stages()[-1] == ("production", True), what="production again")
    seq = [s for s, _ in stages()]
    i = seq.index("enforced")
    assert seq[i + 1:] == ["production"]
    assert not dict(stages()).get("enforced")   # the enforced interval closed


def test_5_the_cli(platform, ins, tmp_path):
    """R18, R19 through yjcloud: security-staff, inspect record, rectify,
    finding return / accept, findings --open."""
    p, app = platform, ins["app"]
    p.cli("security-staff", app, "--name", "安全员丙", "--phone", "13900000000",
          actor="edu")
    assert "安全员丙 13900000000" in p.cli("show", app, actor="edu").stdout
    bad = p.cli("security-staff", app, "--name", "丙", actor="edu", check=False)
    assert bad.returncode == 2 and "--phone" in bad.stderr
    rec = tmp_path / "inspection.json"
    rec.write_text(json.dumps({
        "date": "2025-09-12", "authority": "县委网信办", "scope": "复查",
        "findings": [{"app_id": app, "severity": "minor", "text": "补丁未更新",
                      "days": 2}]}, ensure_ascii=False), encoding="utf-8")
    out = p.cli("inspect", "record", str(rec), actor="bureau").stdout
    assert "检查已记录" in out and "整改期限 2025-09-16" in out
    fid = out.split("问题 ")[1].split("（")[0]
    assert fid in p.cli("findings", "--open", actor="edu").stdout
    assert fid not in p.cli("findings", "--open", actor="health").stdout
    p.cli("rectify", fid, "--text", "已更新补丁", actor="edu")
    p.cli("finding", "return", fid, "--opinion", "缺少验证", actor="bureau")
    p.cli("rectify", fid, "--text", "已更新补丁并验证", actor="edu")
    out = p.cli("finding", "accept", fid, "--opinion", "通过", actor="bureau").stdout
    assert "整改通过" in out
    assert fid not in p.cli("findings", "--open", actor="bureau").stdout
    # R18: a minor finding is never enforced, said in Chinese
    res = p.cli("enforce", fid, "--measure", "suspend", actor="bureau", check=False)
    assert res.returncode == 1 and "重大风险" in res.stderr
