"""Transactional outbox + idempotent receivers: killing any one service
with SIGKILL during a burst of requests, then restarting it, ends with
every event delivered exactly once to every receiver and nothing lost
(the counts and ids of the five schemas agree)."""
import os
import queue
import signal
import subprocess
import threading
import time
import uuid

import pytest

from conftest import ROOT, TMP, Platform, minimal_form

PG = os.path.join(TMP, "pg")       # the test cluster (tests/run.sh)

APPS = 40          # applications per run
UNITS = [("edu", "县教育局"), ("health", "县卫生健康局")]


ANSWERED = []     # when each request of the running burst was answered


def call_until_ok(p, actor, svc, type_, body, id_, deadline):
    """Retries one request with the same id (as a real client would) until
    it is answered: a service being killed must not lose or double it."""
    while time.time() < deadline:
        client = p.client(actor, svc)
        try:
            reply = client.call(type_, body, id_=id_, timeout_ms=1500)
        except TimeoutError:
            continue
        finally:
            client.close()
        if reply["ok"]:
            ANSWERED.append(time.time())
            return reply
        code = reply["error"]["code"]
        if code in ("unavailable", "internal"):
            time.sleep(0.1)
            continue
        return reply
    raise AssertionError(f"{type_} {id_} never answered")


def decide_until_done(p, app, action, deadline):
    """The bureau's decision, retried; invalid_state after a lost reply
    means it was already taken."""
    while time.time() < deadline:
        reply = call_until_ok(p, "bureau", "review", action, {"app_id": app},
                              uuid.uuid4().hex, deadline)
        if reply["ok"]:
            return
        code = reply["error"]["code"]
        if code == "not_found":          # submitted event not there yet
            time.sleep(0.1)
            continue
        if code == "invalid_state":
            return
        raise AssertionError(reply)
    raise AssertionError(f"{action} {app} never done")


def burst(p, fault):
    """Submits, accepts and approves APPS applications from three client
    threads while `fault(p)` strikes once the burst is under way; returns
    the longest time the clients waited for an answer (the outage as they
    saw it: the longest gap between two answered requests)."""
    deadline = time.time() + 150
    ANSWERED.clear()
    submitted = queue.Queue()
    errors = []
    materials = {a: p.materials(a) for a, _ in UNITS}

    def unit_worker(actor, unit, count):
        try:
            body = {"form": minimal_form(unit), "attachments": materials[actor]}
            for i in range(count):
                reply = call_until_ok(p, actor, "intake", "application.submit",
                                      body, f"{actor}-{i}", deadline)
                assert reply["ok"], reply
                submitted.put(reply["body"]["app_id"])
        except Exception as e:   # reported below, in the test's thread
            errors.append(e)

    def bureau_worker():
        try:
            done = 0
            while done < APPS:
                app = submitted.get(timeout=60)
                decide_until_done(p, app, "review.accept", deadline)
                decide_until_done(p, app, "review.approve", deadline)
                done += 1
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=unit_worker, args=(a, u, APPS // 2))
               for a, u in UNITS] + [threading.Thread(target=bureau_worker)]
    for t in threads:
        t.start()
    p.wait_until(lambda: submitted.qsize() >= 4 or errors, timeout=60,
                 what="the burst to start")
    fault(p)
    over = None
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors
    del over
    times = sorted(ANSWERED)
    return max((b - a for a, b in zip(times, times[1:])), default=0.0)


def kill_service(victim):
    """SIGKILL one service mid-burst, leave it dead a moment, restart it."""
    def fault(p):
        p.kill(victim, signal.SIGKILL)
        time.sleep(0.5)
        p.start(victim)
    return fault


def pg_sh(cmd):
    subprocess.run(["sh", "-c", f". deploy/pg.sh && {cmd}"], check=True,
                   cwd=ROOT, capture_output=True, text=True)


def restart_postgres(p):
    """PostgreSQL restarted mid-load (pg_ctl -m fast, then start): every
    connection of every service is cut."""
    pg_sh(f"pg_stop {PG} && pg_start {PG}")


def stop_postgres_20s(p):
    """PostgreSQL stopped (SIGSTOP on the postmaster and its backends) for
    20 s, then resumed: every query hangs meanwhile."""
    pids = postgres_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(20)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def postgres_pids():
    with open(os.path.join(PG, "data", "postmaster.pid")) as f:
        master = int(f.readline())
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)],
                         capture_output=True, text=True).stdout.split()
    return [master] + [int(x) for x in out]


def receivers_of(p, source):
    rows = p.sql(f"SELECT seq, type FROM {source}.outbox ORDER BY seq")
    return rows


