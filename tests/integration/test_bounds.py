"""Bounded memory and no stalls (issue 10): a service answers status and
refusals while its database hangs, a dead database connection gives
`unavailable` or a transparent retry (never `internal`), error replies
are valid UTF-8 whatever is cut, and what a service holds for incoming
work is bounded in bytes under a flood of big requests and of
connections.

The platform is this module's own (conftest.Platform), with ASan's
quarantine capped: freed blocks that ASan keeps poisoned would otherwise
count as growth (by default up to 256 MiB)."""
import hashlib
import os
import signal
import threading
import time
import uuid

import msgpack
import pytest
import zmq

import yjc
from conftest import BIN, Platform, full_form, running

SVC = "intake"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def platform():
    p = Platform("bounds")
    asan = p.env.get("ASAN_OPTIONS", "")
    p.env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + \
        "quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
    p.env["YJC_MAX_CONNECTIONS"] = "300"
    yield from running(p)


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def backends(platform, svc=SVC):
    """PIDs of the PostgreSQL backends serving `svc` of this platform."""
    rows = platform.sql(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        f" AND application_name = 'yjc-{svc}'")
    return [int(r[0]) for r in rows]


class Hung:
    """SIGSTOPs the backends of one service (only those: the cluster is
    shared by every module of the run), SIGCONTs them on leaving."""

    def __init__(self, platform, svc=SVC):
        self.pids = backends(platform, svc)
        assert self.pids, "no backend found for " + svc

    def __enter__(self):
        for pid in self.pids:
            os.kill(pid, signal.SIGSTOP)
        return self

    def __exit__(self, *exc):
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


def timed_raw(platform, frame, actor="edu", svc=SVC, timeout_ms=5000):
    c = platform.client(actor, svc)
    try:
        t0 = time.monotonic()
        c.send_raw(frame)
        raw = c.recv_raw(timeout_ms)
        return msgpack.unpackb(raw, raw=False), time.monotonic() - t0
    finally:
        c.close()


def envelope(type_="sys.status", body=None, id_=None):
    return msgpack.packb({"v": 1, "id": id_ or uuid.uuid4().hex, "type": type_,
                          "body": body if body is not None else {}})


# -- error replies are valid UTF-8 ------------------------------------------

def test_error_reply_cut_on_characters(platform):
    # a key of 100 bytes of Chinese (cut at 64), under a path already long
    key = "中" * 33 + "x"
    for body in ({key: 1},
                 {"form": {"unit": {key: 1, "名" * 60: 2}}, "attachments": []}):
        type_ = "sys.status" if key in body else "application.submit"
        # raw=False: invalid UTF-8 anywhere makes the decode fail
        reply, _ = timed_raw(platform, envelope(type_, body))
        assert reply["ok"] is False, reply
        fields = [reply["error"]["field"]] + \
            [d["field"] for d in reply["error"].get("details", [])]
        cut = [f for f in fields if f and "中" in f]
        assert cut, reply
        assert all(len(f.encode()) <= 127 for f in fields if f), fields
        for text in (reply["error"]["message"], reply["error"]["detail"]):
            text.encode("utf-8")
    # the CLI reads it, too: no "service down"
    assert platform.call("admin", SVC, "sys.status")["ok"]


def test_empty_key_is_a_problem_not_a_crash(platform):
    reply, _ = timed_raw(platform, envelope("sys.status", {"": 1}))
    assert reply["ok"] is False and reply["error"]["code"] == "unknown_field", reply
    assert platform.procs[SVC].poll() is None


# -- nothing waits on a hung database ---------------------------------------

