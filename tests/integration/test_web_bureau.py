"""The web console's bureau, auditor and lists pages (issue 16), at HTTP
level against the real services: the queue, accept, the review with the
grant trimmed line by line and approve (R9.1, R9.2), a request's decision
(R10-R13), the printable 审核表, the calendar, the lists, audit verify;
hostile text escaped, CSRF refused, a unit's one 404."""
import html as htmlmod
import re
import subprocess

import pytest

from conftest import full_form, minimal_form
import test_web
from test_web import web  # noqa: F401  (the platform's console, its accounts)

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
XSS_ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;"
               "&lt;img src=x onerror=alert(1)&gt;")


class Browser(test_web.Browser):
    """One person's cookie jar against the console (test_web's, which
    signs in through the form's token), with the CSRF token of a page."""

    def csrf(self, path):
        status, _, page = self.get(path)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
        assert m, (status, page[:400])
        return m.group(1)


def signed_in(web, name):
    b = Browser(web["port"])
    status, _, _ = b.login(name, web["pw"][name])
    assert status == 303 and b.sid, status
    return b


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def submitted(platform, actor, form):
    app = ok(platform.submit(actor, form))["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    return app


def state(platform, app):
    return ok(platform.call("bureau", "review", "review.get", {"app_id": app}))["state"]


def inputs(page):
    """The review form's fields as the page gives them (name -> value)."""
    out = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]*)"', tag)
        if not name:
            continue
        name = htmlmod.unescape(name.group(1))
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                out[name] = "1"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        out[name] = htmlmod.unescape(value.group(1)) if value else ""
    return out


@pytest.fixture(scope="module")
def trimmed(web, platform):
    """R9.1, R9.2: an application submitted through the services, accepted
    from the queue, one line trimmed and approved with a hostile opinion."""
    app = submitted(platform, "edu", full_form())
    b = signed_in(web, "zhao")
    status, _, page = b.get("/queue")
    assert status == 200 and 'id="queue-accept"' in page
    accept_table = page.split('id="queue-accept"')[1].split("</table>")[0]
    assert app in accept_table and "受理期限" in page
    token = b.csrf("/queue")
    status, headers, _ = b.post(f"/apps/{app}/accept",
                                {"csrf": token, "back": "queue", "opinion": XSS})
    assert status == 303 and headers["location"] == "/queue", status
    assert state(platform, app) == "accepted"
    status, _, page = b.get("/queue")
    decide_table = page.split('id="queue-decide"')[1].split("</table>")[0]
    assert app in decide_table
    status, _, page = b.get(f"/apps/{app}/review")
    assert status == 200 and "逐项核定" in page
    form = inputs(page)
    # every resource line of the 审核表 is there, named by its wire path
    assert form["granted.hosts[0].count"] == "2"
    assert form["granted.hosts[1].data_disk_gb"] == "600"
    assert form["granted.network.dedicated_mbps"] == "20"
    assert form["granted.security.ddos"] == "1"
    assert "云主机 配置1" in page and "独享带宽" in page
    form["granted.hosts[0].count"] = "1"          # trim one line
    form["opinion"] = XSS
    status, headers, page = b.post(f"/apps/{app}/approve", form)
    assert status == 303, page
    # the page the bureau lands on shows the decision made at once (review's
    # own state when intake has not heard of it yet), not the approve button
    status, _, page = b.get(headers["location"])
    assert status == 200 and 'id="approve"' not in page, page[:3000]
    assert re.search(r"审核通过|已通知供应商开通测试环境|测试中", page)
    return {"app": app, "bureau": b}


def test_trimmed_grant_is_what_review_holds(platform, trimmed):
    """R9.2: the approved grant is the trimmed one, every other line as
    asked; the opinion is the one typed."""
    r = ok(platform.call("bureau", "review", "review.get", {"app_id": trimmed["app"]}))
    asked = full_form()["resources"]
    g = r["granted"]
    assert g["hosts"][0]["count"] == 1
    assert g["hosts"][1] == asked["hosts"][1]
    assert g["network"] == asked["network"] and g["security"] == asked["security"]
    assert g["databases"] == asked["databases"] and g["storage_tb"] == asked["storage_tb"]
    assert r["opinion"] == XSS and r["state"] in ("approved", "ordered", "testing")


