"""The web console's 使用单位 pages (issue 16): the 审核表 as a form with
its materials in one multipart post (R8), every problem of a refused
form at once next to its field with the values kept, the application
page with the materials' SHA-256 and a byte-identical download, the
requests (R10-R13), the inbox and the statement; another unit's
application, material and inbox not seen; hostile text escaped."""
import hashlib
import http.client
import re
import uuid

import pytest

from conftest import minimal_form
from test_web import Browser, XSS, own_password, signed_in, web  # noqa: F401  (fixture)


def flatten(obj, prefix="form"):
    """The form as the page's inputs name it: wire paths."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += flatten(v, f"{prefix}.{k}")
    elif isinstance(obj, list) and obj and isinstance(obj[0], dict):
        for i, v in enumerate(obj):
            out += flatten(v, f"{prefix}[{i}]")
    elif isinstance(obj, list):
        out += [(prefix, str(v)) for v in obj]  # repeated checkboxes
    elif isinstance(obj, bool):
        if obj:
            out.append((prefix, "on"))
    else:
        out.append((prefix, str(obj)))
    return out


def multipart(fields, files):
    """fields: [(name, value)]; files: [(name, filename, bytes)]."""
    boundary = "----yjc" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                     f"\r\n\r\n".encode() + value.encode() + b"\r\n")
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                     f"\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_multipart(b, path, fields, files=()):
    body, ctype = multipart(fields, files)
    conn = http.client.HTTPConnection("127.0.0.1", b.port, timeout=120)
    conn.request("POST", path, body=body,
                 headers={"Cookie": f"yjc_sid={b.sid}", "Content-Type": ctype})
    res = conn.getresponse()
    data = res.read().decode("utf-8", errors="replace")
    headers = dict((k.lower(), v) for k, v in res.getheaders())
    conn.close()
    return res.status, headers, data


def get_bytes(b, path):
    conn = http.client.HTTPConnection("127.0.0.1", b.port, timeout=60)
    conn.request("GET", path, headers={"Cookie": f"yjc_sid={b.sid}"})
    res = conn.getresponse()
    data = res.read()
    headers = dict((k.lower(), v) for k, v in res.getheaders())
    conn.close()
    return res.status, headers, data


def field_block(html, name):
    """The <div class="field ..."> holding the input named `name`."""
    for m in re.finditer(r'<div class="field( bad)?">(.*?)</div>', html, re.S):
        if f'name="{name}"' in m.group(2):
            return m.group(0)
    raise AssertionError(f"no input {name}")


# binary materials: NUL bytes and every byte value (R8: stored as sent)
PLAN = b"%PDF-1.4\x00\x01\x02" + bytes(range(256)) * 40 + b"\x00end"
DEPLOY = b"\x00" * 1000 + b"\xff\xfe binary deploy plan \x00" + bytes(range(255, -1, -1)) * 700


def apply_ok(b, form):
    csrf = b.csrf()
    return post_multipart(b, "/apply", [("csrf", csrf)] + flatten(form),
                          [("material.construction_plan", "建设方案.pdf", PLAN),
                           ("material.deployment_plan", "deploy.pdf", DEPLOY)])


def test_apply_form_from_the_schema(web):
    b = signed_in(web, "li")
    status, _, html = b.get("/apply")
    assert status == 200 and "资源申请" in html
    # every input named by its wire path, labelled as the 审核表 words it
    for name in ("form.unit.name", "form.unit.contact.phone", "form.project.period.start",
                 "form.resources.hosts[0].cpu_mem", "form.resources.network.access",
                 "form.project.scope", "material.construction_plan"):
        assert f'name="{name}"' in html, name
    for label in ("联系人", "分管领导", "预计使用时间", "项目承建单位", "云主机 配置1",
                  "8核/16G", "电子政务外网", "信息系统建设方案", "等保定级情况"):
        assert label in html, label
    # the clerk's unit filled in; a multipart form with the CSRF token
    assert 'value="县教育局"' in field_block(html, "form.unit.name")
    assert 'enctype="multipart/form-data"' in html and 'name="csrf"' in html
    # no English words for a clerk on the page (values and code aside)
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b(required|missing|invalid|error|submit)\b", text, re.I)
    # the bureau has no application form
    status, _, _ = signed_in(web, "zhao").get("/apply")
    assert status == 404


def test_rejected_form_every_problem_at_once_values_kept(web):
    """R8: a form with several mistakes comes back with every problem
    next to its field at once, and what was entered kept."""
    b = signed_in(web, "li")
    form = minimal_form("县教育局")
    form["unit"]["contact"]["phone"] = "打电话"          # not a phone
    del form["unit"]["leader"]["name"]                  # missing
    form["project"]["period"]["start"] = "2027-02-30"   # not a date
    form["resources"]["hosts"][0]["count"] = "三台"      # not a number
    form["project"]["name"] = "保留的项目名称"
    csrf = b.csrf()
    status, _, html = post_multipart(b, "/apply", [("csrf", csrf)] + flatten(form))
    assert status == 422, html[:2000]
    m = re.search(r"共 (\d+) 处问题", html)
    assert m and int(m.group(1)) >= 6, html[:3000]
    for name in ("form.unit.contact.phone", "form.unit.leader.name",
                 "form.project.period.start", "form.resources.hosts[0].count"):
        block = field_block(html, name)
        assert 'class="field bad"' in block and 'class="problem"' in block, (name, block)
    # R8: the materials a new system requires, each beside its input
    for kind in ("construction_plan", "deployment_plan"):
        block = field_block(html, f"material.{kind}")
        assert 'class="problem"' in block and "缺少" in block, block
    # what was entered is kept, the wrong values too
    assert 'value="打电话"' in field_block(html, "form.unit.contact.phone")
    assert 'value="三台"' in field_block(html, "form.resources.hosts[0].count")
    assert 'value="保留的项目名称"' in field_block(html, "form.project.name")
    assert 'value="egov_extranet" checked' in html
    assert re.search(r'<option value="2c4g" selected>', html)
    # nothing was submitted
    status, _, apps = b.get("/apps")
    assert "保留的项目名称" not in apps


def test_materials_kept_across_a_refused_form(web):
    """R8: files sent with a form that is refused are uploaded and kept:
    the corrected form goes without choosing them again."""
    b = signed_in(web, "li")
    form = minimal_form("县教育局")
    form["project"]["name"] = "保留材料的项目"
    form["unit"]["filled_on"] = "昨天"
    status, _, html = apply_ok(b, form)
    assert status == 422, html[:2000]
    assert "已上传" in field_block(html, "material.construction_plan")
    assert hashlib.sha256(PLAN).hexdigest() in html
    kept = re.findall(r'<input type="hidden" name="(att(?:_name|_sha)?\.[a-z_]+)" value="([^"]*)">', html)
    assert len(kept) == 6, kept
    form["unit"]["filled_on"] = "2026-11-27"
    status, headers, html = post_multipart(b, "/apply", [("csrf", b.csrf())] + flatten(form) + kept)
    assert status == 303, html[:3000]
    _, _, page = b.get(headers["location"])
    assert hashlib.sha256(DEPLOY).hexdigest() in page and "保留材料的项目" in page


def test_refused_file_type_with_the_forms_own_problems(web):
    """A file intake does not take (R8: pdf, ofd, doc ... only) stops the
    submission; the form's problems are still all shown, by the same
    checks intake makes (yjc_form.c)."""
    b = signed_in(web, "li")
    form = minimal_form("县教育局")
    form["unit"]["contact"]["phone"] = "电话号码"
    status, _, html = post_multipart(
        b, "/apply", [("csrf", b.csrf())] + flatten(form),
        [("material.construction_plan", "plan.exe", b"MZ\x00\x00"),
         ("material.deployment_plan", "deploy.pdf", DEPLOY)])
    assert status == 422, html[:2000]
    block = field_block(html, "material.construction_plan")
    assert "类型不受理" in block, block
    assert 'class="problem"' in field_block(html, "form.unit.contact.phone")
    assert "已上传" in field_block(html, "material.deployment_plan")


def test_add_a_row_without_script(web):
    """A second host line (云主机 配置2) without JavaScript: the list's
    增加 button posts the form back with one empty row more, nothing
    submitted, everything entered kept."""
    b = signed_in(web, "li")
    form = minimal_form("县教育局")
    form["project"]["name"] = "两台主机的项目"
    fields = [("csrf", b.csrf())] + flatten(form) + [("add", "form.resources.hosts")]
    status, _, html = post_multipart(b, "/apply", fields)
    assert status == 200 and "共 " not in html, html[:2000]
    assert 'name="form.resources.hosts[2].cpu_mem"' in html  # 1 kept + 2 empty
    assert "云主机 配置3" in html
    assert 'value="两台主机的项目"' in field_block(html, "form.project.name")
    _, _, apps = b.get("/apps")
    assert "两台主机的项目" not in apps


def test_upload_bound(web):
    """A material above attachment.put's 20 MiB bound (R8) is refused by
    the console before intake sees it; a plain form stays at 64 KiB."""
    b = signed_in(web, "li")
    big = b"\x00" * (20 * 1024 * 1024 + 1)
    status, _, html = post_multipart(b, "/apply", [("csrf", b.csrf())],
                                     [("material.other", "big.pdf", big)])
    assert status == 413 and "过大" in html
    status, _, html = b.post("/logout", {"csrf": b.csrf(), "pad": "x" * 70000})
    assert status == 413
    # the session is still there
    status, _, _ = b.get("/apps")
    assert status == 200


@pytest.fixture(scope="module")
def submitted(web):
    b = signed_in(web, "li")
    form = minimal_form("县教育局")
    form["project"]["name"] = "网页申请的项目"
    status, headers, html = apply_ok(b, form)
    assert status == 303, html[:3000]
    m = re.fullmatch(r"/apps/([A-Za-z0-9_-]+)", headers["location"])
    assert m, headers
    return {"b": b, "app": m.group(1)}


def test_submitted_with_materials_sha256_and_download(web, submitted, platform):
    b, app = submitted["b"], submitted["app"]
    status, _, html = b.get(f"/apps/{app}")
    assert status == 200 and "网页申请的项目" in html
    assert "信息系统建设方案" in html and "业务系统部署方案" in html
    # a quantity with its unit as the form names it (数据盘 in GB)
    assert re.search(r"数据盘</t[dh]>\s*<td>200GB</td>", html), html[html.find("数据盘") - 200:][:600]
    # R8: each material with its SHA-256 and a download link
    for data in (PLAN, DEPLOY):
        assert hashlib.sha256(data).hexdigest() in html
    links = re.findall(r'<a href="/files/([A-Za-z0-9_-]+)">([^<]*)</a>', html)
    assert len(links) == 2, links
    got = {}
    for att, name in links:
        status, headers, data = get_bytes(b, f"/files/{att}")
        assert status == 200 and "attachment" in headers["content-disposition"]
        got[name] = data
    assert got["建设方案.pdf"] == PLAN and got["deploy.pdf"] == DEPLOY
    # the state and who owes the next step, by when (R9.1), once review
    # has the application
    assert "已提交" in html
    platform.wait_until(lambda: re.search(r'id="app-next">[^<]*主管部门[^<]*期限 \d{4}-\d\d-\d\d',
                                          b.get(f"/apps/{app}")[2]), what="next step shown")
    # the print page link for everyone, the review link only for the bureau
    assert f'href="/apps/{app}/print"' in html and f'/apps/{app}/review' not in html
    status, _, bhtml = signed_in(web, "zhao").get(f"/apps/{app}")
    assert status == 200 and f'href="/apps/{app}/review"' in bhtml
    # the list shows it too
    status, _, apps = b.get("/apps")
    assert app in apps and "网页申请的项目" in apps


def test_another_unit_sees_nothing(web, submitted):
    app = submitted["app"]
    _, _, html = submitted["b"].get(f"/apps/{app}")
    att = re.search(r'href="/files/([A-Za-z0-9_-]+)"', html).group(1)
    other = signed_in(web, "wang")
    status, _, page = other.get(f"/apps/{app}")
    status_none, _, page_none = other.get("/apps/A999999")
    assert status == 404 and status_none == 404 and page == page_none
    status, _, page = other.get(f"/files/{att}")
    assert status == 404 and page == page_none
    status, _, page = other.get(f"/apps/{app}/request/termination")
    assert status == 404
    # the inbox is the person's own: nothing of the other unit's application
    status, _, inbox = other.get("/inbox")
    assert status == 200 and "我的通知" in inbox and app not in inbox
    status, _, mine = submitted["b"].get("/inbox")
    assert status == 200 and 'id="inbox"' in mine
    # /apps/ID matches exactly: a further segment is not the application
    status, _, _ = submitted["b"].get(f"/apps/{app}/nonsense")
    assert status == 404


def test_hostile_project_name_escaped(web):
    b = signed_in(web, "li")
    form = minimal_form("县教育局")
    form["project"]["name"] = XSS
    status, headers, html = apply_ok(b, form)
    assert status == 303, html[:2000]
    app = headers["location"].rsplit("/", 1)[1]
    esc = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    for path in ("/apps", f"/apps/{app}"):
        status, _, page = b.get(path)
        assert status == 200, path
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert esc in page, path
    # kept values on a refused form are escaped as well
    form["unit"]["contact"]["phone"] = XSS
    status, _, page = post_multipart(b, "/apply", [("csrf", b.csrf())] + flatten(form))
    assert status == 422 and "<script>alert" not in page and esc in page


def test_requests_csrf_and_problems(web, submitted):
    b, app = submitted["b"], submitted["app"]
    for kind, label in (("change", "变更理由"), ("extension", "延长至"),
                        ("golive", "功能测试"), ("termination", "数据处理")):
        status, _, html = b.get(f"/apps/{app}/request/{kind}")
        assert status == 200 and label in html, kind
    # R12: a change starts from the resources as they stand
    _, _, html = b.get(f"/apps/{app}/request/change")
    assert re.search(r'<option value="2c4g" selected>', html)
    # posted without the CSRF token: refused before anything is sent
    status, _, html = post_multipart(b, f"/apps/{app}/request/termination",
                                     [("data", "backed_up"), ("reason", "不再使用")])
    assert status == 403 and "表单已失效" in html
    status, _, html = b.request("POST", f"/apps/{app}/request/termination",
                                {"data": "backed_up", "reason": "x"})
    assert status == 403
    # R13.1: with the token the service decides; a missing reason and an
    # unconfirmed offline are problems beside their fields
    status, _, html = post_multipart(b, f"/apps/{app}/request/termination",
                                     [("csrf", b.csrf()), ("data", "backed_up")])
    assert status == 422, html[:2000]
    assert 'class="problem"' in field_block(html, "reason")
    # R10.3: go-live takes the test report's file in the same post
    status, _, html = post_multipart(
        b, f"/apps/{app}/request/golive",
        [("csrf", b.csrf()), ("results.function", "通过"), ("results.performance", "通过"),
         ("results.security", "通过"), ("test_report.lab", "测评中心"),
         ("test_report.cnas_no", "CNAS L0001")],
        [("test_report.att_id", "report.pdf", b"%PDF\x00report")])
    # not yet provisioned: refused by the service, with the report kept
    assert status in (303, 422), html[:2000]
    if status == 422:
        assert "已上传" in html


def test_statement_page(web):
    b = signed_in(web, "li")
    status, _, html = b.get("/statement?year=2027")
    assert status == 200 and "费用结算单" in html and "2027" in html


def test_apps_paged_with_their_deadlines(web, platform):
    """/apps lists 50 a page, newest first, with a cursor to the next; each
    row's deadline comes from review.pending of that page's rows only
    (app_ids, issue 16's page latency), and a cursor naming another unit's
    application lists nothing."""
    unit = "县统计局"
    platform.cli("actor", "add", "tongji", "--role", "unit", "--unit", unit)
    pw = own_password(web["port"], "tongjiweb",
                      platform.cli("web-user", "add", "tongjiweb", "--role", "unit",
                                   "--unit", unit, json_out=True)["password"])
    apps = []
    for i in range(55):
        form = minimal_form(unit)
        form["project"]["name"] = f"分页项目{i}"
        reply = platform.submit("tongji", form)
        assert reply["ok"], reply
        apps.append(reply["body"]["app_id"])
    # review has them all (each owes the bureau's acceptance, R9.1)
    ask = {"app_ids": apps[:3] + [apps[-1]], "limit": 500}
    platform.wait_until(lambda: len(platform.call("tongji", "review", "review.pending",
                                                  {"app_ids": apps[:50]})["body"]["pending"]) == 50
                        and len(platform.call("tongji", "review", "review.pending",
                                              {"app_ids": apps[50:]})["body"]["pending"]) == 5,
                        what="review has the 55 applications")
    # review.pending of named applications: those only, the unit's own only
    other = platform.submit("edu", minimal_form("县教育局"))["body"]["app_id"]
    reply = platform.call("tongji", "review", "review.pending", dict(ask, app_ids=ask["app_ids"] + [other]))
    assert reply["ok"], reply
    assert sorted(p["app_id"] for p in reply["body"]["pending"]) == sorted(ask["app_ids"])
    assert all(p["step"] == "accept" and p["due"] for p in reply["body"]["pending"])
    reply = platform.call("tongji", "review", "review.pending", {"app_ids": apps + apps})
    assert not reply["ok"] and "app_ids" in reply["error"]["field"], reply
    # the console: two pages, every row once, newest first, each with its deadline
    b = Browser(web["port"])
    status, _, _ = b.login("tongjiweb", pw)
    assert status == 303
    row = re.compile(r'<tr><td><a href="/apps/([A-Za-z0-9_-]+)">[^<]*</a></td>'
                     r"<td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>(\d{4}-\d\d-\d\d)")
    status, _, page1 = b.get("/apps")
    first = row.findall(page1)
    assert status == 200 and len(first) == 50, page1[:2000]
    nxt = re.search(r'href="/apps\?before=([A-Za-z0-9_-]+)">下一页', page1)
    assert nxt and nxt.group(1) == first[-1][0]
    status, _, page2 = b.get(f"/apps?before={nxt.group(1)}")
    second = row.findall(page2)
    assert status == 200 and len(second) == 5 and "下一页" not in page2
    assert 'href="/apps">回到第一页' in page2
    listed = [r[0] for r in first + second]
    assert listed == list(reversed(apps))  # newest first, none twice, none lost
    assert all(owed == "主管部门" for _, _, owed, _ in first + second)
    # another unit's application as the cursor: nothing (not its place in a list)
    status, _, page = b.get(f"/apps?before={other}")
    assert status == 200 and not row.findall(page) and "没有申请" in page
