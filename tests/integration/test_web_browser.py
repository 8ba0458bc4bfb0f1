"""The web console in a real browser (issue 16): headless Chromium through
selenium against the real services (the fixtures of test_web.py).  Each
role signs in and visits its pages; each page is saved as a PNG at
1366x768 and at phone width (375 px) under the test output folder
(YJC_WEB_SHOTS, else the platform's folder; printed), and checked: no
user-facing English, no table wider than the window at 1366, and at
phone width the page itself never scrolls sideways (tables scroll inside
their wrapper).

The walk (test_walk_1..5, in order, one browser): a unit fills the
审核表 with a mistake and a required line left out, sees every problem
beside its field, corrects it, uploads the materials and submits (their
SHA-256 on the page); the bureau accepts from its queue, trims a line and
approves with a hostile opinion; the vendor simulator delivers; the unit
sees 测试中 and asks for go-live with the test report; the auditor filters
by the application, finds every event audit.events has and downloads the
CSV.  On every page: no alert, no element made of the hostile unit name
or opinion (<script>, <img onerror>).  Set YJC_WEB_SHOTS to keep the
screenshots (the platform's folder goes with the run)."""
import base64
import csv
import hashlib
import os
import re
import shutil
import time
import urllib.parse

import pytest

from cli_text import FORM_WORDS
from conftest import ROOT, minimal_form
from test_web import XSS, XSS_UNIT, web  # noqa: F401  (the fixture: accounts per role)
from test_web_unit import flatten

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException, NoSuchElementException,
                                            StaleElementReferenceException, TimeoutException)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # pragma: no cover - CI installs python3-selenium
    webdriver = None

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER and webdriver),
    reason="chromium, chromium-driver or python3-selenium not installed "
           "(deploy/install-deps.sh installs them)")

WIDE = (1366, 768)
PHONE = (375, 812)
# what may look like English on a page: application and other ids
# (A000001, O000001), SHA-256 and other hex, dates and times, the names of
# uploaded files (the unit's own data), acronyms a clerk reads as such
# (CSV, PDF, IP, SHA), and the people's account names
ALLOWED = [r"[\w.-]+\.(pdf|docx?|xlsx?|png|jpe?g|zip|txt)\b", r"\b[A-Z]{1,3}\d{3,}\b", r"\b[0-9a-f]{16,}\b",
           r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?", r"\b(CSV|PDF|IP|SHA|A4)\b",
           # the file types a material may be (the apply form lists them)
           r"\b(pdf|ofd|docx?|xlsx?|zip|png|jpg|txt)\b"]


@pytest.fixture(scope="module")
def shots(platform, request):
    folder = os.environ.get("YJC_WEB_SHOTS") or os.path.join(platform.dir, "screenshots")
    os.makedirs(folder, exist_ok=True)
    yield folder
    # at the end, on the run's own output (not captured)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"\nscreenshots: {folder} ({len(os.listdir(folder))} PNG)")


def new_driver():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", f"--window-size={WIDE[0]},{WIDE[1]}",
                "--lang=zh-CN"):
        opts.add_argument(arg)
    service = webdriver.ChromeService(executable_path=DRIVER) \
        if hasattr(webdriver, "ChromeService") else None
    d = webdriver.Chrome(options=opts, service=service) if service else \
        webdriver.Chrome(options=opts)
    d.set_page_load_timeout(30)
    return d


@pytest.fixture
def driver():
    d = new_driver()
    yield d
    d.quit()


def base(web):
    return f"http://127.0.0.1:{web['port']}"


def sign_in(driver, web, name, password=None):
    """Signs `name` in through the form, as a person would."""
    driver.get(base(web) + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password or web["pw"][name])
    driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    try:  # the click returns before the navigation ends
        WebDriverWait(driver, 30).until(lambda d: "/login" not in d.current_url)
    except TimeoutException:
        raise AssertionError(driver.find_element(By.TAG_NAME, "body").text)


def set_width(driver, size):
    driver.set_window_size(*size)
    # the viewport, not the window, must be this wide
    inner = driver.execute_script("return window.innerWidth")
    if inner != size[0]:
        driver.set_window_size(size[0] + (size[0] - inner), size[1])


