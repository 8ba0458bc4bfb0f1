"""Time rules, "Years without a published arrangement": a deadline in a
year not yet published is a date marked provisional (暂定); when the
bureau publishes the year (calendar.publish) every service that computes
deadlines applies it without a restart, the open deadlines resting on it
are recomputed from their start and a moved one is in the application's
history; a correction replaces the earlier publication, which is kept."""
from conftest import minimal_form

# 2027 as a test arrangement: 元旦 and, unlike the provisional calendar,
# Monday 01-04 off
ARRANGEMENT = {"year": 2027, "kind": "full", "days": [
    {"date": "2027-01-01", "off": True, "name": "元旦"},
    {"date": "2027-01-04", "off": True, "name": "测试"},
]}


def _review_get(p, app):
    return p.call("bureau", "review", "review.get", {"app_id": app})


def test_publishing_a_year_moves_its_provisional_deadlines(platform):
    p = platform
    p.stop_all()
    p.set_now("2026-12-29T10:00:00+08:00")
    p.start_all()
    pids = {svc: proc.pid for svc, proc in p.procs.items()}
    app = p.submit("health", minimal_form())["body"]["app_id"]
    p.wait_until(lambda: _review_get(p, app)["ok"], what="review")
    got = _review_get(p, app)["body"]
    # 3 working days: 12-30, 12-31, then (元旦, a weekend) Mon 2027-01-04
    assert got["accept_due"] == "2027-01-04"
    assert p.sql("SELECT accept_provisional::text FROM review.applications") == [["true"]]
    assert got["accept_provisional"] is True, got
    assert got["provisional"] is True, got
    # the clerk reads it as 暂定, in show and in list
    assert "2027-01-04（暂定）" in p.cli("--as", "bureau", "show", app).stdout
    assert "2027-01-04（暂定）" in p.cli("--as", "bureau", "list").stdout
    pending = p.call("bureau", "review", "review.pending", {})["body"]["pending"]
    assert [r["provisional"] for r in pending if r["app_id"] == app] == [True]

    # a unit may not publish; a day outside the year or listed twice is refused
    assert not p.call("health", "review", "calendar.publish", ARRANGEMENT)["ok"]
    mixed = dict(ARRANGEMENT, days=ARRANGEMENT["days"] + [
        {"date": "2028-01-03", "off": True, "name": "x"}])
    reply = p.call("bureau", "review", "calendar.publish", mixed)
    assert not reply["ok"] and "days[2]" in str(reply)
    twice = dict(ARRANGEMENT, days=ARRANGEMENT["days"] + [ARRANGEMENT["days"][0]])
    reply = p.call("bureau", "review", "calendar.publish", twice)
    assert not reply["ok"] and "listed twice" in str(reply)
    bad = dict(ARRANGEMENT, days=[{"date": "2027-02-30", "off": True, "name": "x"}])
    assert not p.call("bureau", "review", "calendar.publish", bad)["ok"]

    reply = p.call("bureau", "review", "calendar.publish", ARRANGEMENT)
    assert reply["ok"], reply
    assert reply["body"]["changed"] == 1
    got = _review_get(p, app)["body"]
    assert got["accept_due"] == "2027-01-05"
    shown = p.cli("--as", "bureau", "show", app).stdout
    assert "2027-01-05" in shown and "暂定" not in shown
    assert got["accept_provisional"] is False
    # the history says so (intake, through deadline.changed)
    note = "期限因 2027 年放假安排公布由 2027-01-04 调整为 2027-01-05"

    def history_notes():
        body = p.call("health", "intake", "application.get", {"app_id": app})["body"]
        return [h.get("note") for h in body.get("history", [])]
    p.wait_until(lambda: note in history_notes(), what="the history note")
    # provisioning stored it too (its own schema), audit holds the event
    p.wait_until(lambda: p.scalar(
        "SELECT count(*) FROM provisioning.calendar_years") == "1",
        what="provisioning's copy")
    p.wait_until(lambda: p.scalar(
        "SELECT count(*) FROM audit.events WHERE type = 'calendar.published'") == "1",
        what="the audit trail")

    # a correction replaces the earlier one; both are kept
    correction = dict(ARRANGEMENT, days=ARRANGEMENT["days"][:1])
    reply = p.call("bureau", "review", "calendar.publish", correction)
    assert reply["ok"] and reply["body"]["changed"] == 1
    assert _review_get(p, app)["body"]["accept_due"] == "2027-01-04"
    assert p.sql("SELECT count(*), count(replaced_by) FROM review.calendar_years") == [["2", "1"]]
    listed = p.call("auditor", "review", "calendar.list", {})["body"]["published"]
    assert [(x["year"], x["kind"], len(x["days"])) for x in listed] == [(2027, "full", 1)]
    p.wait_until(lambda: p.sql(
        "SELECT count(*), count(replaced_by) FROM provisioning.calendar_years")
        == [["2", "1"]], what="provisioning's correction")

    # nothing was restarted
    assert {svc: proc.pid for svc, proc in p.procs.items()} == pids
    assert all(proc.poll() is None for proc in p.procs.values())