def test_status_and_refusals_answered_while_database_hangs(platform):
    clients = [platform.client("edu", SVC) for _ in range(12)]
    try:
        with Hung(platform):
            # work for every worker (YJC_WORKERS 4: the first batch goes
            # at once, the next ones wait for YJC_BATCH_MIN 4 requests),
            # each waiting on its backend, then more
            waves = [1, 4, 4, 4, 107]
            for wave in waves:
                for i in range(wave):
                    clients[i % len(clients)].send_raw(
                        envelope("application.list", {}))
                time.sleep(0.3)
            time.sleep(1.2)
            reply, took = timed_raw(platform, envelope("sys.status"))
            assert reply["ok"], reply
            assert took < 1.0, f"sys.status took {took:.2f} s"
            reply, took = timed_raw(platform, b"\xc1 not msgpack")
            assert reply["error"]["code"] == "malformed", reply
            assert took < 1.0, f"a malformed request took {took:.2f} s"
            # work that needs the database is refused at once, not queued
            reply, took = timed_raw(platform, envelope("application.list", {}))
            assert not reply["ok"] and reply["error"]["code"] == "unavailable", reply
            assert took < 1.0
            # the status says the database is not answering
            time.sleep(3.5)
            reply, _ = timed_raw(platform, envelope("sys.status"))
            assert reply["body"]["db"] is False, reply
        # resumed: the waiting work is answered, none of it `internal`
        codes = []
        for i, c in enumerate(clients):
            for _ in range(sum(1 for w in waves for j in range(w)
                               if j % len(clients) == i)):
                reply = msgpack.unpackb(c.recv_raw(30000), raw=False)
                codes.append("ok" if reply["ok"] else reply["error"]["code"])
        assert set(codes) <= {"ok", "unavailable"}, codes
        assert "ok" in codes
    finally:
        for c in clients:
            c.close()
    platform.wait_until(lambda: platform.call("admin", SVC, "sys.status")["body"]["db"],
                        timeout=15, what="status db true again")
    assert platform.call("edu", SVC, "application.list", {})["ok"]


# -- a dead connection is `unavailable` or retried, never `internal` --------

def test_terminated_connections_are_retried_transparently(platform):
    for _ in range(2):
        killed = platform.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database()"
            f" AND application_name = 'yjc-{SVC}'")
        assert killed, "no connection to terminate"
        results = []

        def work():
            results.append(platform.call("edu", SVC, "application.list", {}))

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results += [platform.call("edu", SVC, "application.list", {}) for _ in range(4)]
        codes = [r["error"]["code"] for r in results if not r["ok"]]
        assert "internal" not in codes, codes
        assert not codes, codes  # retried on a new connection
    # and a write goes through, events included
    reply = platform.submit("edu", full_form())
    assert reply["ok"], reply


# -- memory held for incoming work is bounded in bytes ----------------------

def flood(platform, chunks, svc=SVC):
    """One unit client sends `chunks` attachment.put of 256 KiB without
    waiting for replies (reading what comes back); returns how many went
    out before ZeroMQ pushed back for 5 s."""
    c = platform.client("edu", svc)
    c.sock.setsockopt(zmq.SNDTIMEO, 5000)
    data = os.urandom(yjc.CHUNK)
    size = 20 * MIB
    sha = hashlib.sha256(b"flood").hexdigest()
    sent = 0
    try:
        for i in range(chunks):
            frame = msgpack.packb({"v": 1, "id": f"f{i}", "type": "attachment.put",
                                   "body": {"sha256": sha, "size": size,
                                            "name": "flood.pdf",
                                            "media_type": "application/pdf",
                                            "offset": (i % 80) * yjc.CHUNK,
                                            "data": data}})
            try:
                c.sock.send(frame)
            except zmq.Again:
                break
            sent += 1
            while c.sock.poll(0):
                c.sock.recv()
    finally:
        c.close()
    return sent


def peak_kb(platform, svc=SVC):
    return status_kb(platform.procs[svc].pid, "VmHWM")


def test_flood_of_big_requests_is_bounded(platform):
    """Bound asserted: the growth of the service's peak RSS (VmHWM) under
    the flood stays under 48 MiB: YJC_HELD_BYTES (16 MiB, of which one
    connection may hold YJC_PEER_BYTES, 4 MiB) plus ZeroMQ's queue of
    YJC_PEER_QUEUE messages (2 MiB here) plus the copies and buffers each
    needs, with room for ASan's shadow memory and capped quarantine.  On
    the plain build (not ASan) the whole process stays under 64 MiB."""
    pid = platform.procs[SVC].pid
    assert platform.call("admin", SVC, "sys.status")["ok"]
    before = peak_kb(platform)
    with Hung(platform):
        sent = flood(platform, 3000)
        during = status_kb(pid, "VmRSS")
    # and with the database answering (chunks refused or stored)
    sent2 = flood(platform, 600)
    growth = (peak_kb(platform) - before) / 1024
    print(f"\nflood: sent {sent} then {sent2} chunks; VmHWM {before // 1024} MiB"
          f" -> {peak_kb(platform) // 1024} MiB (+{growth:.1f} MiB),"
          f" VmRSS while hung {during // 1024} MiB")
    assert sent > 0
    assert growth < 48, f"peak RSS grew {growth:.1f} MiB"
    if "asan" not in BIN:
        assert peak_kb(platform) < 64 * 1024
    assert platform.call("admin", SVC, "sys.status")["ok"]


