"""Time rules (requirements.md "Time rules"): the shipped national
calendar, the CLI's calendar commands, and deadlines computed across real
holidays when the services' clock is moved with YJC_NOW_FILE."""
import pytest


@pytest.mark.parametrize("args,expected", [
    # R9.1: 3 working days after 2020-04-29 (Wed): 04-30 is day 1, the
    # Labour Day holiday 05-01..05 is skipped, 05-06 day 2, 05-07 day 3.
    (("workdays", "2020-04-29", "3"), "2020-05-07"),
    # 2020-04-26 (Sunday) was an adjusted working day
    (("workdays", "2020-04-24", "1"), "2020-04-26"),
    # National Day + Mid-Autumn 2020: 10-01..08 off, 10-10 (Sat) worked
    (("workdays", "2020-09-30", "1"), "2020-10-09"),
    (("workdays", "2020-09-30", "2"), "2020-10-10"),
    # 15 days from 2020-09-20 end 10-05, a holiday: moved to 10-09
    (("period", "2020-09-20", "15d"), "2020-10-09"),
    # month rule: no 2021-02-31, so the month's last day (a Sunday), then
    # the next working day 2021-03-01
    (("period", "2021-01-31", "1m"), "2021-03-01"),
])
def test_calendar_commands(platform, args, expected):
    out = platform.cli("calendar", *args, json_out=True)
    assert out["result"] == expected


def test_is_workday(platform):
    assert platform.cli("calendar", "is-workday", "2020-04-26", json_out=True)["workday"] is True
    assert platform.cli("calendar", "is-workday", "2020-05-04", json_out=True)["workday"] is False
    assert "是" in platform.cli("calendar", "is-workday", "2026-11-30").stdout


def test_uncovered_year_is_an_error_not_a_guess(platform):
    # Beyond the lunar table (2060) and before the first shipped year
    # (2020) nothing is computed, not even provisionally
    res = platform.cli("calendar", "workdays", "2060-12-30", "2", check=False)
    assert res.returncode == 1
    assert "2061" in res.stderr
    res = platform.cli("calendar", "is-workday", "2019-12-31", check=False)
    assert res.returncode == 1
    assert "2019" in res.stderr
    res = platform.cli("calendar", "show", "2061", "--json", check=False)
    assert res.returncode == 1 and "calendar_uncovered" in res.stdout


def test_unpublished_year_is_provisional(platform):
    # "Years without a published arrangement": 2027 on the statutory days
    # (元旦 Friday 01-01), marked 暂定.  3 working days after Wed
    # 2026-12-30: 12-31, then 01-04, 01-05.
    out = platform.cli("calendar", "workdays", "2026-12-30", "3", json_out=True)
    assert (out["result"], out["provisional"]) == ("2027-01-05", True)
    out = platform.cli("calendar", "workdays", "2026-12-30", "1", json_out=True)
    assert (out["result"], out["provisional"]) == ("2026-12-31", False)
    assert "暂定" in platform.cli("calendar", "workdays", "2026-12-30", "3").stdout
    assert "暂定" not in platform.cli("calendar", "workdays", "2026-12-30", "1").stdout
    out = platform.cli("calendar", "period", "2026-12-17", "15d", json_out=True)
    assert (out["result"], out["provisional"]) == ("2027-01-04", True)
    # 春节 2027: 除夕 Fri 02-05 .. 初三 Mon 02-08; Sat and Sun made up on
    # Tue 02-09 and Wed 02-10
    out = platform.cli("calendar", "is-workday", "2027-02-10", json_out=True)
    assert (out["workday"], out["provisional"]) == (False, True)
    assert platform.cli("calendar", "is-workday", "2027-02-11", json_out=True)["workday"] is True
    assert platform.cli("calendar", "is-workday", "2026-11-30", json_out=True)["provisional"] is False


def test_calendar_show(platform):
    year = platform.cli("calendar", "show", "2028", json_out=True)
    assert year["provisional"] is True
    days = [(d["date"], d["name"], d["makeup"]) for d in year["days"]]
    # 中秋 2028 is 10-03, inside 国庆 (Sun 10-01 .. Tue 10-03): the Sunday
    # is made up on 10-04, the second holiday of 10-03 on 10-05
    assert ("2028-10-03", "国庆节", False) in days
    assert ("2028-10-03", "中秋节", False) in days
    assert ("2028-10-04", "国庆节", True) in days
    assert ("2028-10-05", "中秋节", True) in days
    text = platform.cli("calendar", "show", "2027").stdout
    assert "暂定" in text and "2027-02-09 星期二  休息  春节（补假）" in text
    year = platform.cli("calendar", "show", "2026", json_out=True)
    assert year["provisional"] is False
    assert {"date": "2026-01-04", "kind": "work", "name": "元旦",
            "makeup": False} in year["days"]
    assert "已公布" in platform.cli("calendar", "show", "2026").stdout


