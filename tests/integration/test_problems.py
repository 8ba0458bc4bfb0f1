"""Every problem in one reply, role first, in words a clerk reads
(proto/README.md §2.2, §2.5).  The order of checks: can the envelope be
read; may this actor (its key's role) send this type - `forbidden`, saying
nothing of the body; then every problem of the body at once: its shape,
the form's rules and the materials it requires.  Each problem keeps its
`code` and `field` for programs and has a Chinese `message` that names
the field as the 审核表 does."""
import copy
import json
import re

from conftest import full_form

# ASCII words a clerk's text may hold: the form's own (MySQL, 2Mbps, CentOS …)
FORM_WORDS = {"Mbps", "GB", "MySQL", "MS", "SQL", "Server", "CPU", "CentOS",
              "Win", "R", "DDOS", "WEB", "WAF", "SOC", "G", "TB"}


def details(reply):
    assert reply["ok"] is False, reply
    return reply["error"].get("details") or [reply["error"]]


def for_a_clerk(problem):
    """The message starts with the field's label and holds no path, no
    key and no English."""
    message, label = problem["message"], problem["label"]
    assert label and message.startswith(label + "："), problem
    assert "body" not in message and "_" not in message, problem
    words = set(re.findall(r"[A-Za-z]+", message))
    assert words <= FORM_WORDS, (words - FORM_WORDS, problem)


def a_dozen_defects():
    """Defects of every kind, each on its own line of the form."""
    form = full_form()
    # shape (proto/yjc_schemas.def)
    form["unit"]["contact"]["phone"] = "call me"                 # not a phone
    form["resources"]["storage_tb"] = "two"                      # wrong type
    form["resources"]["hosts"][1]["cpu_mem"] = "16c64g"          # no such option
    form["project"]["funding"] = "private"                       # R2: no such funding
    del form["project"]["name"]                                  # required
    form["project"]["period"]["on_expiry"] = None                # nil = absent
    # the form's rules (common/yjc_form.c)
    form["resources"]["hosts"][0]["data_disk_gb"] = 300          # 200 GB steps
    form["resources"]["network"]["dedicated_mbps"] = 3           # 2 Mbps steps
    form["resources"]["databases"][0]["max_sessions"] = 200      # MySQL tiers
    form["project"]["period"]["end"] = "2031-01-01"              # R14.1: > 3 years
    # R4: a migration, whose R8 materials are missing (none attached)
    form["project"]["kind"] = "migration"
    return form


EXPECTED = {
    ("invalid_phone", "body.form.unit.contact.phone"):
        "使用单位 · 联系人 · 电话：不是有效的电话号码",
    ("wrong_type", "body.form.resources.storage_tb"): "云存储：应填写整数",
    ("invalid_value", "body.form.resources.hosts[1].cpu_mem"):
        "云主机 配置2 · CPU/内存：须为以下之一：2核/4G、4核/8G、6核/12G、8核/16G",
    ("invalid_value", "body.form.project.funding"):
        "资金来源：须为以下之一：财政资金、部分财政资金、国有企业（参照执行）",
    ("missing_field", "body.form.project.name"): "项目名称：必须填写",
    ("missing_field", "body.form.project.period.on_expiry"):
        "预计使用时间 · 期满处理：必须填写",
    ("invalid_value", "body.form.resources.hosts[0].data_disk_gb"):
        "云主机 配置1 · 数据盘：须为 200GB 的整数倍，填写的是 300GB",
    ("invalid_value", "body.form.resources.network.dedicated_mbps"):
        "网络需求 · 独享带宽：须为 2Mbps 的整数倍，填写的是 3Mbps",
    ("invalid_value", "body.form.resources.databases[0].max_sessions"):
        "云数据库 第1项 · 最大会话数：MySQL 须为以下之一：150、300、600、1500，填写的是 200",
    ("out_of_range", "body.form.project.period.end"):
        "预计使用时间 · 结束日期：使用期限不超过 3 年",
}

MISSING_MATERIALS = {"信息系统建设方案", "业务系统部署方案（含网络拓扑图）",
                     "现有设备使用和利旧情况说明", "数据备份方案", "安全服务实施方案"}


def test_every_problem_of_a_form_in_one_reply_R8_R14_1_R2_R4(platform):
    """Shape, the form's rules and the required materials (R8: a
    migration's equipment statement too, R4) in ONE reply, each with its
    Chinese label: a clerk fixes the form once."""
    reply = platform.submit("edu", a_dozen_defects(), attachments=[])
    problems = details(reply)
    got = {(p["code"], p["field"]): p for p in problems}
    for key, text in EXPECTED.items():
        assert key in got, (key, [p["message"] for p in problems])
        assert got[key]["message"].startswith(text), got[key]
    materials = [p for p in problems if p["code"] == "incomplete"]
    assert {re.search(r"缺少“(.+?)”", p["message"]).group(1)
            for p in materials} == MISSING_MATERIALS
    assert all(p["field"] == "body.attachments" for p in materials)
    # programs keep code and path, and the English detail
    assert all(p["detail"] for p in problems)
    assert len(problems) == len(EXPECTED) + len(MISSING_MATERIALS)
    for p in problems:
        for_a_clerk(p)
    # the first problem is the error itself, as before (wire compatible)
    first = reply["error"]
    assert (first["code"], first["field"], first["message"]) == (
        problems[0]["code"], problems[0]["field"], problems[0]["message"])


