"""The audit trail proves it was not edited (issue 12, R13 audit trail):
every stored event is chained (hash = SHA-256(previous hash || canonical
bytes), proto/README.md "The audit chain"); the audit service signs the
head at intervals with its own Ed25519 key; `yjcloud audit verify`
recomputes the chain from the rows and names the first event that does
not match: an edited row, a deleted one, two swapped; a chain rewritten
consistently (hashes and head recomputed, the stored checkpoints removed)
is still found against the checkpoints the auditor exported."""
import hashlib
import os
import struct
import time

import pytest

from conftest import Platform, minimal_form, running

GENESIS = b"\0" * 32


@pytest.fixture(scope="module")
def platform():
    p = Platform("trail")
    p.env["YJC_AUDIT_CHECKPOINT_EVERY"] = "4"
    # verify in stretches of 3 rows or more: side by side, as at scale
    p.env["YJC_AUDIT_VERIFY_STRETCH"] = "3"
    yield from running(p)


def ok(reply):
    assert reply["ok"], reply
    return reply["body"]


def events_count(p):
    return int(p.scalar("SELECT count(*) FROM audit.events"))


@pytest.fixture(scope="module")
def trail(platform):
    """A dozen events or more, from several applications."""
    p = platform
    for _ in range(20):
        ok(p.submit("health", minimal_form()))
        if events_count(p) >= 12:
            break
        time.sleep(0.3)
    p.wait_until(lambda: events_count(p) >= 12, what="events in audit")
    # quiet: every event delivered, and the trail still for a while
    pending = " + ".join(f"(SELECT count(*) FROM {s}.outbox_pending)"
                         for s in ("intake", "review", "provisioning",
                                   "billing", "audit"))
    last = [-1]

    def still():
        n = events_count(p)
        quiet = p.scalar(f"SELECT {pending}") == "0" and n == last[0]
        last[0] = n
        time.sleep(0.5)
        return quiet
    p.wait_until(still, what="every event delivered")
    return p


def verify(p, *args):
    return p.cli("audit", "verify", *args, actor="auditor", check=False)


def canon(row):
    """The canonical bytes of proto/README.md, from a row of rows()."""
    _seq, event_id, source, type_, app_id, at_us, payload_hex = row[:7]
    out = b""
    for text in (event_id, source, type_, app_id):
        data = text.encode()
        out += struct.pack(">I", len(data)) + data
    payload = bytes.fromhex(payload_hex)
    out += struct.pack(">q", int(at_us)) + struct.pack(">I", len(payload)) + payload
    unit, second, actor = row[8], row[9], row[10]
    if second == "t":  # the second form: unit and actor follow
        for text in (unit, actor):
            data = text.encode()
            out += struct.pack(">I", len(data)) + data
    return out


def rows(p):
    return p.sql("SELECT seq, event_id, source, type, coalesce(app_id, ''),"
                 " (extract(epoch FROM occurred_at) * 1000000)::bigint,"
                 " encode(payload_mp, 'hex'), encode(hash, 'hex'),"
                 " coalesce(unit, ''), actor IS NOT NULL, coalesce(actor, '')"
                 " FROM audit.events ORDER BY seq")


def tamper(p, sql):
    """As the database superuser, triggers and foreign keys off."""
    p.sql("SET session_replication_role = replica; " + sql)


def test_chain_is_the_documented_one_and_linear(trail):
    """Every stored hash is SHA-256(previous || canonical bytes), in seq
    order, with consecutive seq (several workers store: one chain)."""
    p = trail
    h = GENESIS
    all_rows = rows(p)
    assert len(all_rows) >= 12
    for i, row in enumerate(all_rows):
        assert int(row[0]) == i + 1
        h = hashlib.sha256(h + canon(row)).digest()
        assert h.hex() == row[7], f"event {row[1]}"
    head = p.sql("SELECT seq, count, encode(hash, 'hex') FROM audit.chain_head")[0]
    assert head == [all_rows[-1][0], str(len(all_rows)), h.hex()]
    res = verify(p)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "审计记录完整" in res.stdout and f"{len(all_rows)} 条" in res.stdout
    # stretches side by side (YJC_AUDIT_VERIFY_STRETCH=3; one per core)
    if os.cpu_count() > 1:
        assert "2 路并行" in res.stdout, res.stdout


