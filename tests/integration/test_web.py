"""The web console (issue 16): yjc-web against the real services.  HTTP
level: sign-in, the throttle, CSRF, sign-out killing the session id,
escaping of hostile text, and a unit's 404 for another unit's
application."""
import http.client
import json
import os
import re
import subprocess
import time
import urllib.parse
import uuid

import pytest

from conftest import BIN, ROOT, free_port, minimal_form

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
# a certificate's metadata (czmq's ZPL) cannot hold a double quote, so the
# unit name carries the rest of the attack
XSS_UNIT = '<script>alert(1)</script><img src=x onerror=alert(1)>'


class Browser:
    """One person's cookie jar against the console."""

    def __init__(self, port):
        self.port = port
        self.sid = None
        self.pre = None  # the sign-in form's pre-session cookie

    def request(self, method, path, form=None, sid=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {}
        body = None
        cookie = sid if sid is not None else self.sid
        cookies = [f"yjc_sid={cookie}"] if cookie else []
        if self.pre and path == "/login":
            cookies.append(f"yjc_pre={self.pre}")
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        data = res.read().decode("utf-8", errors="replace")
        for name, value in res.getheaders():
            if name.lower() == "set-cookie":
                m = re.match(r"yjc_sid=([0-9a-f]*);", value)
                if m:
                    self.sid = m.group(1) or None
                    self.set_cookie = value
                m = re.match(r"yjc_pre=([0-9a-f]{64});", value)
                if m:
                    self.pre = m.group(1)
        conn.close()
        return res.status, dict((k.lower(), v) for k, v in res.getheaders()), data

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def login(self, name, password, token=True):
        """Opens the sign-in form (its token: cookie + hidden field), then
        posts it; token=False posts without the form's token."""
        form = {"name": name, "password": password}
        if token:
            _, _, html = self.get("/login")
            m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
            form["csrf"] = m.group(1)
        return self.post("/login", form)

    def csrf(self):
        status, _, html = self.get("/")
        if status == 303:
            status, _, html = self.get(self.last_location())
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
        return m.group(1) if m else None

    def csrf_of(self, path):
        """The session's form token, read off the page at `path`."""
        _, _, html = self.get(path)
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)

    def last_location(self):
        return "/apps"


@pytest.fixture(scope="module")
def web(platform):
    """The console the platform runs (a service of proto/yjc_services.def,
    its pages at YJC_WEB_LISTEN), with one account per role."""
    port = int(platform.env["YJC_WEB_LISTEN"].rsplit(":", 1)[1])
    accounts = {}
    for name, role, unit in (("li", "unit", "县教育局"), ("wang", "unit", "县卫生健康局"),
                             ("zhao", "bureau", None), ("qian", "auditor", None),
                             ("sun", "vendor", None), ("xssweb", "unit", XSS_UNIT)):
        args = ["web-user", "add", name, "--role", role] + (["--unit", unit] if unit else [])
        onetime = platform.cli(*args, json_out=True)["password"]
        accounts[name] = own_password(port, name, onetime)
    platform.cli("actor", "add", "xss", "--role", "unit", "--unit", XSS_UNIT)
    yield {"port": port, "pw": accounts}


def own_password(port, name, onetime):
    """The person's first sign-in: the administrator's one-time password
    opens only /password, where they set their own; returns it."""
    b = Browser(port)
    status, headers, _ = b.login(name, onetime)
    assert status == 303 and headers["location"] == "/password", (status, headers)
    mine = f"{name}-{uuid.uuid4().hex[:12]}"
    status, headers, _ = b.post("/password", {"csrf": b.csrf_of("/password"), "old": onetime,
                                              "new": mine, "new2": mine})
    assert status == 303 and headers["location"] == "/login?changed=1", (status, headers)
    return mine


def signed_in(web, name):
    b = Browser(web["port"])
    status, headers, _ = b.login(name, web["pw"][name])
    assert status == 303 and b.sid, (status, headers)
    return b


def records(platform, actor):
    """The console's events about `actor` in the audit service
    (audit.events, as the auditor reads them): issue 16."""
    reply = platform.call("auditor", "audit", "audit.events",
                          {"limit": 1000, "actor": actor})
    assert reply["ok"], reply
    return [e for e in reply["body"]["events"] if e["type"].startswith("web.")]