def test_more_than_asked_refused_next_to_the_field(web, platform):
    """R9.2: the review service refuses a line above what was asked; the
    page shows its Chinese message in that line's row, and a value that
    is no number in its own, all at once."""
    app = submitted(platform, "health", minimal_form())
    ok(platform.call("bureau", "review", "review.accept", {"app_id": app}))
    b = signed_in(web, "zhao")
    form = inputs(b.get(f"/apps/{app}/review")[2])
    form["granted.hosts[0].count"] = "5"
    status, _, page = b.post(f"/apps/{app}/approve", form)
    assert status == 400
    row = page.split('name="granted.hosts[0].count"')[1].split("</tr>")[0]
    assert 'class="problem field-problem"' in row and re.search(r"[\u4e00-\u9fff]", row)
    assert 'value="5"' in page  # what was typed stays
    assert state(platform, app) == "accepted"
    form["granted.hosts[0].count"] = "abc"
    form["granted.hosts[0].data_disk_gb"] = "-x"
    status, _, page = b.post(f"/apps/{app}/approve", form)
    assert status == 400
    for name in ("granted.hosts[0].count", "granted.hosts[0].data_disk_gb"):
        row = page.split(f'name="{name}"')[1].split("</tr>")[0]
        assert "应填写不小于 0 的整数" in row, name
    # rejected with an opinion: R9.2 审核未通过
    form = {"csrf": b.csrf(f"/apps/{app}/review"), "opinion": "资源过大"}
    status, _, _ = b.post(f"/apps/{app}/reject", form)
    assert status == 303 and state(platform, app) == "rejected"


def test_opinion_escaped_on_every_page(web, platform, trimmed):
    app, b = trimmed["app"], trimmed["bureau"]
    for path in (f"/apps/{app}/review", f"/apps/{app}/print", "/queue",
                 f"/audit?app={app}"):
        status, _, page = b.get(path)
        assert status == 200, path
        assert "<script>alert" not in page and "<img src=x" not in page, path
    for path in (f"/apps/{app}/review", f"/apps/{app}/print"):
        assert XSS_ESCAPED in b.get(path)[2], path
    # a refused form echoes the opinion typed, escaped
    other = submitted(platform, "health", minimal_form())
    form = inputs(b.get(f"/apps/{other}/review")[2])
    form.update({"opinion": XSS, "granted.hosts[0].count": "9"})
    ok(platform.call("bureau", "review", "review.accept", {"app_id": other}))
    status, _, page = b.post(f"/apps/{other}/approve", form)
    assert status == 400 and XSS_ESCAPED in page and "<script>alert" not in page


def test_csrf_refused(web, platform):
    app = submitted(platform, "edu", minimal_form("县教育局"))
    b = signed_in(web, "zhao")
    other = signed_in(web, "zhao")
    mine, theirs = b.csrf("/queue"), other.csrf("/queue")
    assert mine != theirs
    status, _, page = b.post(f"/apps/{app}/accept", {"opinion": "x"})
    assert status == 403 and "表单已失效" in page
    status, _, _ = b.post(f"/apps/{app}/accept", {"csrf": theirs})
    assert status == 403
    status, _, _ = b.post(f"/apps/{app}/approve", {"csrf": theirs, "lines": "1"})
    assert status == 403
    status, _, _ = b.post("/calendar", {"csrf": theirs, "text": "2027-10-08,off,x"})
    assert status == 403
    assert state(platform, app) == "submitted"
    status, _, _ = b.post(f"/apps/{app}/accept", {"csrf": mine})
    assert status == 303 and state(platform, app) == "accepted"


