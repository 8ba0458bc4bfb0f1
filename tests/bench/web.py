"""web.py PORT ACCOUNTS APPS SECONDS - `make bench` part web (issue 16):
each account of ACCOUNTS (lines `name password role`) signs in to the
console (GET /login for the pre-session token, POST /login), then one
thread per account drives its pages on one keep-alive connection for
SECONDS: a unit's /apps and /apps/ID (a random application of APPS, lines
`app_id<TAB>unit`, of its unit), the bureau's /queue.  Prints one line per
page with p50/p99 in ms, then the totals (requests/s, errors) and the
driver's own CPU per page.  Each person is a process of its own, as
people are browsers of their own: threads of one interpreter share its
lock, and a reply that arrived waited up to the switch interval (5 ms)
for another thread's parsing, which the page's latency then showed."""
import http.client
import multiprocessing
import random
import re
import resource
import sys
import time


def request(conn, method, path, sid=None, pre=None, body=None):
    headers = {}
    cookies = [c for c in (sid and f"yjc_sid={sid}", pre and f"yjc_pre={pre}") if c]
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    res = conn.getresponse()
    data = res.read()
    return res.status, res.getheaders(), data


def sign_in(port, name, password):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, headers, page = request(conn, "GET", "/login")
    pre = next(m.group(1) for k, v in headers if k.lower() == "set-cookie"
               for m in [re.match(r"yjc_pre=([0-9a-f]+);", v)] if m)
    csrf = re.search(rb'name="csrf" value="([0-9a-f]{64})"', page).group(1).decode()
    from urllib.parse import urlencode
    status, headers, _ = request(conn, "POST", "/login", pre=pre, body=urlencode(
        {"name": name, "password": password, "csrf": csrf}))
    sid = next(m.group(1) for k, v in headers if k.lower() == "set-cookie"
               for m in [re.match(r"yjc_sid=([0-9a-f]+);", v)] if m)
    assert status == 303 and sid, (name, status)
    if dict((k.lower(), v) for k, v in headers).get("location") == "/password":
        # the administrator's one-time password: the person's own first
        _, _, page = request(conn, "GET", "/password", sid=sid)
        csrf = re.search(rb'name="csrf" value="([0-9a-f]{64})"', page).group(1).decode()
        mine = password + "-own"
        status, _, _ = request(conn, "POST", "/password", sid=sid, body=urlencode(
            {"csrf": csrf, "old": password, "new": mine, "new2": mine}))
        assert status == 303, (name, status)
        conn.close()
        return sign_in(port, name, mine)
    return conn, sid


def drive(port, conn, sid, pages, apps, stop_at):
    lat, errors = {}, 0
    while time.monotonic() < stop_at:
        for page in pages:
            path = f"/apps/{random.choice(apps)}" if page == "/apps/ID" else page
            start = time.perf_counter()
            try:
                status, _, _ = request(conn, "GET", path, sid=sid)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if status != 200:
                errors += 1
            else:
                lat.setdefault(page, []).append(time.perf_counter() - start)
    return lat, errors


def person(port, user, mine, seconds, ready, go, results):
    """One signed-in person: signs in, waits for the others, drives."""
    name, pw, role = user[:3]
    conn, sid = sign_in(port, name, pw)
    pages = ["/queue"] if role == "bureau" else ["/apps", "/apps/ID"]
    ready.wait()
    go.wait()
    results.put(drive(port, conn, sid, pages, mine, time.monotonic() + seconds))


def main():
    port, accounts, apps_file, seconds = sys.argv[1:5]
    port, seconds = int(port), float(seconds)
    apps = {}
    for line in open(apps_file, encoding="utf-8"):
        app, unit = line.rstrip("\n").split("\t")
        apps.setdefault(unit, []).append(app)
    users = [line.split() for line in open(accounts, encoding="utf-8") if line.strip()]
    ctx = multiprocessing.get_context("fork")
    ready, go = ctx.Barrier(len(users) + 1), ctx.Event()
    results = ctx.Queue()
    procs = []
    for user in users:
        unit = user[3] if len(user) > 3 else ""
        mine = apps.get(unit, []) or ["A000001"]
        procs.append(ctx.Process(target=person, args=(
            port, user, mine, seconds, ready, go, results)))
    for p in procs:
        p.start()
    ready.wait()
    start = time.monotonic()
    go.set()
    out = [results.get() for _ in procs]
    elapsed = time.monotonic() - start
    for p in procs:
        p.join()
    driver = resource.getrusage(resource.RUSAGE_CHILDREN)
    merged, errors = {}, 0
    for lat, e in out:
        errors += e
        for page, values in lat.items():
            merged.setdefault(page, []).extend(values)
    total = 0
    for page in ("/apps", "/apps/ID", "/queue"):
        values = sorted(merged.get(page, []))
        total += len(values)
        if values:
            print("web page %-9s requests=%d p50_ms=%.2f p99_ms=%.2f" % (
                page, len(values), values[len(values) // 2] * 1000,
                values[len(values) * 99 // 100] * 1000))
    print("web: users=%d seconds=%.1f requests=%d rps=%.1f errors=%d" % (
        len(users), elapsed, total, total / elapsed, errors))
    if total:
        print("web driver CPU ms per page: %.2f (%d processes, sign-in included)" % (
            (driver.ru_utime + driver.ru_stime) * 1000 / total, len(users)))
    return 1 if errors or len(out) != len(procs) or not total else 0


if __name__ == "__main__":
    sys.exit(main())