def test_every_event_names_its_actor_and_unit(trail):
    """The second form: each event stored keeps who caused it (the actor
    of the request; '' for the services' own) and its unit, both hashed."""
    p = trail
    rows_ = p.sql("SELECT type, coalesce(actor, '<null>'), coalesce(unit, '<null>')"
                  " FROM audit.events ORDER BY seq")
    submitted = [r for r in rows_ if r[0] == "application.submitted"]
    assert submitted and all(r[1] == "health" and r[2] != "" for r in submitted), submitted
    assert all(r[1] != "<null>" and r[2] != "<null>" for r in rows_), rows_


def test_checkpoints_signed_every_n_and_exported(trail, tmp_path):
    p = trail
    # every 4 events (YJC_AUDIT_CHECKPOINT_EVERY): at least 3 by now
    assert int(p.scalar("SELECT count(*) FROM audit.checkpoints")) >= 3
    head = int(p.scalar("SELECT seq FROM audit.chain_head"))
    res = p.cli("audit", "checkpoints", actor="auditor")
    lines = [l for l in res.stdout.splitlines() if not l.startswith("#")]
    # the export signs the current head too
    assert int(lines[-1].split()[0]) >= head
    pub = open(os.path.join(p.keys, "audit-checkpoint.pub")).read().strip()
    assert all(l.split()[4] == pub for l in lines)
    # a unit may not export them
    assert p.cli("audit", "checkpoints", actor="edu", check=False).returncode != 0
    # a forged line in the auditor's file is refused by the client
    f = tmp_path / "forged.txt"
    parts = lines[0].split()
    parts[3] = "0" * 64
    f.write_text(" ".join(parts) + "\n")
    res = verify(p, "--checkpoints", str(f))
    assert res.returncode != 0 and "签名无效" in res.stderr, res.stderr


def test_edited_row_is_named(trail):
    p = trail
    seq, event_id = p.sql("SELECT seq, event_id FROM audit.events"
                          " ORDER BY seq OFFSET 5 LIMIT 1")[0]
    tamper(p, f"UPDATE audit.events SET occurred_at = occurred_at"
              f" - interval '1 day' WHERE seq = {seq}")
    try:
        res = verify(p)
        assert res.returncode == 1
        assert f"序号 {seq} 的事件 {event_id} 与审计链不符" in res.stdout, res.stdout
    finally:
        tamper(p, f"UPDATE audit.events SET occurred_at = occurred_at"
                  f" + interval '1 day' WHERE seq = {seq}")
    assert verify(p).returncode == 0


def test_deleted_row_is_named(trail):
    p = trail
    seq, = p.sql("SELECT seq FROM audit.events ORDER BY seq OFFSET 3 LIMIT 1")[0]
    nxt, = p.sql(f"SELECT event_id FROM audit.events WHERE seq > {seq}"
                 f" ORDER BY seq LIMIT 1")[0]
    tamper(p, f"CREATE TABLE public.saved AS SELECT * FROM audit.events"
              f" WHERE seq = {seq}; DELETE FROM audit.events WHERE seq = {seq}")
    try:
        res = verify(p)
        assert res.returncode == 1
        assert f"序号 {seq} 的事件缺失（在事件 {nxt} 之前）" in res.stdout, res.stdout
    finally:
        tamper(p, "INSERT INTO audit.events SELECT * FROM public.saved;"
                  " DROP TABLE public.saved")
    assert verify(p).returncode == 0
    # the last event removed: the head no longer matches
    last, = p.sql("SELECT seq FROM audit.chain_head")[0]
    tamper(p, f"CREATE TABLE public.saved AS SELECT * FROM audit.events"
              f" WHERE seq = {last}; DELETE FROM audit.events WHERE seq = {last}")
    try:
        res = verify(p)
        assert res.returncode == 1 and f"序号 {last} 起的事件缺失" in res.stdout, res.stdout
    finally:
        tamper(p, "INSERT INTO audit.events SELECT * FROM public.saved;"
                  " DROP TABLE public.saved")


