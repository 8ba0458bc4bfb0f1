"""R7, R8: submissions that arrive together are stored together (issue
14: one statement reads all their files, one multi-row INSERT stores
them), and each is still answered as if it came alone: a request whose
files are missing or another unit's is refused without its neighbours,
a request id sent twice (or already stored) is one application, and
every stored one is announced exactly once.  Intake runs one worker; the
test holds intake.applications in SHARE mode while the burst arrives,
so that the burst waits behind the first submission and runs as one
batch once the table is let go."""
import time
import uuid

import msgpack
import pytest

from conftest import Platform, full_form, hold_table, minimal_form, running


@pytest.fixture(scope="module")
def platform():
    p = Platform("subbatch")
    p.env["YJC_WORKERS"] = "1"
    p.env["YJC_TICK_MS"] = "3600000"  # no periodic work in the way
    yield from running(p)


def send(client, body, id_=None):
    id_ = id_ or uuid.uuid4().hex
    client.send_raw(msgpack.packb({"v": 1, "id": id_, "type": "application.submit",
                                   "body": body}))
    return id_


def replies(client, count):
    got = {}
    while sum(len(v) for v in got.values()) < count:
        reply = msgpack.unpackb(client.recv_raw(20000), raw=False)
        got.setdefault(reply["id"], []).append(reply)
    return got


def test_a_burst_is_stored_together_and_answered_one_by_one(platform):
    p = platform
    edu_files = p.materials("edu")
    health_files = p.materials("health")
    # stored before the burst: its retry inside the burst is a duplicate
    earlier_id = uuid.uuid4().hex
    earlier = p.submit("edu", full_form(), id_=earlier_id)
    assert earlier["ok"], earlier
    before = int(p.scalar("SELECT count(*) FROM intake.applications"))

    edu, health = p.client("edu", "intake"), p.client("health", "intake")
    psql = hold_table(p, "intake.applications")
    try:
        # the first takes the only worker and waits for the table
        first = send(edu, {"form": full_form(), "attachments": edu_files})
        p.wait_until(lambda: p.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'yjc_intake'"
            " AND wait_event_type = 'Lock'") == "1", what="the first waiting")
        good = [send(edu, {"form": full_form(), "attachments": edu_files})
                for _ in range(5)]
        good.append(send(health, {"form": minimal_form(), "attachments": health_files}))
        twice = uuid.uuid4().hex
        send(edu, {"form": full_form(), "attachments": edu_files}, twice)
        send(edu, {"form": full_form(), "attachments": edu_files}, twice)
        retry = send(edu, {"form": full_form(), "attachments": edu_files}, earlier_id)
        missing = send(edu, {"form": full_form(), "attachments":
                             edu_files[:1] + [{"kind": edu_files[1]["kind"],
                                               "att_id": "F999999"}] + edu_files[2:]})
        # health's file named by edu: not revealed, so not found either
        foreign = send(edu, {"form": full_form(), "attachments":
                             [health_files[0]] + edu_files[1:]})
        time.sleep(0.5)  # all of them read by intake, waiting for the worker
    finally:
        psql.stdin.write("COMMIT;\n")
        psql.stdin.close()
        psql.wait(timeout=30)
    got = replies(edu, 11)
    got.update(replies(health, 1))
    edu.close()
    health.close()

    stored = []
    for id_ in [first] + good:
        (reply,) = got[id_]
        assert reply["ok"] and not reply["body"]["duplicate"], reply
        assert reply["body"]["state"] == "submitted"
        stored.append(reply["body"]["app_id"])
    # R8: a missing file and another unit's file are refused, alone
    for id_, index in ((missing, 1), (foreign, 0)):
        (reply,) = got[id_]
        assert not reply["ok"], reply
        assert reply["error"]["code"] == "not_found", reply
        assert reply["error"]["field"] == f"body.attachments[{index}].att_id", reply
    # one request id, one application, however often and whenever sent
    a, b = got[twice]
    assert a["ok"] and b["ok"], (a, b)
    assert a["body"]["app_id"] == b["body"]["app_id"]
    assert sorted([a["body"]["duplicate"], b["body"]["duplicate"]]) == [False, True]
    stored.append(a["body"]["app_id"])
    (r,) = got[retry]
    assert r["ok"] and r["body"]["duplicate"], r
    assert r["body"]["app_id"] == earlier["body"]["app_id"]

    assert len(set(stored)) == len(stored) == 8
    assert int(p.scalar("SELECT count(*) FROM intake.applications")) == before + 8
    # the burst ran as one transaction (one batch) after the first
    ids = ",".join(f"'{x}'" for x in stored[1:])
    assert p.scalar("SELECT count(DISTINCT xmin::text) FROM intake.applications"
                    f" WHERE app_id IN ({ids})") == "1"
    # each one announced once: review has it, audit recorded it once
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.applications WHERE app_id IN ({ids})") == "7",
        what="the burst in review")
    p.wait_until(lambda: p.sql(
        "SELECT app_id, count(*) FROM audit.events WHERE type = 'application.submitted'"
        f" AND app_id IN ({ids}, '{stored[0]}') GROUP BY app_id HAVING count(*) <> 1")
        == [] and p.scalar(
        "SELECT count(*) FROM audit.events WHERE type = 'application.submitted'"
        f" AND app_id IN ({ids}, '{stored[0]}')") == "8", what="the burst audited")
    # the unit of each is its sender's (identity from the connection)
    assert p.scalar(f"SELECT unit FROM intake.applications WHERE app_id = '{stored[6]}'") \
        == "县卫生健康局"