def test_form_rules_read_what_they_can_of_a_broken_form_R8(platform):
    """A form whose sections are of the wrong shape: the rules skip them and
    check the rest, and the materials are still named."""
    form = full_form()
    form["resources"]["hosts"] = "two hosts"
    form["resources"]["databases"] = [7, {"engine": "mysql", "max_sessions": 100,
                                          "count": 1}]
    form["project"]["period"] = "three years"
    reply = platform.submit("edu", form, attachments=[])
    got = {(p["code"], p["field"]) for p in details(reply)}
    assert ("wrong_type", "body.form.resources.hosts") in got
    assert ("wrong_type", "body.form.resources.databases[0]") in got
    assert ("invalid_value", "body.form.resources.databases[1].max_sessions") in got
    assert ("wrong_type", "body.form.project.period") in got
    assert ("incomplete", "body.attachments") in got
    assert platform.call("admin", "intake", "sys.status")["ok"]


def test_vendor_sending_malformed_review_approve_is_forbidden_R9(platform):
    """R9: only the bureau decides.  The vendor learns nothing of the body's
    schema: forbidden, on the type, whatever the body is."""
    for body in ({"app_id": 7, "bogus": {"x": 1}}, {}, {"granted": "all"}):
        reply = platform.call("vendor", "review", "review.approve", body)
        assert [(p["code"], p["field"]) for p in details(reply)] == [("forbidden", "type")]
        message = reply["error"]["message"]
        assert "供应商" in message and "app_id" not in message and "body" not in message
        assert "details" not in reply["error"]


def test_unit_sending_malformed_bureau_only_message_is_forbidden_R7_R9(platform):
    """R7: no order without a bureau decision - a unit may neither decide
    nor reorder, and is told so before anything about the body."""
    for svc, type_, body in (("review", "review.accept", {"app_id": ["A1"], "x": 1}),
                             ("review", "request.approve", {"granted": 5}),
                             ("provisioning", "order.reorder", {"order_id": 1})):
        reply = platform.call("edu", svc, type_, body)
        assert [(p["code"], p["field"]) for p in details(reply)] == [("forbidden", "type")], reply
        assert reply["error"]["message"] == "请求类型：使用单位无权进行该操作"


def test_change_and_emergency_report_shape_and_rules_together_R12(platform):
    """R12, R12.3: a change's and an emergency report's resources meet the
    form's rules; shape and rules come in one reply, before the
    application is looked up."""
    resources = copy.deepcopy(full_form()["resources"])
    resources["network"]["dedicated_mbps"] = 5
    resources["hosts"][0]["cpu_mem"] = "32c"
    resources["hosts"][1]["data_disk_gb"] = 250
    want = {("invalid_value", "body.resources.network.dedicated_mbps"),
            ("invalid_value", "body.resources.hosts[0].cpu_mem"),
            ("invalid_value", "body.resources.hosts[1].data_disk_gb")}
    change = platform.call("edu", "intake", "request.change",
                           {"app_id": "A999999", "resources": resources, "reason": 5})
    got = {(p["code"], p["field"]) for p in details(change)}
    assert got == want | {("wrong_type", "body.reason")}
    labels = {p["label"] for p in details(change)}
    assert "变更后的资源 · 云主机 配置2 · 数据盘" in labels
    for p in details(change):
        for_a_clerk(p)
    report = platform.call("vendor", "provisioning", "emergency.report",
                           {"app_id": "A999999", "resources": resources})
    got = {(p["code"], p["field"]) for p in details(report)}
    assert got == want | {("missing_field", "body.description")}


def test_cli_shows_a_refused_form_in_chinese_only(platform, tmp_path):
    """Text mode: the Chinese messages, no field path, no code, no English;
    --json keeps code, path and message for programs."""
    path = tmp_path / "form.json"
    path.write_text(json.dumps(a_dozen_defects(), ensure_ascii=False), encoding="utf-8")
    res = platform.cli("apply", str(path), actor="edu", check=False)
    assert res.returncode == 1, res
    err = res.stderr
    assert "云主机 配置1 · 数据盘：须为 200GB 的整数倍，填写的是 300GB" in err
    assert "申请材料：缺少“信息系统建设方案”" in err
    assert "body." not in err and "_" not in err and "[0]" not in err
    words = set(re.findall(r"[A-Za-z]+", err))
    assert words <= FORM_WORDS, words - FORM_WORDS
    assert err.count("\n  - ") >= len(EXPECTED)
    res = platform.cli("apply", str(path), actor="edu", check=False, json_out=True)
    assert res.returncode == 1
    error = json.loads(res.stdout)["error"]
    fields = {(d["code"], d["field"]) for d in error["details"]}
    assert set(EXPECTED) <= fields
    assert all(d["message"] and d["label"] for d in error["details"])