def test_swapped_rows_are_named(trail):
    p = trail
    (a, _), (b, ev_b) = p.sql("SELECT seq, event_id FROM audit.events"
                              " ORDER BY seq OFFSET 6 LIMIT 2")
    swap = (f"UPDATE audit.events SET seq = -1 WHERE seq = {a};"
            f" UPDATE audit.events SET seq = {a} WHERE seq = {b};"
            f" UPDATE audit.events SET seq = {b} WHERE seq = -1")
    tamper(p, swap)
    try:
        res = verify(p)
        assert res.returncode == 1
        # seq a now holds b's event: the first that does not match
        assert f"序号 {a} 的事件 {ev_b} 与审计链不符" in res.stdout, res.stdout
    finally:
        tamper(p, swap)
    assert verify(p).returncode == 0


def test_verify_range(trail):
    p = trail
    res = verify(p, "--from", "3", "--to", "7")
    assert res.returncode == 0 and "核验 5 条事件" in res.stdout, res.stdout


def test_consistent_rewrite_found_by_exported_checkpoints(trail, tmp_path):
    """Whoever holds the superuser rewrites an event and every hash after
    it, the head too, and removes the stored checkpoints: the chain is
    consistent again, only the auditor's exported copy tells."""
    p = trail
    exported = tmp_path / "checkpoints.txt"
    exported.write_text(p.cli("audit", "checkpoints", actor="auditor").stdout)
    first_cp = int(p.scalar("SELECT min(seq) FROM audit.checkpoints"))
    edit = first_cp + 1          # after the first checkpoint
    # under the head's lock, with the documented canonical bytes
    # (audit.event_canon), so that an event stored meanwhile chains on
    tamper(p, f"""DO $$ DECLARE h bytea; r audit.events; BEGIN
        PERFORM 1 FROM audit.chain_head FOR UPDATE;
        UPDATE audit.events SET app_id = 'forged' WHERE seq = {edit};
        SELECT hash INTO h FROM audit.events WHERE seq = {edit - 1};
        FOR r IN SELECT * FROM audit.events WHERE seq >= {edit} ORDER BY seq LOOP
            h := sha256(h || audit.event_canon(r));
            UPDATE audit.events SET hash = h WHERE seq = r.seq;
        END LOOP;
        UPDATE audit.chain_head SET hash = h;
        DELETE FROM audit.checkpoints;
    END $$""")
    res = verify(p)
    assert res.returncode == 0, res.stdout   # consistent: nothing inside tells
    res = verify(p, "--checkpoints", str(exported))
    assert res.returncode == 1, res.stdout
    # the first exported checkpoint after the edit no longer lies on the chain
    nxt = [int(l.split()[0]) for l in exported.read_text().splitlines()
           if not l.startswith("#") and int(l.split()[0]) >= edit][0]
    assert f"序号 {nxt} 处的检查点与重算的链不符" in res.stdout, res.stdout
    assert f"序号 {first_cp} 之后" in res.stdout, res.stdout


