"""The web console in a real browser (issue 16): headless Chromium through
selenium against the real services (the fixtures of test_web.py).  Each
role signs in and visits its pages; each page is saved as a PNG at
1366x768 and at phone width (375 px) under the test output folder
(YJC_WEB_SHOTS, else the platform's folder; printed), and checked: no
user-facing English, no table wider than the window at 1366, and at
phone width the page itself never scrolls sideways (tables scroll inside
their wrapper).

The helpers (driver, sign_in, shot, check_page) are meant for the full
walk (apply -> accept -> trim -> approve -> vendor delivers -> go-live ->
audit CSV) to be added beside these tests."""
import os
import re
import shutil

import pytest

from cli_text import FORM_WORDS
from conftest import minimal_form
from test_web import web  # noqa: F401  (the fixture: accounts per role)

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
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
           r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?", r"\b(CSV|PDF|IP|SHA|A4)\b"]


@pytest.fixture(scope="module")
def shots(platform):
    folder = os.environ.get("YJC_WEB_SHOTS") or os.path.join(platform.dir, "screenshots")
    os.makedirs(folder, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def driver():
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
    """Saves the page as folder/NAME.png (the whole height); returns the path."""
    path = os.path.join(folder, f"{name}.png")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return window.innerWidth")
    driver.set_window_size(driver.get_window_size()["width"], max(height, 300) + 100)
    driver.save_screenshot(path)
    assert os.path.getsize(path) > 1000, path
    set_width(driver, (width, WIDE[1]))
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
    assert sideways <= 1, f"{name}: the page scrolls sideways by {sideways}px at 375"
    shot(driver, folder, f"{name}-375")
    set_width(driver, WIDE)


NAMES = {"li", "wang", "zhao", "qian", "sun", "edu", "health", "bureau", "vendor",
         "auditor", "admin", "xss", "xssweb"}

# the form's own words (product names, units: cli_text.FORM_WORDS)
NAMES |= FORM_WORDS


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