def test_approval_deadline_in_an_unpublished_year(platform):
    """R10.1 with the clock at Tue 2026-12-29: the vendor's 3 working days
    are 12-30, 12-31 and (元旦 2027 and a weekend later) Mon 2027-01-04,
    a date on the provisional calendar, not an empty one.  R9.1's
    acceptance deadline likewise."""
    from conftest import minimal_form
    platform.stop_all()
    platform.set_now("2026-12-29T10:00:00+08:00")
    platform.start_all()
    app = platform.submit("health", minimal_form())["body"]["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    got = platform.call("bureau", "review", "review.get", {"app_id": app})["body"]
    assert got["accept_due"] == "2027-01-04"
    assert platform.call("bureau", "review", "review.accept", {"app_id": app})["ok"]
    assert platform.call("bureau", "review", "review.approve", {"app_id": app})["ok"]
    sql = ("SELECT kind, coalesce(due::text, '') FROM provisioning.orders "
           f"WHERE app_id = '{app}'")
    platform.wait_until(lambda: platform.sql(sql), what="the test-environment order")
    assert platform.sql(sql)[0] == ["test_env", "2027-01-04"]


def test_local_override_changes_a_day(platform, tmp_path):
    override = tmp_path / "local.csv"
    override.write_text("date,kind,name\n2026-12-01,off,县防汛抢险\n", encoding="utf-8")
    platform.env["YJC_CALENDAR_LOCAL"] = str(override)
    try:
        assert platform.cli("calendar", "workdays", "2026-11-30", "1",
                            json_out=True)["result"] == "2026-12-02"
    finally:
        del platform.env["YJC_CALENDAR_LOCAL"]
    assert platform.cli("calendar", "workdays", "2026-11-30", "1",
                        json_out=True)["result"] == "2026-12-01"


def test_review_deadlines_across_labour_day(platform):
    # Submitted on 2020-04-29: acceptance due 2020-05-07 (R9.1).  Accepted
    # on 2020-04-30: 05-06, 05-07, 05-08, 05-09 (a Saturday worked in
    # exchange) and 05-11 are the 5 working days: opinion due 2020-05-11
    # (R9.2).
    from conftest import minimal_form
    platform.stop_all()
    platform.set_now("2020-04-29T10:00:00+08:00")
    platform.start_all()
    reply = platform.submit("health", minimal_form())
    app = reply["body"]["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")
    got = platform.call("bureau", "review", "review.get", {"app_id": app})["body"]
    assert got["accept_due"] == "2020-05-07"
    assert got["accept_rule"].startswith("R9.1")
    platform.set_now("2020-04-30T16:00:00+08:00")  # read at each use
    accepted = platform.call("bureau", "review", "review.accept", {"app_id": app})
    assert accepted["body"]["decide_due"] == "2020-05-11"
    got = platform.call("bureau", "review", "review.get", {"app_id": app})["body"]
    assert got["decide_due"] == "2020-05-11"
    assert got["decide_rule"].startswith("R9.2")


def test_overdue_steps_show_who_owes_and_how_late(platform):
    # R9.1 across Labour Day 2020: submitted 04-29, acceptance due 05-07.
    # On 05-07 nothing is late; on Monday 05-11 the bureau is 3 working
    # days late (05-08, 05-09 - a Saturday worked in exchange - and 05-11;
    # on 05-08 it would have been 1).
    from conftest import minimal_form
    platform.stop_all()
    platform.set_now("2020-04-29T09:00:00+08:00")
    platform.start_all()
    app = platform.submit("health", minimal_form())["body"]["app_id"]
    platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                              {"app_id": app})["ok"], what="review")

    def overdue(actor="bureau"):
        return {o["app_id"]: o for o in platform.call(
            actor, "review", "review.overdue", {})["body"]["overdue"]}

    platform.set_now("2020-05-07T23:59:00+08:00")
    assert app not in overdue()
    assert platform.call("bureau", "review", "review.get",
                         {"app_id": app})["body"]["late_workdays"] is None
    platform.set_now("2020-05-11T10:00:00+08:00")
    late = overdue()[app]
    assert (late["due"], late["late_workdays"], late["owed_by"]) == ("2020-05-07", 3, "bureau")
    assert late["rule"].startswith("R9.1")
    assert app in overdue("health") and app not in overdue("edu")
    assert platform.call("bureau", "review", "review.get",
                         {"app_id": app})["body"]["late_workdays"] == 3
    text = platform.cli("list", "--overdue", actor="bureau").stdout
    assert app in text and "受理" in text and "2020-05-07" in text
    assert "已逾期 3 个工作日" in platform.cli("show", app, actor="bureau").stdout
    # accepting ends that step; the opinion is now owed by 2020-05-18
    accepted = platform.call("bureau", "review", "review.accept", {"app_id": app})
    assert accepted["body"]["decide_due"] == "2020-05-18"
    assert app not in overdue()