def wait_record(platform, actor, type_, count=1):
    """Waits for the relay to bring `count` events of type_ about actor."""
    platform.wait_until(
        lambda: sum(e["type"] == type_ for e in records(platform, actor)) >= count,
        timeout=30, what=f"{count} {type_} of {actor} in audit")
    return records(platform, actor)


def test_sign_in_cookie_and_pages(web, platform):
    b = Browser(web["port"])
    status, headers, html = b.get("/apps")
    assert status == 303 and headers["location"] == "/login"
    status, _, html = b.get("/login")
    assert status == 200 and "登录" in html and 'lang="zh-CN"' in html
    status, headers, _ = b.login("li", web["pw"]["li"])
    assert status == 303 and headers["location"] == "/"
    # HttpOnly, SameSite=Strict, not Secure without TLS
    assert "HttpOnly" in b.set_cookie and "SameSite=Strict" in b.set_cookie
    assert len(b.sid) == 64
    # the unit's own application, submitted by a file-key actor of its unit
    app = platform.submit("edu", minimal_form("县教育局"))["body"]["app_id"]
    status, _, html = b.get("/apps")
    assert status == 200 and app in html and "我的申请" in html
    status, _, html = b.get(f"/apps/{app}")
    assert status == 200 and "办理经过" in html and "已提交" in html or "提交" in html
    status, headers, css = b.get("/static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    # issue 16: the sign-in is an event of the audit service, naming the
    # person and the address, from the console's own outbox
    ev = [e for e in wait_record(platform, "li", "web.signed_in")
          if e["type"] == "web.signed_in"][-1]
    assert ev["source"] == "web" and ev["actor"] == "li"
    assert ev["payload"] == {"account": "li", "address": "127.0.0.1"}
    assert platform.scalar("SELECT count(*) FROM web.signins WHERE type = 'web.signed_in'"
                           " AND account = 'li'") != "0"


def test_each_person_acts_with_own_key(web, platform):
    """The services see the person's actor, not a console key: a request
    made through the console lands in audit under the person's name."""
    b = signed_in(web, "zhao")
    status, _, html = b.get("/queue")
    assert status == 200 and "待办事项" in html
    # the bureau person declines through the CLI? no: the console is read
    # only; the actor is checked through audit of a CLI-free call below
    status, _, _ = b.get("/orders")
    assert status == 404  # a bureau person has no vendor page
    v = signed_in(web, "sun")
    status, _, html = v.get("/orders")
    assert status == 200 and "待办订单" in html


def test_csrf_refused(web):
    a = signed_in(web, "qian")
    other = signed_in(web, "li")
    token_a = a.csrf()
    token_other = other.csrf()
    assert token_a and token_other and token_a != token_other
    # no token, and another session's token: refused, session still alive
    status, _, html = a.post("/logout", {})
    assert status == 403 and "表单已失效" in html
    status, _, _ = a.post("/logout", {"csrf": token_other})
    assert status == 403
    status, _, html = a.get("/audit")
    assert status == 200 and "审计事件" in html
    status, _, _ = a.post("/logout", {"csrf": token_a})
    assert status == 303


def test_stolen_session_dead_after_sign_out(web, platform):
    b = signed_in(web, "li")
    stolen = b.sid
    token = b.csrf()
    status, _, _ = b.get("/apps")
    assert status == 200
    status, headers, _ = b.post("/logout", {"csrf": token})
    assert status == 303 and "Max-Age=0" in b.set_cookie
    thief = Browser(web["port"])
    status, headers, _ = thief.request("GET", "/apps", sid=stolen)
    assert status == 303 and headers["location"] == "/login"
    status, _, _ = thief.request("POST", "/logout", {"csrf": token}, sid=stolen)
    assert status == 403
    wait_record(platform, "li", "web.signed_out")


def connections_to(pid, port):
    """The process's established TCP connections to 127.0.0.1:port."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    count = 0
    with open(f"/proc/{pid}/net/tcp") as f:
        next(f)
        for line in f:
            cols = line.split()
            remote, state, inode = cols[2], cols[3], cols[9]
            if state == "01" and int(remote.split(":")[1], 16) == port and inode in inodes:
                count += 1
    return count


def test_session_keeps_its_connections_until_sign_out(web, platform):
    """A session's calls reuse its own connections to the services (made
    with the person's key: one CURVE handshake per session and service,
    issue 16's page latency), and signing out closes them with the key."""
    pid = platform.procs["web"].pid
    port = int(platform.env["YJC_INTAKE_ENDPOINT"].rsplit(":", 1)[1])
    before = connections_to(pid, port)
    b = signed_in(web, "li")
    token = b.csrf()
    for _ in range(5):
        status, _, _ = b.get("/apps")
        assert status == 200
    assert connections_to(pid, port) == before + 1  # one, kept: not one per call
    status, _, _ = b.post("/logout", {"csrf": token})
    assert status == 303
    platform.wait_until(lambda: connections_to(pid, port) == before, timeout=10,
                        what="the session's connection closed at sign-out")


def test_hostile_text_escaped(web, platform):
    reply = platform.submit("xss", minimal_form(XSS_UNIT))
    assert reply["ok"], reply
    app = reply["body"]["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    ok = platform.call("bureau", "review", "review.decline", {"app_id": app, "opinion": XSS})
    assert ok["ok"], ok
    platform.wait_until(
        lambda: platform.call("xss", "intake", "application.get",
                              {"app_id": app})["body"]["state"] == "declined",
        what="intake follows")
    b = signed_in(web, "xssweb")
    for path in ("/apps", f"/apps/{app}"):
        status, _, html = b.get(path)
        assert status == 200, path
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html, path
    # the opinion, quote and all, in the history
    status, _, html = b.get(f"/apps/{app}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # the auditor's page shows the unit too, escaped
    status, _, html = signed_in(web, "qian").get(f"/audit?app={app}")
    assert status == 200 and "<script>alert" not in html and "&lt;script&gt;" in html


def test_other_units_application_is_404(web, platform):
    app = platform.submit("health", minimal_form())["body"]["app_id"]
    b = signed_in(web, "li")
    status, _, html = b.get(f"/apps/{app}")
    status_none, _, html_none = b.get("/apps/A999999")
    assert status == 404 and status_none == 404
    assert html == html_none  # the same page: existence not revealed
    # the health unit's person sees it
    status, _, html = signed_in(web, "wang").get(f"/apps/{app}")
    assert status == 200 and app in html


def test_audit_paging_and_csv(web, platform):
    b = signed_in(web, "qian")
    status, _, html = b.get("/audit")
    assert status == 200 and "下载 CSV" in html
    status, headers, csv = b.get("/audit.csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    lines = csv.lstrip("\ufeff").splitlines()
    assert lines[0].startswith('"序号"') and len(lines) > 2
    seqs = [int(l.split('","')[0].strip('"')) for l in lines[1:]]
    assert seqs == sorted(seqs)
    # the second page starts after the cursor
    status, _, page = b.get(f"/audit?after={seqs[0]}")
    assert status == 200 and f"<td>{seqs[0]}</td>" not in page
    # a unit person has no audit page
    status, _, _ = signed_in(web, "li").get("/audit")
    assert status == 404


def test_disabled_account_cannot_sign_in(web, platform):
    platform.cli("web-user", "add", "gone", "--role", "auditor")
    pw = own_password(web["port"], "gone",
                      platform.cli("web-user", "passwd", "gone", json_out=True)["password"])
    b = Browser(web["port"])
    status, _, _ = b.login("gone", pw)
    assert status == 303
    platform.cli("web-user", "disable", "gone")
    c = Browser(web["port"])
    status, _, html = c.login("gone", pw)
    assert status == 401 and "已停用" in html


def test_sign_in_refused_when_it_cannot_be_recorded(web, platform):
    """Issue 16: a sign-in is never unrecorded.  When the console's schema
    cannot take the record (here: its INSERT revoked, as a database that
    is away would fail it), the sign-in is refused in Chinese, and no
    session is made; once it can again, signing in works."""
    platform.sql("REVOKE INSERT ON web.signins FROM yjc_web")
    try:
        b = Browser(web["port"])
        status, _, html = b.login("zhao", web["pw"]["zhao"])
        assert status == 503 and "暂时无法记录登录" in html and b.sid is None
    finally:
        platform.sql("GRANT INSERT ON web.signins TO yjc_web")
    signed_in(web, "zhao")


def test_sign_in_without_the_forms_token_refused(web):
    """Login CSRF (issue 16): a sign-in POST without the form's token, or
    with a token that is not this browser's pre-session cookie, is refused
    and makes no session."""
    b = Browser(web["port"])
    status, _, html = b.login("li", web["pw"]["li"], token=False)
    assert status == 403 and "登录页面已失效" in html and b.sid is None
    other = Browser(web["port"])
    other.get("/login")
    _, _, html = b.get("/login")
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)
    assert token == b.pre
    b.pre = other.pre  # the field of one form, the cookie of another
    status, _, _ = b.post("/login", {"name": "li", "password": web["pw"]["li"], "csrf": token})
    assert status == 403 and b.sid is None
    b.pre = token
    status, _, _ = b.post("/login", {"name": "li", "password": web["pw"]["li"], "csrf": token})
    assert status == 303 and b.sid


def test_disabled_person_loses_open_session(web, platform):
    """`yjcloud web-user disable` ends the person's open session on their
    next request (the key registry is checked on every request)."""
    platform.cli("web-user", "add", "leaving", "--role", "auditor")
    pw = own_password(web["port"], "leaving",
                      platform.cli("web-user", "passwd", "leaving", json_out=True)["password"])
    b = Browser(web["port"])
    status, _, _ = b.login("leaving", pw)
    assert status == 303
    status, _, _ = b.get("/audit")
    assert status == 200
    token = b.csrf()
    platform.cli("web-user", "disable", "leaving")
    deadline = time.time() + 10
    while time.time() < deadline:
        status, headers, _ = b.get("/audit")
        if status == 303:
            break
        time.sleep(0.2)
    assert status == 303 and headers["location"] == "/login"
    # the session is gone, not only refused: a POST with its token too
    status, _, _ = b.post("/logout", {"csrf": token})
    assert status == 403


def test_one_time_password_opens_only_its_change(web, platform):
    """Issue 16: `web-user add` and `passwd` print a one-time password,
    which the administrator knows (and with it the sealed key): it opens
    nothing but /password until the person sets their own.  The change
    needs the current password, refuses a short, mistyped or unchanged
    one in Chinese, replaces the key pair, ends the session, and is an
    audit event; `passwd` makes the password one-time again."""
    onetime = platform.cli("web-user", "add", "newcomer", "--role", "auditor",
                           json_out=True)["password"]
    cert = os.path.join(platform.keys, "public", "newcomer.cert")
    first_key = open(cert).read()
    b = Browser(web["port"])
    status, headers, _ = b.login("newcomer", onetime)
    assert status == 303 and headers["location"] == "/password"
    status, headers, _ = b.get("/audit")
    assert status == 303 and headers["location"] == "/password"
    token = b.csrf_of("/password")
    status, _, html = b.post("/audit", {"csrf": token})
    assert status == 403 and "一次性密码" in html
    status, _, html = b.get("/password")
    assert status == 200 and "一次性密码" in html and "审计事件" not in html
    mine = "newcomer-own-password"
    refused = [({"old": "wrong", "new": mine, "new2": mine}, 401, "当前密码不正确"),
               ({"old": onetime, "new": "short", "new2": "short"}, 400, "至少 10 个字符"),
               ({"old": onetime, "new": mine, "new2": mine + "x"}, 400, "两次输入的新密码不一致"),
               ({"old": onetime, "new": onetime, "new2": onetime}, 400, "不能与当前密码相同")]
    for form, code, words in refused:
        status, _, html = b.post("/password", dict(form, csrf=token))
        assert status == code and words in html, (form, status)
    assert open(cert).read() == first_key  # nothing changed yet
    status, headers, _ = b.post("/password", {"csrf": token, "old": onetime,
                                              "new": mine, "new2": mine})
    assert status == 303 and headers["location"] == "/login?changed=1"
    assert open(cert).read() != first_key  # a new key pair
    status, headers, _ = b.get("/audit")  # that session ended
    assert status == 303 and headers["location"] == "/login"
    status, _, html = b.get("/login?changed=1")
    assert "密码已修改" in html
    status, _, _ = Browser(web["port"]).login("newcomer", onetime)
    assert status == 401
    c = Browser(web["port"])
    status, headers, _ = c.login("newcomer", mine)
    assert status == 303 and headers["location"] == "/"
    assert c.get("/audit")[0] == 200
    # the administrator's reset makes it one-time again
    again = platform.cli("web-user", "passwd", "newcomer", json_out=True)["password"]
    status, headers, _ = Browser(web["port"]).login("newcomer", again)
    assert status == 303 and headers["location"] == "/password"
    kinds = [e["type"] for e in wait_record(platform, "newcomer", "web.password_changed")]
    assert "web.password_change_failed" in kinds


# last: its failures count against the test's address too
def test_wrong_password_throttled(web, platform):
    b = Browser(web["port"])
    for i in range(5):
        status, _, html = b.login("wang", "wrong-password")
        assert status == 401 and "账号或密码不正确" in html, i
    # the sixth attempt in the minute is refused, even with the right password
    status, _, html = b.login("wang", web["pw"]["wang"])
    assert status == 429 and "次数过多" in html
    assert b.sid is None
    # another account from the same address is not locked out by it
    status, _, _ = b.login("li", web["pw"]["li"])
    assert status == 303
    wait_record(platform, "wang", "web.signin_throttled")
    kinds = [e["type"] for e in wait_record(platform, "wang", "web.signin_failed", 5)]
    assert kinds.count("web.signin_failed") == 5 and "web.signin_throttled" in kinds


def failed_sign_in_from(port, source, forwarded, name):
    """A wrong password for `name` sent from the loopback address
    `source` with an X-Forwarded-For header (the sign-in form's token
    first, from the same place)."""
    def request(method, path, body=None, cookie=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                          source_address=(source, 0))
        headers = {"X-Forwarded-For": forwarded}
        if cookie:
            headers["Cookie"] = cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        data = res.read().decode("utf-8", errors="replace")
        conn.close()
        return res, data
    res, html = request("GET", "/login")
    pre = re.search(r"yjc_pre=([0-9a-f]{64});", res.getheader("Set-Cookie")).group(1)
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)
    form = urllib.parse.urlencode({"name": name, "password": "wrong", "csrf": csrf})
    res, _ = request("POST", "/login", form, cookie=f"yjc_pre={pre}")
    assert res.status == 401


def test_address_behind_the_reverse_proxy(web, platform):
    """Behind the county's reverse proxy (YJC_WEB_TRUSTED_PROXY, here
    127.0.0.2) a sign-in is recorded, and throttled, under the address
    the proxy appended to X-Forwarded-For; from anywhere else the header
    is the client's own invention and is ignored."""
    failed_sign_in_from(web["port"], "127.0.0.2", "6.6.6.6, 10.1.2.3", "sun")
    failed_sign_in_from(web["port"], "127.0.0.1", "10.9.9.9", "sun")
    events = wait_record(platform, "sun", "web.signin_failed", 2)
    addresses = sorted(e["payload"]["address"] for e in events
                       if e["type"] == "web.signin_failed")
    assert addresses == ["10.1.2.3", "127.0.0.1"], addresses


def test_status_lists_the_console(web, platform):
    """`yjcloud status` lists the console (issue 16): up while yjc-web
    answers at YJC_WEB_LISTEN, 未启动 where nothing listens; the five bus
    services alone decide the exit code."""
    def status(listen):
        env = dict(platform.env, YJC_WEB_LISTEN=listen)
        return subprocess.run([os.path.join(BIN, "yjcloud"), "--as", "admin", "--json", "status"],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    up = status(f"127.0.0.1:{web['port']}")
    assert up.returncode == 0, up.stdout + up.stderr
    assert json.loads(up.stdout)["web"] == {"up": True, "listen": f"127.0.0.1:{web['port']}"}
    down = status(f"127.0.0.1:{free_port()}")
    assert down.returncode == 0, down.stdout + down.stderr
    assert json.loads(down.stdout)["web"]["up"] is False
    text = subprocess.run([os.path.join(BIN, "yjcloud"), "--as", "admin", "status"],
                          env=dict(platform.env, YJC_WEB_LISTEN=f"127.0.0.1:{web['port']}"),
                          cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert any(line.split()[:2] == ["网页控制台", "运行"] for line in text.splitlines()), text
    assert f"网页地址 http://127.0.0.1:{web['port']}/ 可以访问" in text, text