def test_unit_gets_the_one_404(web, platform, trimmed):
    li = signed_in(web, "li")
    _, _, none = li.get("/apps/A999999")
    token = li.csrf("/apps")
    app = trimmed["app"]
    for method, path, form in (("GET", "/queue", None),
                               ("GET", f"/apps/{app}/review", None),
                               ("POST", "/calendar", {"csrf": token, "text": "2027-10-08,off,x"}),
                               ("POST", f"/apps/{app}/accept", {"csrf": token}),
                               ("POST", f"/apps/{app}/approve", {"csrf": token}),
                               ("GET", "/idle", None), ("GET", "/findings", None),
                               ("GET", "/compliance", None), ("GET", "/audit/verify", None),
                               ("GET", "/requests/R1?app=" + app, None)):
        status, _, page = li.request(method, path, form)
        assert status == 404 and page == none, path
    # the unit prints its own 审核表 (县教育局's), not another unit's
    status, _, _ = li.get(f"/apps/{app}/print")
    assert status == 200
    theirs = submitted(platform, "health", minimal_form())
    status, _, page = li.get(f"/apps/{theirs}/print")
    assert status == 404 and page == none


def test_print_page_is_the_form(web, trimmed):
    """The printable 审核表: the paper form's sections, labels and values
    (form_render.c's rows), the grant beside each line with the trimmed
    one marked, the signature block; A4 by @media print."""
    status, headers, page = trimmed["bureau"].get(f"/apps/{trimmed['app']}/print")
    assert status == 200 and headers["content-type"].startswith("text/html")
    for label in ("永嘉县政务云平台资源申请审核表", "一、申请单位基本信息", "单位名称",
                  "填表日期", "联系人", "分管领导", "二、申请项目基本信息", "项目名称",
                  "建设类型", "资金来源", "对外服务范围", "等保定级", "预计使用时间",
                  "项目承建单位", "三、云平台资源需求表", "申请", "核定", "网络需求",
                  "独享带宽", "云主机 配置1", "云主机 配置2", "云存储", "云数据库",
                  "申请材料", "审核意见", "编制单位", "审核人", "盖章"):
        assert label in page, label
    form = full_form()
    for value in (form["unit"]["name"], form["project"]["name"],
                  form["project"]["contractor"]["name"], "Web 发布服务器", "20 Mbps"):
        assert htmlmod.escape(value, quote=True) in page, value
    row = page.split("云主机 配置1</th>")[1].split("</tr>")[0]
    assert "×2" in row and "×1" in row and "（核减）" in row
    css = trimmed["bureau"].get("/static/style.css")[2]
    assert "@media print" in css and "size: A4" in css


def test_print_pdf_on_a4(web, trimmed, tmp_path):
    """Print to PDF from a real browser: one A4 portrait page size."""
    chromium = next((c for c in ("chromium", "chromium-browser")
                     if subprocess.run(["which", c], capture_output=True).returncode == 0), None)
    if not chromium:
        pytest.skip("chromium not installed")
    # the browser signs in with the bureau's cookie through a file:// page
    # it cannot; print the page as saved HTML with its style sheet instead
    b = trimmed["bureau"]
    page = b.get(f"/apps/{trimmed['app']}/print")[2]
    (tmp_path / "style.css").write_text(b.get("/static/style.css")[2], encoding="utf-8")
    (tmp_path / "print.html").write_text(page.replace("/static/style.css", "style.css"),
                                         encoding="utf-8")
    pdf = tmp_path / "form.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                    (tmp_path / "print.html").as_uri()],
                   capture_output=True, timeout=120)
    assert pdf.exists() and pdf.stat().st_size > 1000
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info, info  # 595 x 842 points
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 <= pages <= 3, info
    # a PNG of the first page beside the test's output, to look at
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "form")], capture_output=True, timeout=60)
    assert any(p.name.startswith("form") and p.suffix == ".png" for p in tmp_path.iterdir())