def test_the_bureau_publishes_a_file_with_the_cli(platform, tmp_path):
    """yjcloud calendar publish FILE: the project's CSV or holiday-cn's
    JSON; a file mixing years, repeating a date or naming an impossible
    date is refused with its line (or entry); the calendar commands and
    `calendar show` then use what the platform published."""
    p = platform
    bad = {
        "mixed.csv": ("date,kind,name\n2028-01-03,off,测试\n2029-01-01,off,元旦\n",
                      "第 3 行"),
        "twice.csv": ("date,kind,name\n2028-01-03,off,测试\n2028-01-03,off,测试\n",
                      "第 3 行"),
        "nodate.csv": ("date,kind,name\n2028-02-30,off,测试\n", "第 2 行"),
        "bad.json": ('{"year": 2028, "days": [{"name": "元旦", "date": "2028-01-01",'
                     ' "isOffDay": true}, {"name": "x", "date": "2029-01-01",'
                     ' "isOffDay": true}]}', "第 2 项"),
    }
    for name, (text, where) in bad.items():
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        res = p.cli("--as", "bureau", "calendar", "publish", str(f), check=False)
        assert res.returncode == 2 and where in res.stderr, (name, res.stderr)
    # a unit may not publish
    good = tmp_path / "2028.json"
    good.write_text('{"year": 2028, "days": [{"name": "元旦", "date": "2028-01-01",'
                    ' "isOffDay": true}, {"name": "测试", "date": "2028-01-03",'
                    ' "isOffDay": true}]}', encoding="utf-8")
    res = p.cli("--as", "edu", "calendar", "publish", str(good), check=False)
    assert res.returncode != 0 and "forbidden" not in res.stderr
    out = p.cli("--as", "bureau", "calendar", "publish", str(good)).stdout
    assert "已公布 2028 年放假安排（2 天）" in out
    # the commands use it at once: Monday 2028-01-03 is off, and the year
    # is official, published on the platform
    assert p.cli("--as", "edu", "calendar", "is-workday", "2028-01-03",
                 json_out=True)["workday"] is False
    shown = p.cli("--as", "edu", "calendar", "show", "2028").stdout
    assert "2028 年：已公布" in shown and "在平台公布" in shown
    # a county's change of one day on top (--local): Friday 2028-01-07 off
    local = tmp_path / "local.csv"
    local.write_text("date,kind,name\n2028-01-07,off,县庆\n", encoding="utf-8")
    assert "本县调整" in p.cli("--as", "bureau", "calendar", "publish", str(local),
                             "--local").stdout
    assert p.cli("--as", "edu", "calendar", "is-workday", "2028-01-07",
                 json_out=True)["workday"] is False