def check_exactly_once(p):
    schemas = ["intake", "review", "provisioning", "billing", "audit"]
    # nothing owed anywhere
    for s in schemas:
        assert p.scalar(f"SELECT count(*) FROM {s}.outbox_pending") == "0", s
    audit_ids = [r[0] for r in p.sql("SELECT event_id FROM audit.events")]
    assert len(audit_ids) == len(set(audit_ids))
    produced = set()
    for s in schemas:
        ids = {f"{s}:{seq}" for (seq,) in p.sql(f"SELECT seq FROM {s}.outbox")}
        produced |= ids
        # every receiver has exactly the events meant for it
        for r in schemas[:4]:
            if r == s:
                continue
            got = {row[0] for row in p.sql(
                f"SELECT event_id FROM {r}.inbox WHERE source = '{s}'")}
            expected = {f"{s}:{seq}" for (seq,) in p.sql(
                f"SELECT DISTINCT o.seq FROM {s}.outbox o WHERE o.type IN "
                f"(SELECT unnest(ARRAY[{receiving_types(r)}]))")}
            assert got == expected, (s, r, len(got), len(expected))
    # the audit trail holds every event of every service, once
    assert set(audit_ids) == produced
    assert set(r[0] for r in p.sql("SELECT event_id FROM audit.inbox")) == produced
    # and the business effect happened once per application
    assert p.scalar("SELECT count(*) FROM intake.applications") == str(APPS)
    assert p.scalar("SELECT count(*) FROM review.applications") == str(APPS)
    assert p.scalar("SELECT count(*) FROM provisioning.orders") == str(APPS)
    assert p.scalar("SELECT count(*) FROM billing.allocations") == str(APPS)
    # each application went through every step once; order.acknowledged
    # may be missing (a vendor whose ack was lost in the kill goes on and
    # reports the order done: pending -> done is allowed), never doubled
    # (files uploaded for the materials belong to no application yet)
    steps = p.sql("SELECT app_id, type, count(*) FROM audit.events"
                  " WHERE coalesce(app_id, '') <> '' GROUP BY 1, 2")
    per_app = {}
    for app, type_, n in steps:
        assert n == "1", (app, type_, n)
        per_app.setdefault(app, set()).add(type_)
    assert len(per_app) == APPS
    required = {"application.submitted", "application.accepted",
                "application.approved", "order.created", "order.completed",
                "allocation.opened"}
    for app, types in per_app.items():
        assert required <= types <= required | {"order.acknowledged"}, (app, types)


RECEIVES = {
    "intake": ["application.accepted", "application.declined", "application.approved",
               "application.rejected", "application.withdrawn",
               "order.created", "order.completed",
               "order.failed"],
    "review": ["attachment.stored", "application.submitted", "order.created",
               "order.completed", "order.failed"],
    "provisioning": ["attachment.stored", "application.approved"],
    "billing": ["order.completed"],
}


def receiving_types(receiver):
    return ", ".join(f"'{t}'" for t in RECEIVES[receiver])


FAULTS = {
    "intake": kill_service("intake"), "review": kill_service("review"),
    "provisioning": kill_service("provisioning"),
    "billing": kill_service("billing"), "audit": kill_service("audit"),
    "pg_restart": restart_postgres, "pg_stopped_20s": stop_postgres_20s,
}


@pytest.mark.parametrize("victim", list(FAULTS))
def test_sigkill_mid_burst_loses_nothing_doubles_nothing(victim):
    """A service SIGKILLed, PostgreSQL restarted, or PostgreSQL stopped for
    20 s, mid-burst, clients retrying by envelope id: afterwards every OK
    reply exists exactly once, every event reached every receiver exactly
    once, nothing is stuck pending."""
    p = Platform(f"kill_{victim[:5]}")
    try:
        p.start_all()
        p.start_vendor()
        started = time.time()
        recovered = burst(p, FAULTS[victim])
        producers = ["intake", "review", "provisioning", "billing"]

        def settled():
            # every application delivered by the vendor, nothing owed, and
            # the audit trail as long as all outboxes together
            produced = sum(int(p.scalar(f"SELECT count(*) FROM {s}.outbox"))
                           for s in producers)
            return (p.scalar("SELECT count(*) FROM billing.allocations") == str(APPS)
                    and all(p.scalar(f"SELECT count(*) FROM {s}.outbox_pending") == "0"
                            for s in producers)
                    and p.scalar("SELECT count(*) FROM audit.events") == str(produced))
        try:
            p.wait_until(settled, timeout=90, what="every event delivered")
        except AssertionError:
            state = {s: p.sql(f"SELECT receiver, count(*) FROM {s}.outbox_pending GROUP BY 1")
                     for s in ["intake", "review", "provisioning", "billing"]}
            state["audit"] = p.scalar("SELECT count(*) FROM audit.events")
            state["orders"] = p.sql("SELECT state, count(*) FROM provisioning.orders GROUP BY 1")
            raise AssertionError(f"not settled: {state}\n"
                                 + p.log_text("vendor-sim")[-1500:])
        time.sleep(0.5)  # anything doubled would show up now
        check_exactly_once(p)
        # the figures, for the suite's summary (tests/run.sh prints them)
        with open(os.path.join(TMP, "figures.txt"), "a") as f:
            f.write(f"fault {victim}: clients waited at most {recovered:.2f} s "
                    f"for an answer; all settled {time.time() - started:.1f} s "
                    f"from the start\n")
    finally:
        p.stop_all()
    findings = [f for f in p.sanitizer_findings()]
    assert not findings, findings