def test_request_decided_from_the_console(web, platform):
    """R11.1: a go-live request waits in the queue; refusing it needs an
    opinion (shown at its field); agreeing sends request.approve."""
    platform.start_vendor()
    app = submitted(platform, "health", minimal_form())
    ok(platform.call("bureau", "review", "review.accept", {"app_id": app}))
    ok(platform.call("bureau", "review", "review.approve", {"app_id": app}))
    platform.wait_until(lambda: ok(platform.call("health", "intake", "application.get",
                                                 {"app_id": app}))["state"] == "testing",
                        what="testing", timeout=90)
    req = ok(platform.call("health", "intake", "request.go_live", {
        "app_id": app, "results": {"function": "通过", "performance": "通过",
                                   "security": "通过"}}))["request_id"]
    platform.wait_until(lambda: any(q["request_id"] == req for q in ok(platform.call(
        "bureau", "review", "review.get", {"app_id": app}))["requests"]), what="request")
    b = signed_in(web, "zhao")
    status, _, page = b.get("/queue")
    table = page.split('id="queue-requests"')[1].split("</table>")[0]
    assert req in table and "上线" in table
    path = f"/requests/{req}?app={app}"
    status, _, page = b.get(path)
    assert status == 200 and "待处理" in page and 'id="approve"' in page
    token = b.csrf(path)
    status, _, page = b.post(f"/requests/{req}",
                             {"csrf": token, "app_id": app, "decision": "reject"})
    assert status == 400 and "不同意时须填写意见" in page.split('id="opinion"')[1]
    status, headers, _ = b.post(f"/requests/{req}", {"csrf": token, "app_id": app,
                                                     "decision": "approve",
                                                     "opinion": "同意上线"})
    assert status == 303
    q = [q for q in ok(platform.call("bureau", "review", "review.get",
                                     {"app_id": app}))["requests"] if q["request_id"] == req]
    assert q[0]["state"] == "approved" and q[0]["opinion"] == "同意上线"
    status, _, page = b.get(path)
    assert "同意" in page and 'id="approve"' not in page


def test_calendar_show_and_publish(web, platform):
    b = signed_in(web, "zhao")
    status, _, page = b.get("/calendar?year=2027")
    assert status == 200 and 'id="calendar"' in page and "2027 年" in page
    assert "2027-10-01" in page  # 国庆节
    token = b.csrf("/calendar?year=2027")
    status, _, page = b.post("/calendar", {"csrf": token, "kind": "local",
                                           "text": "date,kind,name\n2027-10-08,bogus,x\n"})
    assert status == 400 and "第 2 行" in page and "field-problem" in page
    status, _, page = b.post("/calendar", {"csrf": token, "kind": "local",
                                           "text": "date,kind,name\n2027-10-11,off,本县调整\n"})
    assert status == 200 and "已公布 2027 年本县调整（1 天）" in page, page
    pubs = ok(platform.call("bureau", "review", "calendar.list"))["published"]
    assert any(p["year"] == 2027 and p["kind"] == "local" for p in pubs)
    assert "本县调整" in b.get("/calendar?year=2027")[2]


def test_lists_and_audit_verify(web):
    for who in ("zhao", "qian"):
        b = signed_in(web, who)
        for path, table in (("/idle", 'id="idle"'), ("/findings", 'id="findings"'),
                            ("/compliance?year=2026", 'id="sla"')):
            status, _, page = b.get(path)
            assert status == 200 and table in page, (who, path, page[:300])
        status, _, page = b.get("/audit/verify")
        assert status == 200 and "审计记录完整" in page, page
        # /audit and /audit.csv keep working
        assert b.get("/audit")[0] == 200 and b.get("/audit.csv")[0] == 200


def test_no_english_on_the_bureau_pages(web, trimmed):
    """Every visible text of the pages is Chinese (values aside)."""
    b = trimmed["bureau"]
    for path in ("/queue", f"/apps/{trimmed['app']}/review", "/calendar",
                 "/idle", "/findings", "/compliance", "/audit/verify"):
        page = b.get(path)[2]
        text = re.sub(r"<[^>]*>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "",
                                               page, flags=re.S))
        words = set(re.findall(r"\b[A-Za-z]{4,}\b", htmlmod.unescape(text)))
        words -= {"Mbps", "CentOS", "MySQL", "Server", "SQLServer", "Windows", "WAF",
                  "DDOS", "SOC", "Web", "zhao", "alert",
                  "work"}  # the calendar file's own tokens: 日期,off|work,名称
        words -= {"script", "onerror", "img"}
        assert not words, (path, words)