def as_runtime(p, sql, role="yjc_audit"):
    """`sql` as a service's runtime role (the audit service's by default)."""
    import subprocess
    from conftest import PGPORT
    return subprocess.run(
        ["psql", "-X", "-At", "-h", "127.0.0.1", "-p", PGPORT, "-U", role,
         "-d", p.db, "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True, text=True)


def test_runtime_role_cannot_rewrite_its_trail(trail):
    """Issue 12: the tables belong to yjc_audit_owner (migrations only);
    yjc_audit reads and inserts, and cannot ALTER (so not disable the
    append-only trigger), UPDATE, DELETE or TRUNCATE."""
    p = trail
    owners = p.sql("SELECT tablename, tableowner FROM pg_tables"
                   " WHERE schemaname = 'audit' ORDER BY 1")
    assert owners and all(o == "yjc_audit_owner" for _, o in owners), owners
    assert as_runtime(p, "SELECT count(*) FROM audit.events").returncode == 0
    for sql in ("ALTER TABLE audit.events DISABLE TRIGGER events_append_only",
                "UPDATE audit.events SET app_id = 'x' WHERE seq = 1",
                "DELETE FROM audit.events WHERE seq = 1",
                "TRUNCATE audit.events",
                "ALTER TABLE audit.checkpoints DISABLE TRIGGER USER",
                "DELETE FROM audit.checkpoints",
                "UPDATE audit.events SET hash = hash"):
        res = as_runtime(p, sql)
        assert res.returncode != 0, sql
        assert ("permission denied" in res.stderr
                or "must be owner" in res.stderr), (sql, res.stderr)
    assert verify(p).returncode == 0


def test_auditor_queries_filter_page_and_csv(trail):
    """audit.events by application, event type and days, paged on seq;
    `--csv` for a spreadsheet, the event in words and its code."""
    import csv
    import io
    p = trail
    # (not the event the rewrite test forged)
    app, = p.sql("SELECT app_id FROM audit.events WHERE type ="
                 " 'application.submitted' AND app_id <> 'forged'"
                 " ORDER BY seq LIMIT 1")[0]
    res = p.cli("audit", "events", "--app", app, "--type",
                "application.submitted", "--csv", actor="auditor")
    rows_ = list(csv.reader(io.StringIO(res.stdout)))
    assert rows_[0] == ["序号", "发生时间", "来源", "申请", "事件", "说明",
                        "事件代码", "单位", "操作人"]
    assert len(rows_) == 2, rows_
    assert rows_[1][3] == app and rows_[1][6] == "application.submitted"
    assert "提交项目“" in rows_[1][5]                 # issue 12: in words
    assert rows_[1][4] != "application.submitted"    # in words
    # paging: two at a time, on seq, covers the type's events once each
    want = int(p.scalar("SELECT count(*) FROM audit.events"
                        " WHERE type = 'application.submitted'"))
    seen, after = [], 0
    while True:
        body = ok(p.call("auditor", "audit", "audit.events",
                         {"type": "application.submitted", "after": after,
                          "limit": 2}))
        if not body["events"]:
            break
        seen += [e["seq"] for e in body["events"]]
        after = body["events"][-1]["seq"]
    assert len(seen) == want and seen == sorted(set(seen))
    # days: none before 2000, all of today's up to far ahead
    assert ok(p.call("auditor", "audit", "audit.events",
                     {"until": "2000-01-01"}))["events"] == []
    got = [e["seq"] for e in ok(p.call(
        "auditor", "audit", "audit.events",
        {"since": "2000-01-01", "until": "2999-12-31", "limit": 1000}))["events"]]
    assert got and got == [int(r[0]) for r in p.sql(
        f"SELECT seq FROM audit.events WHERE seq <= {got[-1]} ORDER BY seq")]
    bad = p.call("auditor", "audit", "audit.events", {"since": "2025-02-30"})
    assert not bad["ok"]


def test_auditor_queries_by_unit_and_actor(trail):
    """Issue 12: by unit and by actor, each alone or with the others, and
    the CLI's --unit/--actor; what each row names is what was asked."""
    p = trail
    unit, actor = p.sql("SELECT unit, actor FROM audit.events"
                        " WHERE type = 'application.submitted'"
                        " AND app_id <> 'forged' ORDER BY seq LIMIT 1")[0]
    by_unit = ok(p.call("auditor", "audit", "audit.events",
                        {"unit": unit, "limit": 1000}))["events"]
    want = p.sql("SELECT seq FROM audit.events WHERE unit = '%s' ORDER BY seq"
                 % unit.replace("'", "''"))
    assert [e["seq"] for e in by_unit] == [int(r[0]) for r in want]
    assert by_unit and all(e["unit"] == unit for e in by_unit)
    by_actor = ok(p.call("auditor", "audit", "audit.events",
                         {"actor": actor, "type": "application.submitted"}))["events"]
    assert by_actor and all(e["actor"] == actor and e["type"] ==
                            "application.submitted" for e in by_actor)
    assert len(by_actor) == int(p.scalar(
        "SELECT count(*) FROM audit.events WHERE actor = '%s'"
        " AND type = 'application.submitted'" % actor))
    # nobody by that name, no such unit: nothing, not everything
    assert ok(p.call("auditor", "audit", "audit.events",
                     {"actor": "nobody"}))["events"] == []
    assert ok(p.call("auditor", "audit", "audit.events",
                     {"unit": "无此单位",
                      "app_id": next(e["app_id"] for e in by_unit if e["app_id"])}))["events"] == []
    res = p.cli("audit", "events", "--actor", actor, "--unit", unit, "--csv",
                actor="auditor")
    assert res.returncode == 0 and len(res.stdout.splitlines()) == 1 + int(p.scalar(
        "SELECT count(*) FROM audit.events WHERE actor = '%s' AND unit = '%s'"
        % (actor, unit.replace("'", "''")))), res.stdout
    # a bounded field: a name longer than an actor's is refused, named
    bad = p.call("auditor", "audit", "audit.events", {"actor": "x" * 33})
    assert not bad["ok"] and "actor" in str(bad)
