#!/usr/bin/python3
"""websignin.py - a browser's sign-in to the console, over plain HTTP, for
tests/containers/run.sh (issue 16).

    websignin.py HOST:PORT NAME PASSWORD ok APP       signs in: GET /login
        (pre-session cookie yjc_pre + hidden field csrf), POST name,
        password, csrf -> 303 with a yjc_sid cookie; then /apps is 200 and
        lists APP (the unit's application, read with the person's own key)
    websignin.py HOST:PORT NAME PASSWORD refused TEXT  the POST is 401, sets
        no yjc_sid, and the page says TEXT
    websignin.py HOST:PORT NAME PASSWORD nocsrf       the POST without the
        token is 403 and sets no yjc_sid

Prints what it saw; exit 0 when it is what was asked."""
import http.client
import re
import sys
import urllib.parse


def request(hostport, method, path, body=None, cookies=None):
    host, port = hostport.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookies:
        headers["Cookie"] = "; ".join("%s=%s" % kv for kv in cookies.items())
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    text = resp.read().decode("utf-8", "replace")
    got = {}
    for name, value in resp.getheaders():
        if name.lower() == "set-cookie":
            k, _, v = value.split(";", 1)[0].partition("=")
            got[k.strip()] = v.strip()
    conn.close()
    return resp.status, resp.getheader("Location"), got, text


def main():
    hostport, name, password, mode = sys.argv[1:5]
    arg = sys.argv[5] if len(sys.argv) > 5 else ""
    status, _, cookies, page = request(hostport, "GET", "/login")
    field = re.search(r'name="csrf"\s+value="([0-9a-f]{64})"', page) or re.search(
        r'value="([0-9a-f]{64})"\s+name="csrf"', page)
    pre = cookies.get("yjc_pre", "")
    print("GET /login: %d, yjc_pre %s, csrf field %s" % (
        status, "set" if pre else "missing", "found" if field else "missing"))
    if status != 200 or not pre or not field or field.group(1) != pre:
        return 1
    form = {"name": name, "password": password}
    if mode != "nocsrf":
        form["csrf"] = field.group(1)
    status, location, cookies, page = request(
        hostport, "POST", "/login", urllib.parse.urlencode(form),
        {"yjc_pre": pre})
    sid = cookies.get("yjc_sid", "")
    print("POST /login: %d, Location %s, yjc_sid %s" % (
        status, location, "set" if sid else "not set"))
    if mode == "nocsrf":
        return 0 if status == 403 and not sid else 1
    if mode == "refused":
        print("page says %r: %s" % (arg, arg in page))
        return 0 if status == 401 and not sid and arg in page else 1
    if status != 303 or not sid:
        return 1
    status, _, _, page = request(hostport, "GET", "/apps", cookies={"yjc_sid": sid})
    print("GET /apps: %d, lists %s: %s" % (status, arg, arg in page))
    return 0 if status == 200 and arg in page else 1


if __name__ == "__main__":
    sys.exit(main())