def shot(driver, folder, name):
    """Saves the page as folder/NAME.png (the whole height); returns the
    path.  DevTools captures beyond the viewport: no window as tall as
    the page (chromedriver may refuse such a size)."""
    path = os.path.join(folder, f"{name}.png")
    width = driver.execute_script("return window.innerWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": max(height, 300), "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(data["data"]))
    assert os.path.getsize(path) > 1000, path
    return path


def english_words(driver, names=()):
    text = driver.find_element(By.TAG_NAME, "body").text
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text)
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    return sorted(w for w in words if w not in names)


def check_page(driver, folder, name, names=()):
    """The checks every page passes, and its two screenshots."""
    set_width(driver, WIDE)
    english = english_words(driver, names)
    assert not english, f"{name}: English on the page: {english}"
    wide = driver.execute_script(
        "return [...document.querySelectorAll('table')].filter(t =>"
        " t.getBoundingClientRect().right > window.innerWidth + 1).length")
    assert wide == 0, f"{name}: {wide} table(s) wider than 1366"
    shot(driver, folder, f"{name}-1366")
    set_width(driver, PHONE)
    sideways = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth")
    if sideways > 1:  # name what sticks out, the innermost first
        out = driver.execute_script(
            "return [...document.querySelectorAll('body *')].filter(e =>"
            " e.getBoundingClientRect().right > window.innerWidth + 1 &&"
            " !e.closest('.scroll')).map(e => e.tagName + '.' + e.className + ': '"
            " + e.textContent.slice(0, 40)).reverse().slice(0, 5)")
        raise AssertionError(f"{name}: the page scrolls sideways by {sideways}px at 375: {out}")
    shot(driver, folder, f"{name}-375")
    set_width(driver, WIDE)


NAMES = {"li", "wang", "zhao", "qian", "sun", "edu", "health", "bureau", "vendor",
         "auditor", "admin", "xss", "xssweb"}

# the form's own words (product names, units: cli_text.FORM_WORDS)
NAMES |= FORM_WORDS | {"Win"}  # Win2008R2, as a word of the page's text


def test_sign_in_page(driver, web, shots):
    driver.get(base(web) + "/login")
    assert driver.find_element(By.NAME, "csrf").get_attribute("value")
    check_page(driver, shots, "login", NAMES)


def test_unit_pages(driver, web, shots, platform):
    app = platform.submit("edu", minimal_form("县教育局"))["body"]["app_id"]
    sign_in(driver, web, "li")
    for path, name in (("/apps", "unit-apps"), (f"/apps/{app}", "unit-app")):
        driver.get(base(web) + path)
        check_page(driver, shots, name, NAMES)


@pytest.mark.parametrize("person,pages", [
    ("zhao", [("/queue", "bureau-queue")]),
    ("qian", [("/audit", "auditor-audit")]),
    ("sun", [("/orders", "vendor-orders")]),
])
def test_role_pages(driver, web, shots, person, pages):
    sign_in(driver, web, person)
    for path, name in pages:
        driver.get(base(web) + path)
        assert "出错了" not in driver.title, (path, driver.title)
        check_page(driver, shots, name, NAMES)


# ---- the walk (issue 16): one application from the form to the audit CSV,
# every step a person's clicks and typing in the browser ------------------
MATERIALS_DIR = os.path.join(ROOT, "tests/data/materials")
# the words of the hostile texts, on the pages as the text they are
XSS_WORDS = {"script", "alert", "img", "src", "onerror"}
WALK = {}  # what the ordered walk tests hand on: app id, files, ...


@pytest.fixture(scope="module")
def walker(platform, web, shots):
    """One browser for the whole walk; the vendor simulator running; and a
    hostile unit's application (unit name and opinion of <script> and
    <img onerror>) in the bureau's queue, so that the walk's pages carry
    both (issue 16: escaped on every page)."""
    platform.start_vendor()
    reply = platform.submit("xss", minimal_form(XSS_UNIT))
    assert reply["ok"], reply
    WALK["xss_app"] = xss_app = reply["body"]["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": xss_app})["ok"], what="review")
    ok = platform.call("bureau", "review", "review.accept", {"app_id": xss_app, "opinion": XSS})
    assert ok["ok"], ok
    d = new_driver()
    WALK["pages"] = []
    yield d
    d.quit()


