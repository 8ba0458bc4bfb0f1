"""R17: prices, exact charges, re-rating and the annual statement.

Random lifecycles (test, go-live, changes, elastic steps, emergency,
enforcement and its lifting, reclamation, termination) are delivered to
billing through its event interface (event.deliver, as the relay does),
across month, quarter and year ends, the leap day 2028-02-29 and a
provisional year (2028, the clock's own), and the statements are checked
against an oracle computed here from the ledger (billing.allocations):
every allocated day charged exactly once at the last interval's resources,
every amount by the cumulative rounding rule, lines adding up to systems,
systems to units, units to the county; a redelivered event changes
nothing.  A re-rating test publishes a past price and checks the
compensating entries and the new totals."""
import calendar
import datetime as dt
import json
import os
import random

import pytest

from conftest import TMP

SH = dt.timezone(dt.timedelta(hours=8))
NOW = "2028-03-10T15:00:00+08:00"
TODAY = dt.date(2028, 3, 10)
UNITS = ["县教育局", "县卫生健康局", "县财政局"]
LINES = ["host_2c4g", "host_4c8g", "host_6c12g", "host_8c16g",
         "data_disk_200gb", "bandwidth_mbps", "storage_tb", "db_mysql",
         "db_sqlserver", "backup_client", "backup_100gb", "cloud_drive_10gb",
         "load_balancer", "data_exchange_client", "ddos", "host_protection",
         "log_audit", "vuln_scan", "waf_domain", "soc_domain", "bastion_unit"]
SEQ = [900000]


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