def connect_round(platform, n, svc=SVC, deadline_s=60, connected=None):
    """n connections at once that each ask for the status until answered
    (resending every 2 s, as clients retry), then close; returns how many
    were answered.  `connected` (if given) is called once all n sockets
    are made, before any request: to wait for the service to see them."""
    ctx = zmq.Context()
    ctx.set(zmq.MAX_SOCKETS, n + 64)
    endpoint = platform.env[f"YJC_{svc.upper()}_ENDPOINT"]
    try:
        waiting = {}
        for i in range(n):
            c = yjc.Client(platform.keys, "edu", endpoint, svc, ctx)
            waiting[c.sock] = c
        if connected:
            connected()
        frame = envelope("sys.status", id_="round")
        for c in waiting.values():
            c.send_raw(frame)
        answered, resend = 0, time.monotonic() + 2
        end = time.monotonic() + deadline_s
        while waiting and time.monotonic() < end:
            poller = zmq.Poller()
            for sock in waiting:
                poller.register(sock, zmq.POLLIN)
            for sock, _ in poller.poll(200):
                c = waiting.pop(sock)
                answered += msgpack.unpackb(c.sock.recv(), raw=False)["ok"]
                c.close()
            if time.monotonic() > resend:
                for c in waiting.values():
                    c.send_raw(frame)
                resend = time.monotonic() + 2
        for c in waiting.values():
            c.close()
        return answered
    finally:
        ctx.term()


def test_rounds_of_connections_do_not_grow(platform):
    """Not a leak: what a round of connections used is given back after
    it (malloc_trim once the service is idle), so rounds do not add up:
    the last round ends less than 8 MiB above the first two (the higher of
    them: one reading can catch the sanitizer's allocator just trimmed -
    CI once read 70, 64, 76, 77, 75 MiB, no growth after the third, which
    a leak of a round's connections, ~10 MiB a round, would show)."""
    rounds, n = 5, 250
    rss = []
    for _ in range(rounds):
        assert connect_round(platform, n) == n
        time.sleep(1.5)
        rss.append(status_kb(platform.procs[SVC].pid, "VmRSS"))
    print("\nconnection rounds, VmRSS MiB:", [r // 1024 for r in rss])
    assert (rss[-1] - max(rss[:2])) / 1024 < 8, rss


def test_connections_over_the_cap_wait_their_turn(platform):
    """YJC_MAX_CONNECTIONS (300 here): 600 clients at once are all
    answered in turn, the service never holds more than 300 connections;
    its peak RSS grows less than 600 connections would cost (~40 KiB
    each on the plain build)."""
    pid = platform.procs[SVC].pid
    idle_fds = len(os.listdir(f"/proc/{pid}/fd"))
    most, done = [0], threading.Event()

    def sample():  # the service's open fds: one per connection, and its own
        while not done.is_set():
            try:
                most[0] = max(most[0], len(os.listdir(f"/proc/{pid}/fd")))
            except OSError:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    before = peak_kb(platform)
    try:
        # all 600 at once, really: the first request only once the service
        # has refused some (the handshakes take their time on a busy machine)
        def over_the_cap():
            platform.wait_until(lambda: "new ones refused" in platform.log_text(SVC),
                                timeout=60, what="connections over the cap refused")
        assert connect_round(platform, 600, deadline_s=120, connected=over_the_cap) == 600
    finally:
        done.set()
        sampler.join()
    growth = (peak_kb(platform) - before) / 1024
    print(f"\n600 clients over a cap of 300: at most {most[0] - idle_fds}"
          f" connections open, VmHWM +{growth:.1f} MiB")
    # a refused connection is open for a moment before it is shut down
    # (and clients over the cap reconnect every 100 ms): some over 300
    assert most[0] - idle_fds <= 300 + 150, most[0] - idle_fds
    assert most[0] - idle_fds >= 100  # many at once, really
    assert "new ones refused" in platform.log_text(SVC)
    assert platform.call("admin", SVC, "sys.status")["ok"]