def no_injection(driver, where):
    """Issue 16: hostile text is text: no alert opened, and no element the
    data made (a <script> of it, an <img> with onerror or src=x)."""
    try:
        text = driver.switch_to.alert.text
        raise AssertionError(f"{where}: an alert opened: {text}")
    except NoAlertPresentException:
        pass
    made = driver.execute_script(
        "return [...document.querySelectorAll('script')].filter(s => /alert/.test(s.textContent)).length"
        " + document.querySelectorAll('img[onerror], img[src=x], [onerror]').length")
    assert made == 0, f"{where}: {made} element(s) made from data"


def visit(driver, shots, name, names=NAMES):
    """Every page of the walk: the checks, its screenshots, no injection."""
    assert "出错了" not in driver.title, (name, driver.title,
                                        driver.find_element(By.TAG_NAME, "body").text[:500])
    no_injection(driver, name)
    check_page(driver, shots, name, names | XSS_WORDS)
    WALK["pages"].append((name, driver.current_url))


def wait_url(driver, pattern, timeout=60):
    try:
        WebDriverWait(driver, timeout).until(lambda d: re.search(pattern, d.current_url))
    except TimeoutException:
        raise AssertionError(f"not at {pattern}: {driver.current_url}\n"
                             + driver.find_element(By.TAG_NAME, "body").text[:3000])
    return re.search(pattern, driver.current_url)


def click(driver, element):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def sign_out(driver):
    if not driver.find_elements(By.CSS_SELECTOR, "form.who"):
        # the print page has no header: its link back to the application
        click(driver, driver.find_element(By.CSS_SELECTOR, ".print-nav a"))
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "form.who"))
    click(driver, driver.find_element(By.CSS_SELECTOR, "form.who button[type=submit]"))
    wait_url(driver, r"/login")


def nav(driver, words):
    click(driver, driver.find_element(By.LINK_TEXT, words))


def type_date(driver, el, iso):
    """A date input takes the digits in the browser's locale order; the
    value it holds is ISO either way."""
    y, m, d = iso.split("-")
    for keys in (y + m + d, m + d + y, d + m + y):
        el.clear()
        el.send_keys(keys)
        if el.get_attribute("value") == iso:
            return
    raise AssertionError(f"date input {el.get_attribute('name')}: {el.get_attribute('value')}")


def fill(driver, name, value):
    els = driver.find_elements(By.NAME, name)
    assert els, f"no input {name}"
    el = els[0]
    kind = el.get_attribute("type")
    if el.tag_name == "select":
        Select(el).select_by_value(value)
    elif kind == "checkbox" and len(els) > 1 or kind == "checkbox" and el.get_attribute("value") not in ("on", None):
        box = driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]')
        if not box.is_selected():
            click(driver, box)
    elif kind == "checkbox":
        if el.is_selected() != (value == "on"):
            click(driver, el)
    elif kind == "date":
        el.clear()
        type_date(driver, el, value)
    else:
        el.clear()
        el.send_keys(value)


def problem_fields(driver):
    """The fields the page marks: input name -> its problem texts."""
    out = {}
    for block in driver.find_elements(By.CSS_SELECTOR, "div.field.bad"):
        inputs = block.find_elements(By.CSS_SELECTOR, "input[name], select[name], textarea[name]")
        texts = [p.text for p in block.find_elements(By.CSS_SELECTOR, "p.problem")]
        if inputs:
            out[inputs[0].get_attribute("name")] = texts
    return out