# -- an independent count of each line from a grant (R17) -------------------
def qty(res, line):
    hosts = res.get("hosts", [])
    app = res.get("app_services", {})
    sec = res.get("security", {})
    if line.startswith("host_"):
        return sum(h["count"] for h in hosts if h["cpu_mem"] == line[5:])
    if line == "data_disk_200gb":
        return sum(h["count"] * -(-h.get("data_disk_gb", 0) // 200) for h in hosts)
    if line == "bandwidth_mbps":
        return res["network"].get("dedicated_mbps", 0)
    if line == "storage_tb":
        return res.get("storage_tb", 0)
    if line.startswith("db_"):
        return sum(d["count"] for d in res.get("databases", [])
                   if d["engine"] == line[3:])
    if line == "backup_client":
        return app.get("backup", {}).get("clients", 0)
    if line == "backup_100gb":
        return app.get("backup", {}).get("capacity_100gb", 0)
    if line == "cloud_drive_10gb":
        return app.get("cloud_drive_10gb", 0)
    if line == "load_balancer":
        return app.get("load_balancers", 0)
    if line == "data_exchange_client":
        return app.get("data_exchange_clients", 0)
    if line in ("ddos", "host_protection", "log_audit", "vuln_scan"):
        return 1 if sec.get(line) else 0
    return sec.get({"waf_domain": "waf_domains", "soc_domain": "soc_domains",
                    "bastion_unit": "bastion_units"}[line], 0)


def rand_resources(rng):
    res = {"network": {"access": "extranet_only",
                       "dedicated_mbps": rng.choice([0, 2, 4, 10])},
           "hosts": [{"cpu_mem": rng.choice(["2c4g", "4c8g", "6c12g", "8c16g"]),
                      "os": "centos6", "database": "none",
                      "data_disk_gb": rng.choice([0, 200, 300, 600]),
                      "count": rng.randint(1, 3), "purpose": "应用服务器"}
                     for _ in range(rng.randint(1, 2))]}
    if rng.random() < 0.5:
        res["storage_tb"] = rng.randint(1, 3)
    if rng.random() < 0.4:
        res["databases"] = [{"engine": rng.choice(["mysql", "sqlserver"]),
                             "max_sessions": 300, "count": rng.randint(1, 2)}]
    if rng.random() < 0.4:
        res["app_services"] = {"backup": {"clients": rng.randint(1, 3),
                                          "capacity_100gb": rng.randint(1, 5)},
                               "load_balancers": rng.randint(0, 1)}
    if rng.random() < 0.5:
        res["security"] = {"ddos": True, "waf_domains": rng.randint(0, 2),
                           "bastion_units": rng.randint(0, 1)}
    return res


def event(type_, app, at, payload):
    SEQ[0] += 1
    return {"event_id": f"provisioning:{SEQ[0]}", "type": type_,
            "source": "provisioning", "app_id": app, "at": at,
            "payload": payload}


def completed(app, unit, kind, at, resources=None):
    payload = {"order_id": f"O{SEQ[0] + 1}", "app_id": app, "unit": unit,
               "kind": kind, "state": "completed"}
    if resources is not None:
        payload["resources"] = resources
    return event("order.completed", app, at, payload)


def scaling(app, unit, at, resources):
    return event("scaling.applied", app, at,
                 {"step_id": f"S{SEQ[0] + 1}", "app_id": app, "unit": unit,
                  "report_key": f"k{SEQ[0] + 1}", "at": at,
                  "resources": resources})


def iso(t):
    return t.isoformat()


def lifecycle(rng, app, unit, start):
    """One application's events, in time order: test environment, maybe
    go-live, steps of any kind the rules allow, maybe termination."""
    t = start
    res = rand_resources(rng)
    out = [completed(app, unit, "test_env", iso(t), res)]
    enforced = False

    def later():
        nonlocal t
        # often across a midnight, sometimes the same day
        t += dt.timedelta(days=rng.choice([0, 0, 1, 3, 9, 20, 31]),
                          hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        return t

    if rng.random() < 0.85:
        out.append(completed(app, unit, "go_live", iso(later()), res))
        for _ in range(rng.randint(0, 5)):
            step = rng.choice(["change", "emergency", "reclaim", "scaling",
                               "enforce"])
            if enforced:
                step = "lift"
            at = iso(later())
            if step == "scaling":
                res = dict(res, hosts=[dict(h, count=rng.randint(1, 4))
                                       for h in res["hosts"]])
                out.append(scaling(app, unit, at, res))
            elif step == "enforce":
                out.append(completed(app, unit, rng.choice(
                    ["cut_network", "take_offline", "suspend"]), at, res))
                enforced = True
            elif step == "lift":
                out.append(completed(app, unit, "lift", at, res))
                enforced = False
            else:
                res = rand_resources(rng)
                out.append(completed(app, unit, step, at, res))
    if rng.random() < 0.4:
        out.append(completed(app, unit, "terminate", iso(later())))
    # nothing after the clock's now
    return [e for e in out if dt.datetime.fromisoformat(e["at"]) < dt.datetime.fromisoformat(NOW)]


def deliver(p, events):
    for i in range(0, len(events), 50):
        ok(p.call("service-provisioning", "billing", "event.deliver",
                  {"events": events[i:i + 50]}))


def publish(p, effective_from, prices, actor="bureau", note="测试价格"):
    return p.call(actor, "billing", "prices.publish",
                  {"effective_from": effective_from, "note": note,
                   "lines": {line: {"test": t, "production": pr}
                             for line, (t, pr) in prices.items()}})


def rand_prices(rng):
    # at least 1000 分 a month: a single day of any line is then >= 1 分
    return {line: (rng.randint(1000, 20000), rng.randint(20000, 90000))
            for line in LINES}


def statement(p, year, unit=None, actor="auditor"):
    body = {"year": year}
    if unit:
        body["unit"] = unit
    return ok(p.call(actor, "billing", "billing.statement", body))


def rnd(x, d):
    """round_half_up(x / d) for x >= 0 (integers)."""
    return (2 * x + d) // (2 * d)


def prorate(p, d, a, b):
    return rnd(p * b, d) - rnd(p * a, d)


def ledger(p, app):
    rows = ok(p.call("auditor", "billing", "billing.allocations",
                     {"app_id": app}))["allocations"]
    out = []
    for r in rows:
        f = dt.datetime.strptime(r["from"], "%Y-%m-%d %H:%M:%S")
        t = dt.datetime.strptime(r["to"], "%Y-%m-%d %H:%M:%S") if r["to"] else None
        if t is not None and t <= f:
            continue
        first = f.date()
        last = (t - dt.timedelta(microseconds=1)).date() if t else TODAY
        out.append((first, min(last, TODAY), r["stage"], r["resources"]))
    return out


def expected_days(p, app):
    """{(line, day): (stage, qty)} of the last interval overlapping each
    day (R17), from the ledger."""
    want = {}
    for first, last, stage, res in ledger(p, app):  # in valid_from order
        d = first
        while d <= last:
            for line in LINES:
                want.pop((line, d), None)
                q = qty(res, line)
                if q:
                    want[(line, d)] = (stage, q)
            d += dt.timedelta(days=1)
    return want


def price_on(versions, day, line, stage):
    """The version in force on `day` (effective_from, then publication)."""
    cur = None
    for eff, prices in versions:
        if eff <= day:
            cur = prices
    col = 0 if stage == "test" else 1       # enforced: production (default)
    return cur[line][col]


def check_sums(st):
    total = 0
    for u in st["units"]:
        ut = 0
        for s in u["systems"]:
            assert s["total_fen"] == sum(l["amount_fen"] for l in s["lines"]), s["app_id"]
            ut += s["total_fen"]
        assert u["total_fen"] == ut, u["unit"]
        total += ut
    assert st["total_fen"] == total


def check_statements(p, apps, versions):
    """R17: sums, amounts, every allocated day charged exactly once."""
    got, net, county = {}, {}, {}
    for year in (2027, 2028):
        st = statement(p, year)
        assert "unit" not in st and st["year"] == year
        assert st["provisional"] is (year == 2028)
        check_sums(st)
        county[year] = st
        units = {u["unit"]: u["total_fen"] for u in st["units"]}
        # the county total is the sum of the units' own statements
        assert st["total_fen"] == sum(statement(p, year, u)["total_fen"] for u in UNITS)
        for u in UNITS:
            su = statement(p, year, u)
            check_sums(su)
            assert su["unit"] == u and su["total_fen"] == units.get(u, 0)
        for u in st["units"]:
            for s in u["systems"]:
                for l in s["lines"]:
                    assert l["amount_fen"] != 0
                    assert l["kind"] in ("charge", "compensation", "provisional")
                    assert (l["kind"] == "provisional") == (l["from"] >= "2028-03-01")
                    assert (l["kind"] == "compensation") == (l["cause"] != "")
                    key = (s["app_id"], l["line"], l["stage"], l["from"],
                           l["to"], l["days"], l["qty"], l["unit_price_fen"])
                    net[key] = net.get(key, 0) + l["amount_fen"]
    # what the entries of each key add up to is what the ledger owes
    for (app, line, stage, f, t, days, q, price), amount in net.items():
        if amount == 0:
            continue
        f, t = dt.date.fromisoformat(f), dt.date.fromisoformat(t)
        assert f.month == t.month and (t - f).days + 1 == days
        dim = calendar.monthrange(f.year, f.month)[1]
        assert price == price_on(versions, f, line, stage), (app, line, f)
        assert amount == prorate(q * price, dim, f.day - 1, t.day), (app, line, f)
        d = f
        while d <= t:
            got[(app, line, d, stage)] = got.get((app, line, d, stage), 0) + q
            d += dt.timedelta(days=1)
    got = {k: v for k, v in got.items() if v}
    want = {}
    for app in apps:
        for (line, d), (stage, q) in expected_days(p, app).items():
            if d.year >= 2027:
                want[(app, line, d, stage)] = q
    missing = {k: v for k, v in want.items() if got.get(k) != v}
    extra = {k: v for k, v in got.items() if k not in want}
    assert not missing and not extra, (list(missing.items())[:5], list(extra.items())[:5])
    return county


@pytest.fixture(scope="module")
def rated(platform):
    """Random lifecycles delivered, the clock at 2028-03-10 (the open
    month March 2028 provisional)."""
    p = platform
    seed = int(os.environ.get("YJC_RATING_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    p.stop_all()
    p.set_now(NOW)
    p.start_all()
    versions = [(dt.date(2026, 1, 1), rand_prices(rng)),
                (dt.date(2028, 1, 17), rand_prices(rng))]
    for eff, prices in versions:
        ok(publish(p, eff.isoformat(), prices))
    apps, streams = [], []
    for i in range(18):
        app = f"R{i:06d}"
        unit = UNITS[i % len(UNITS)]
        start = dt.datetime(2027, 10, 1, tzinfo=SH) + dt.timedelta(
            days=rng.randint(0, 130), hours=rng.randint(0, 23))
        evs = lifecycle(rng, app, unit, start)
        if evs:
            apps.append(app)
            streams.append(evs)
    # interleaved across applications, in order within each (as the relay)
    order = []
    pos = [0] * len(streams)
    while any(pos[i] < len(s) for i, s in enumerate(streams)):
        i = rng.choice([i for i, s in enumerate(streams) if pos[i] < len(s)])
        order.append(streams[i][pos[i]])
        pos[i] += 1
    half = len(order) // 2
    deliver(p, order[:half])
    # the tick rates closed months meanwhile: the rest arrives "late"
    statement(p, 2027)
    deliver(p, order[half:])
    return {"p": p, "apps": apps, "versions": versions, "events": order,
            "seed": seed, "rng": rng}


def test_property_every_day_charged_once_sums_exact_R17(rated):
    p = rated["p"]
    try:
        check_statements(p, rated["apps"], rated["versions"])
    except AssertionError as e:
        raise AssertionError(f"seed {rated['seed']} (YJC_RATING_SEED): {e}")
    n = int(p.scalar("SELECT count(*) FROM billing.charges"))
    assert n > 0
    with open(os.path.join(TMP, "figures.txt"), "a") as f:
        f.write(f"rating: {len(rated['apps'])} random lifecycles, "
                f"{len(rated['events'])} events, {n} journal entries "
                f"(seed {rated['seed']})\n")


def test_redelivered_events_change_nothing_R17(rated):
    p = rated["p"]
    before = {y: statement(p, y) for y in (2027, 2028)}
    entries = p.scalar("SELECT count(*) FROM billing.charges")
    deliver(p, rated["events"])
    for y in (2027, 2028):
        after = statement(p, y)
        after["generated_at"] = before[y]["generated_at"]
        assert after == before[y]
    assert p.scalar("SELECT count(*) FROM billing.charges") == entries


def test_journal_is_append_only_R17(rated):
    p = rated["p"]
    for sql in ("UPDATE billing.charges SET amount_fen = 0",
                "DELETE FROM billing.charges",
                "UPDATE billing.price_versions SET note = 'x'"):
        with pytest.raises(Exception):
            p.sql(sql)


def test_re_rating_a_past_price_compensates_R17(rated):
    p, rng = rated["p"], rated["rng"]
    old = statement(p, 2027)
    entries = p.sql("SELECT id, amount_fen FROM billing.charges ORDER BY id")
    prices = rand_prices(rng)
    reply = ok(publish(p, "2027-12-11", prices, note="追溯调价"))
    assert reply["retroactive"] is True
    versions = sorted(rated["versions"] + [(dt.date(2027, 12, 11), prices)],
                      key=lambda v: v[0])
    rated["versions"] = versions
    new = check_statements(p, rated["apps"], versions)[2027]
    comp = [l for u in new["units"] for s in u["systems"] for l in s["lines"]
            if l["kind"] == "compensation" and "价格版本" in l["cause"]]
    assert comp, "no compensating entry for the past price"
    assert all(l["from"] >= "2027-12-01" for l in comp)
    assert new["total_fen"] != old["total_fen"]
    # R17: nothing edited or deleted: the old entries are all still there
    assert p.sql(f"SELECT id, amount_fen FROM billing.charges WHERE id <= "
                 f"{entries[-1][0]} ORDER BY id") == entries
    # November is not touched by a December price
    nov = lambda st: sum(l["amount_fen"] for u in st["units"] for s in u["systems"]
                         for l in s["lines"] if l["from"].startswith("2027-11"))
    assert nov(new) == nov(old)


def test_late_allocation_compensates_R17(rated):
    """An allocation arriving after its month was rated: the difference
    is appended, naming the late order (R17)."""
    p = rated["p"]
    res = {"network": {"access": "extranet_only"},
           "hosts": [{"cpu_mem": "4c8g", "os": "centos6", "database": "none",
                      "count": 2, "purpose": "应用服务器"}]}
    late = dict(res, hosts=[dict(res["hosts"][0], count=5)])
    deliver(p, [completed("L000001", "县财政局", "test_env",
                          "2027-11-05T10:00:00+08:00", res),
                completed("L000001", "县财政局", "go_live",
                          "2027-11-20T10:00:00+08:00", res)])
    before = statement(p, 2027, "县财政局")
    deliver(p, [completed("L000001", "县财政局", "change",
                          "2027-12-10T23:30:00+08:00", late)])
    after = statement(p, 2027, "县财政局")
    sys = [s for u in after["units"] for s in u["systems"]
           if s["app_id"] == "L000001"][0]
    comp = [l for l in sys["lines"] if l["kind"] == "compensation"]
    assert comp and all("资源分配记录迟到" in l["cause"] for l in comp), comp
    # December: 1-31 at 2 hosts reversed; 1-9 at 2 and 10-31 at 5 charged
    # (split where a price version starts)
    def days(sign):
        out = set()
        for l in comp:
            if (l["amount_fen"] > 0) == (sign > 0):
                f, t = dt.date.fromisoformat(l["from"]), dt.date.fromisoformat(l["to"])
                out |= {(f + dt.timedelta(days=i), l["qty"]) for i in range((t - f).days + 1)}
        return out
    dec = [dt.date(2027, 12, d) for d in range(1, 32)]
    assert days(1) == {(d, 2 if d.day < 10 else 5) for d in dec}
    assert days(-1) == {(d, 2) for d in dec}
    assert after["total_fen"] > before["total_fen"]
    check_statements(p, rated["apps"] + ["L000001"], rated["versions"])


def test_prices_publish_checks_every_line_R17(platform):
    p = platform
    prices = {line: (0, 100) for line in LINES}
    body = {"effective_from": "2029-01-01",
            "lines": {line: {"test": t, "production": pr}
                      for line, (t, pr) in prices.items()}}
    del body["lines"]["vuln_scan"]
    body["lines"]["host_4c8g"] = {"test": -1, "production": 1.5}
    body["lines"]["host_3c6g"] = {"test": 1, "production": 1}
    r = p.call("bureau", "billing", "prices.publish", body)
    assert not r["ok"]
    fields = {e["field"]: e["code"]
              for e in r["error"].get("details") or [r["error"]]}
    assert fields.get("body.lines.vuln_scan") == "missing_field", fields
    assert fields.get("body.lines.host_3c6g") == "unknown_field", fields
    assert "body.lines.host_4c8g.production" in fields, fields
    # a unit may not publish, and sees its own statement only
    r = p.call("edu", "billing", "prices.publish", {"effective_from": "2029-01-01",
                                                    "lines": body["lines"]})
    assert not r["ok"] and r["error"]["code"] == "forbidden"
    r = p.call("edu", "billing", "billing.statement", {"year": 2027, "unit": "县财政局"})
    assert not r["ok"] and r["error"]["code"] == "forbidden"
    own = ok(p.call("edu", "billing", "billing.statement", {"year": 2027}))
    assert own["unit"] == "县教育局"


def test_cli_prices_and_statement_R17(rated):
    p = rated["p"]
    out = p.cli("prices", "--at", "2027-06-01", actor="edu").stdout
    assert "云主机 4核/8G" in out and "台·月" in out and "2027-06-01 执行的价格：版本 1" in out
    text = p.cli("statement", "县教育局", "--year", "2027", actor="auditor").stdout
    st = statement(p, 2027, "县教育局")
    total = st["total_fen"]
    assert "永嘉县电子政务云服务费用 2027 年度结算单（县教育局）" in text
    assert f"总计：{total // 100}.{total % 100:02d} 元" in text
    csv = p.cli("statement", "--year", "2028", "--csv", actor="auditor").stdout
    rows = csv.strip().splitlines()
    assert rows[0].startswith("单位,系统,资源项")
    county = statement(p, 2028)
    assert rows[-1].split(",")[10] == str(county["total_fen"])
    assert sum(int(r.split(",")[10]) for r in rows[1:-1]) == county["total_fen"]
    js = p.cli("statement", "--year", "2028", actor="auditor", json_out=True)
    assert js["total_fen"] == county["total_fen"] and js["provisional"] is True


def test_enforced_pricing_follows_the_setting_R17(rated):
    """YJC_ENFORCED_PRICING: production (default: the resources stay
    allocated) or zero; here in the open month, computed live."""
    p = rated["p"]
    res = {"network": {"access": "extranet_only"},
           "hosts": [{"cpu_mem": "2c4g", "os": "centos6", "database": "none",
                      "count": 1, "purpose": "应用服务器"}]}
    deliver(p, [completed("E000001", "县财政局", "go_live",
                          "2028-03-02T09:00:00+08:00", res),
                completed("E000001", "县财政局", "suspend",
                          "2028-03-05T09:00:00+08:00", res)])

    def lines():
        st = statement(p, 2028, "县财政局")
        return [l for u in st["units"] for s in u["systems"]
                if s["app_id"] == "E000001" for l in s["lines"]]
    enforced = [l for l in lines() if l["stage"] == "enforced"]
    prod = rated["versions"][-1][1]["host_2c4g"][1]
    assert [(l["from"], l["to"], l["unit_price_fen"]) for l in enforced] == [
        ("2028-03-05", "2028-03-10", prod)]
    p.stop_all()
    p.env["YJC_ENFORCED_PRICING"] = "zero"
    try:
        p.start_all()
        assert [(l["from"], l["to"], l["stage"]) for l in lines()] == [
            ("2028-03-02", "2028-03-04", "production")]
    finally:
        p.stop_all()
        p.env.pop("YJC_ENFORCED_PRICING")
        p.start_all()


def rmb_words(fen):
    """人民币大写, written here independently of common/yjc_money.c."""
    d = "零壹贰叁肆伍陆柒捌玖"
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    out, pending, groups = "", False, []
    while yuan:
        groups.insert(0, yuan % 10000)
        yuan //= 10000
    for i, g in enumerate(groups):
        for pos, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
            digit = g // 10 ** pos % 10
            if digit == 0:
                pending = pending or bool(out)
                continue
            out += ("零" if pending else "") + d[digit] + unit
            pending = False
        if g:
            out += ("", "万", "亿", "万亿")[len(groups) - 1 - i]
    out = (out or "零") + "元"
    if not jiao and not cents:
        return out + "整"
    if jiao:
        out += d[jiao] + "角"
    elif fen >= 100:
        out += "零"
    return out + (d[cents] + "分" if cents else "")


def test_statement_pdf_from_the_live_ledger_R17(rated, tmp_path):
    """The PDF a finance office files, from billing's own statement: the
    unit, the total in figures and in 人民币大写 (checked against words
    computed here), page numbers on every page."""
    import re
    import subprocess
    p = rated["p"]
    assert rmb_words(1234567) == "壹万贰仟叁佰肆拾伍元陆角柒分"
    assert rmb_words(10700053) == "壹拾万零柒仟元伍角叁分"
    assert rmb_words(32504) == "叁佰贰拾伍元零肆分"
    out = tmp_path / "edu-2027.pdf"
    res = p.cli("statement", "县教育局", "--year", "2027", "--pdf", str(out),
                actor="auditor")
    assert res.returncode == 0 and out.exists(), res.stderr
    total = statement(p, 2027, "县教育局")["total_fen"]
    assert total > 0
    raw = subprocess.run(["pdftotext", "-layout", str(out), "-"],
                         capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", raw)
    assert "县教育局" in flat and "2027年1月1日至2027年12月31日" in flat
    assert f"{total / 100:,.2f}" in flat
    assert "人民币" + rmb_words(total) in flat, flat[-400:]
    n = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(out)], capture_output=True, text=True,
        check=True).stdout, re.M).group(1))
    for page in range(1, n + 1):
        assert f"第{page}页共{n}页" in flat
