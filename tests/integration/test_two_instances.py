"""Two instances of every service on the same database, each binding its
own endpoint; clients spread their requests over both (and the services'
relays their deliveries: YJC_<SERVICE>_ENDPOINT lists both instances); the
second instance of every service is SIGKILLed mid-load and started again.
Afterwards every event reached every receiver exactly once, each
producer's events of an application arrived in order, and no order was
created twice (R7: one order per decision)."""
import os
import queue
import random
import signal
import subprocess
import threading
import time
import uuid

import pytest

import yjc
from conftest import BIN, SERVICES, Platform, free_port, minimal_form
from test_exactly_once import APPS, UNITS, check_exactly_once


class Twin:
    """The platform with a second instance of every service."""

    def __init__(self):
        self.p = Platform("twoinst")
        self.ep = {}
        for svc in list(SERVICES) + ["vendor"]:
            self.ep[svc] = [self.p.env[f"YJC_{svc.upper()}_ENDPOINT"],
                            f"tcp://127.0.0.1:{free_port()}"]
        self.procs = {}

    def env(self, svc, i):
        env = dict(self.p.env, YJC_DB=self.p.conninfo(svc),
                   YJC_BIND=self.ep[svc][i], YJC_LOG_LEVEL="debug")
        for s in list(SERVICES) + ["vendor"]:
            env[f"YJC_{s.upper()}_ENDPOINT"] = ",".join(self.ep[s])
        env["YJC_VENDOR_BIND"] = self.ep["vendor"][i]
        if i:  # the second console's pages on a port of their own
            env["YJC_WEB_LISTEN"] = f"127.0.0.1:{free_port()}"
        return env

    def start(self, svc, i):
        log = open(os.path.join(self.p.dir, f"{svc}-{i}.log"), "ab")
        self.p.logs[f"{svc}-{i}"] = log.name
        self.procs[(svc, i)] = subprocess.Popen(
            [os.path.join(BIN, f"yjc-{SERVICES[svc]}")], env=self.env(svc, i),
            stdout=log, stderr=subprocess.STDOUT)
        self.p.procs[f"{svc}-{i}"] = self.procs[(svc, i)]

    def ready(self, svc, i):
        deadline = time.time() + 60
        while time.time() < deadline:
            assert self.procs[(svc, i)].poll() is None, self.p.log_text(f"{svc}-{i}")[-2000:]
            c = yjc.Client(self.p.keys, "admin", self.ep[svc][i], svc)
            try:
                if c.call("sys.status", timeout_ms=500)["ok"]:
                    return
            except TimeoutError:
                pass
            finally:
                c.close()
        raise AssertionError(f"{svc}-{i} not ready")

    def call(self, actor, svc, type_, body, id_, deadline):
        """A client's retry loop: same envelope id, the instances in turn."""
        while time.time() < deadline:
            ep = random.choice(self.ep[svc])
            c = yjc.Client(self.p.keys, actor, ep, svc)
            try:
                reply = c.call(type_, body, id_=id_, timeout_ms=1500)
            except TimeoutError:
                continue
            finally:
                c.close()
            if reply["ok"] or reply["error"]["code"] not in ("unavailable", "internal"):
                return reply
            time.sleep(0.1)
        raise AssertionError(f"{type_} {id_} never answered")


@pytest.fixture
def twin():
    t = Twin()
    try:
        for i in (0, 1):
            for svc in SERVICES:
                t.start(svc, i)
        for i in (0, 1):
            for svc in SERVICES:
                t.ready(svc, i)
        # the vendor fetches from both adapters (one vendor system)
        log = open(os.path.join(t.p.dir, "vendor-sim.log"), "ab")
        t.p.logs["vendor-sim"] = log.name
        t.p.procs["vendor-sim"] = subprocess.Popen(
            [os.path.join(BIN, "yjc-vendor-sim"), "--as", "vendor", "--interval", "100"],
            env=t.env("provisioning", 0), stdout=log, stderr=subprocess.STDOUT)
        yield t
    finally:
        t.p.stop_all()
    assert not t.p.sanitizer_findings()


def test_two_instances_one_killed_mid_load_exactly_once_in_order(twin):
    t, p = twin, twin.p
    deadline = time.time() + 150
    submitted = queue.Queue()
    errors = []
    materials = {a: p.materials(a) for a, _ in UNITS}

    def units(actor, unit, count):
        try:
            body = {"form": minimal_form(unit), "attachments": materials[actor]}
            for i in range(count):
                reply = t.call(actor, "intake", "application.submit", body,
                               f"{actor}-{i}", deadline)
                assert reply["ok"], reply
                submitted.put(reply["body"]["app_id"])
        except Exception as e:
            errors.append(e)

    def decide(app, action):
        while time.time() < deadline:
            reply = t.call("bureau", "review", action, {"app_id": app},
                           uuid.uuid4().hex, deadline)
            if reply["ok"] or reply["error"]["code"] == "invalid_state":
                return
            assert reply["error"]["code"] == "not_found", reply
            time.sleep(0.1)
        raise AssertionError(f"{action} {app}")

    def bureau():
        try:
            for _ in range(APPS):
                app = submitted.get(timeout=90)
                decide(app, "review.accept")
                decide(app, "review.approve")
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=units, args=(a, u, APPS // 2)) for a, u in UNITS]
    threads.append(threading.Thread(target=bureau))
    for th in threads:
        th.start()
    p.wait_until(lambda: submitted.qsize() >= 6 or errors, what="load")
    # the second instance of every service dies mid-load, and comes back
    for svc in SERVICES:
        t.procs[(svc, 1)].send_signal(signal.SIGKILL)
        t.procs[(svc, 1)].wait()
    time.sleep(1.0)
    for svc in SERVICES:
        t.start(svc, 1)
    for th in threads:
        th.join(timeout=180)
    assert not errors, errors
    producers = ["intake", "review", "provisioning", "billing"]

    def settled():
        produced = sum(int(p.scalar(f"SELECT count(*) FROM {s}.outbox")) for s in producers)
        return (p.scalar("SELECT count(*) FROM billing.allocations") == str(APPS)
                and all(p.scalar(f"SELECT count(*) FROM {s}.outbox_pending") == "0"
                        for s in producers)
                and p.scalar("SELECT count(*) FROM audit.events") == str(produced))
    p.wait_until(settled, timeout=120, what="every event delivered")
    time.sleep(0.5)
    check_exactly_once(p)
    # both instances served: each logged requests it ran
    for svc, type_ in (("intake", "application.submit"), ("review", "review.accept")):
        for i in (0, 1):
            assert type_ in p.log_text(f"{svc}-{i}"), (svc, i)
    # no order twice: one per application, each completed once
    assert p.scalar("SELECT count(*) FROM provisioning.orders") == str(APPS)
    assert p.scalar("SELECT count(DISTINCT app_id) FROM provisioning.orders") == str(APPS)
    # each producer's events of an application reached the audit trail in
    # the order they were written
    rows = p.sql("SELECT event_id, app_id FROM audit.events "
                 "WHERE coalesce(app_id, '') <> '' ORDER BY seq")
    last = {}
    for event_id, app in rows:
        source, seq = event_id.split(":")
        key = (source, app)
        assert int(seq) > last.get(key, 0), (key, seq, last.get(key))
        last[key] = int(seq)