def beside(driver, name):
    """The problem shown right at its input: the same field box, and no
    more than a line or two below it on the screen."""
    el = driver.find_element(By.NAME, name)
    block = el.find_element(By.XPATH, "ancestor::div[contains(@class,'field')][1]")
    assert "bad" in block.get_attribute("class").split(), name
    problem = block.find_element(By.CSS_SELECTOR, "p.problem")
    assert problem.is_displayed() and re.search(r"[\u4e00-\u9fff]", problem.text), name
    box, p = el.rect, problem.rect
    assert 0 <= p["y"] - (box["y"] + box["height"]) <= 80, (name, box, p)


def test_walk_1_unit_applies(walker, web, shots, platform):
    d = walker
    sign_in(d, web, "li")
    nav(d, "新申请")
    wait_url(d, r"/apply$")
    visit(d, shots, "unit-apply")
    form = minimal_form("县教育局")
    form["project"]["name"] = "网页走查的项目"
    form["resources"]["hosts"][0]["count"] = 2
    form["unit"]["contact"]["phone"] = "打电话"  # the mistake
    values = [(k, v) for k, v in flatten(form) if k != "form.unit.name"
              and k != "form.unit.leader.name"]  # left out: required
    for name, value in values:
        fill(d, name, value)
    click(d, d.find_element(By.ID, "submit"))
    WebDriverWait(d, 60).until(lambda d: d.find_elements(By.ID, "problems"))
    visit(d, shots, "unit-apply-problems")
    # every problem at once, each beside its field: the phone, the leader
    # left out, the two materials a new system requires (R8)
    want = {"form.unit.contact.phone", "form.unit.leader.name",
            "material.construction_plan", "material.deployment_plan"}
    marked = problem_fields(d)
    assert set(marked) == want, marked
    count = int(re.search(r"共 (\d+) 处问题", d.find_element(By.ID, "problems").text).group(1))
    listed = d.find_elements(By.CSS_SELECTOR, "#problems li")
    assert count == len(listed) == sum(len(t) for t in marked.values()) == 4, (count, marked)
    for name in want:
        beside(d, name)
    # what was typed is kept
    assert d.find_element(By.NAME, "form.project.name").get_attribute("value") == "网页走查的项目"
    # corrected, the materials chosen, submitted
    fill(d, "form.unit.contact.phone", "13600001111")
    fill(d, "form.unit.leader.name", "李强")
    files = {"construction_plan": "construction-plan.pdf", "deployment_plan": "deployment-plan.pdf"}
    for kind, fname in files.items():
        d.find_element(By.NAME, f"material.{kind}").send_keys(os.path.join(MATERIALS_DIR, fname))
    click(d, d.find_element(By.ID, "submit"))
    app = wait_url(d, r"/apps/(A\d+)$").group(1)
    WALK["app"] = app
    rows = {r.find_elements(By.TAG_NAME, "td")[1].text: r.find_element(By.TAG_NAME, "code").text
            for r in d.find_elements(By.CSS_SELECTOR, "#app-materials tbody tr")}
    for fname in files.values():
        with open(os.path.join(MATERIALS_DIR, fname), "rb") as f:
            assert rows.get(fname) == hashlib.sha256(f.read()).hexdigest(), rows
    visit(d, shots, "unit-app-submitted")
    sign_out(d)


def rows_of(driver, table):
    return driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")


def test_walk_2_bureau_accepts_trims_approves(walker, web, shots, platform):
    d, app = walker, WALK["app"]
    sign_in(d, web, "zhao")
    nav(d, "待办事项")
    wait_url(d, r"/queue$")
    platform.wait_until(lambda: app in d.find_element(By.ID, "queue-accept").text
                        or d.refresh(), what="in the queue", timeout=30)
    # the hostile unit's application waits in 待审核, its name as text
    assert XSS_UNIT in d.find_element(By.ID, "queue-decide").text
    visit(d, shots, "bureau-queue")
    click(d, d.find_element(By.ID, f"accept-{app}"))
    # the accept posts and comes back to the queue: an element read while
    # the page is replaced is stale (or not there yet); look again
    WebDriverWait(d, 60, ignored_exceptions=(NoSuchElementException,
                                             StaleElementReferenceException)).until(
        lambda d: app in d.find_element(By.ID, "queue-decide").text)
    visit(d, shots, "bureau-queue-accepted")
    row = [r for r in rows_of(d, "queue-decide") if app in r.text][0]
    click(d, row.find_element(By.LINK_TEXT, "核定资源并审核"))
    wait_url(d, rf"/apps/{app}/review$")
    visit(d, shots, "bureau-review")
    count = d.find_element(By.NAME, "granted.hosts[0].count")
    assert count.get_attribute("value") == "2"
    count.clear()
    count.send_keys("1")  # trimmed: one host of the two asked
    d.find_element(By.ID, "opinion").send_keys(XSS)
    click(d, d.find_element(By.ID, "approve"))
    # back on the review page, the opinion given shown as text
    wait_url(d, rf"/apps/{app}/review$")
    assert XSS in d.find_element(By.CSS_SELECTOR, "dl.facts").text
    visit(d, shots, "bureau-review-approved")
    click(d, d.find_element(By.LINK_TEXT, "申请详情"))
    wait_url(d, rf"/apps/{app}$")

    def trimmed():
        rows = [r.text for r in rows_of(d, "app-form") if "核减" in r.text]
        return rows or d.refresh()
    # the application page: the line trimmed, marked 核减 (R9.2), once
    # intake has the decision
    try:
        platform.wait_until(trimmed, what="核减", timeout=30)
    except AssertionError:
        raise AssertionError("no 核减 on the application page: "
                             + d.find_element(By.TAG_NAME, "body").text)
    rows = trimmed()
    assert len(rows) == 1 and re.search(r"云主机 配置1 · 数量\s+2\s+1\s*（核减）", rows[0]), rows
    assert XSS in d.find_element(By.ID, "app-facts").text
    visit(d, shots, "bureau-app-approved")
    click(d, d.find_element(By.LINK_TEXT, "打印审核表"))
    wait_url(d, rf"/apps/{app}/print$")
    assert "核减" in d.find_element(By.TAG_NAME, "body").text
    visit(d, shots, "print")
    sign_out(d)


def test_walk_3_delivered_unit_asks_go_live(walker, web, shots, platform):
    """The vendor simulator (started with the walk) delivers the test
    environment; the unit sees 测试中 and asks for go-live with the test
    report (R10.3, R11.1)."""
    d, app = walker, WALK["app"]
    sign_in(d, web, "li")
    nav(d, "申请")
    wait_url(d, r"/apps$")
    visit(d, shots, "unit-apps-list")
    click(d, d.find_element(By.LINK_TEXT, app))
    wait_url(d, rf"/apps/{app}$")

    def testing():
        return d.find_element(By.ID, "app-state").text == "测试中" or d.refresh()
    platform.wait_until(testing, what="测试中", timeout=60)
    history = d.find_element(By.ID, "app-history").text
    assert "测试中" in history and XSS in history, history
    visit(d, shots, "unit-app-testing")
    click(d, d.find_element(By.LINK_TEXT, "申请上线"))
    wait_url(d, rf"/apps/{app}/request/golive$")
    visit(d, shots, "unit-request-golive")
    for name, value in (("results.function", "功能测试全部通过"), ("results.performance", "通过"),
                        ("results.security", "通过"), ("test_report.lab", "温州市信息安全测评中心"),
                        ("test_report.cnas_no", "CNAS L1234")):
        fill(d, name, value)
    report = os.path.join(MATERIALS_DIR, "test-report.pdf")
    d.find_element(By.NAME, "test_report.att_id").send_keys(report)
    click(d, d.find_element(By.ID, "submit"))
    wait_url(d, rf"/apps/{app}$")
    # the request on the page once review has it (the relay)
    platform.wait_until(lambda: "上线" in d.find_element(By.ID, "app-requests").text
                        or d.refresh(), what="the go-live request shown", timeout=30)
    visit(d, shots, "unit-app-golive-asked")
    # the request waits for the bureau with the report's file (R10.3)
    r = platform.call("bureau", "review", "review.get", {"app_id": app})
    assert any(q["kind"] in ("go_live", "golive") for q in r["body"]["requests"]), r
    sign_out(d)


def audit_rows(d):
    """Every row of the filtered audit table, page after page."""
    seqs = []
    while True:
        seqs += [int(r.find_element(By.TAG_NAME, "td").text) for r in rows_of(d, "events")]
        more = d.find_elements(By.LINK_TEXT, "下一页")
        if not more:
            return seqs
        click(d, more[0])
        WebDriverWait(d, 30).until(lambda d: "after=" in d.current_url)


def test_walk_4_auditor_finds_every_event_and_the_csv(walker, web, shots, platform, tmp_path):
    d, app = walker, WALK["app"]
    sign_in(d, web, "qian")
    nav(d, "审计事件")
    wait_url(d, r"/audit$")
    visit(d, shots, "auditor-audit")
    box = d.find_element(By.NAME, "app")
    box.send_keys(app)
    click(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    wait_url(d, rf"/audit\?.*app={app}")
    visit(d, shots, "auditor-audit-app")

    def service():
        reply = platform.call("auditor", "audit", "audit.events", {"app_id": app, "limit": 1000})
        assert reply["ok"], reply
        return [e["seq"] for e in reply["body"]["events"]]
    # the relay may still bring an event: the page and the service agree
    # once they read the same trail
    for _ in range(10):
        url = d.current_url
        shown, expected = audit_rows(d), service()
        if shown == expected:
            break
        d.get(url)
        time.sleep(0.5)
    assert shown == expected and len(shown) >= 6, (shown, expected)
    # the CSV through its link, downloaded by the browser
    d.execute_cdp_cmd("Page.setDownloadBehavior",
                      {"behavior": "allow", "downloadPath": str(tmp_path)})
    d.get(url)
    link = d.find_element(By.LINK_TEXT, "下载 CSV")
    assert f"app={app}" in urllib.parse.unquote(link.get_attribute("href"))
    click(d, link)
    platform.wait_until(lambda: [p for p in tmp_path.iterdir() if p.suffix == ".csv"],
                        what="the CSV downloaded", timeout=30)
    csv_path = [p for p in tmp_path.iterdir() if p.suffix == ".csv"][0]
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "序号", rows[0]
    assert [int(r[0]) for r in rows[1:]] == expected, (rows, expected)
    assert all(app in r for r in rows[1:]), rows
    sign_out(d)


def test_walk_5_hostile_unit_pages(walker, web, shots, platform):
    """The hostile unit's own pages (its name is <script> and <img
    onerror>, on every page in the header, its opinion on the
    application): text, nothing made of it."""
    d, app = walker, WALK["xss_app"]
    sign_in(d, web, "xssweb")
    assert XSS_UNIT in d.find_element(By.CSS_SELECTOR, "form.who").text
    no_injection(d, "xss-home")
    nav(d, "申请")
    wait_url(d, r"/apps$")
    visit(d, shots, "xss-unit-apps")
    click(d, d.find_element(By.LINK_TEXT, app))
    wait_url(d, rf"/apps/{app}$")
    assert XSS in d.find_element(By.ID, "app-history").text
    visit(d, shots, "xss-unit-app")
    click(d, d.find_element(By.LINK_TEXT, "打印审核表"))
    wait_url(d, rf"/apps/{app}/print$")
    assert XSS_UNIT in d.find_element(By.TAG_NAME, "body").text
    visit(d, shots, "xss-print")
    click(d, d.find_element(By.CSS_SELECTOR, ".print-nav a"))  # back to the application
    wait_url(d, rf"/apps/{app}$")
    nav(d, "我的通知")
    wait_url(d, r"/inbox$")
    visit(d, shots, "xss-unit-inbox")
    sign_out(d)
    # every page of the walk was checked and saved
    names = [n for n, _ in WALK["pages"]]
    for key in ("unit-app", "bureau-queue", "print"):
        assert any(n.startswith(key) for n in names), names
        for width in (1366, 375):
            assert any(f.startswith(key) and f.endswith(f"-{width}.png") for f in os.listdir(shots))
    print(f"\nwalk: {len(names)} pages, screenshots in {shots}")
