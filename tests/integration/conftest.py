"""The platform under test: real service processes (the sanitizer build),
real ZeroMQ with CurveZMQ, and a fresh database in the throwaway
PostgreSQL cluster that tests/run.sh started (YJC_TEST_PGPORT)."""
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests/tools"))

import yjc  # noqa: E402
from free_port import free_port  # noqa: E402,F401 (tests import it from here)
from services_def import SERVICE_DEFS  # noqa: E402

BIN = os.environ.get("YJC_TEST_BIN", os.path.join(ROOT, "build/asan/bin"))
PGPORT = os.environ.get("YJC_TEST_PGPORT")
TMP = os.environ.get("YJC_TEST_TMP", "/tmp")

# service name (= its schema) -> binary directory name, from
# proto/yjc_services.def
SERVICES = {svc.name: svc.dir for svc in SERVICE_DEFS}
DEMO = [("bureau", "bureau", None), ("vendor", "vendor", None),
        ("auditor", "auditor", None), ("admin", "admin", None),
        ("edu", "unit", "县教育局"), ("health", "unit", "县卫生健康局")]
# every material a form can require (proto/yjc_materials.def)
MATERIALS = ("construction_plan", "deployment_plan", "equipment_statement",
             "backup_plan", "exchange_departments", "security_plan",
             "secure_access_plan")
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:")


def sh(cmd, **kw):
    return subprocess.run(["sh", "-c", cmd], check=True, cwd=ROOT,
                          capture_output=True, text=True, **kw)


class Platform:
    """One isolated platform: its own database, keys, ports, processes."""

    def __init__(self, name):
        if not PGPORT:
            pytest.fail("YJC_TEST_PGPORT not set: run the tests with make test")
        self.name = name
        self._materials = {}
        self.db = f"t_{name}_{uuid.uuid4().hex[:6]}"
        self.dir = os.path.join(TMP, self.db)
        os.makedirs(self.dir)
        self.keys = os.path.join(self.dir, "keys")
        self.now_file = os.path.join(self.dir, "now")
        self.procs = {}
        self.logs = {}
        self.env = dict(os.environ)
        self.env.update({"YJC_KEYS": self.keys, "YJC_RELAY_POLL_MS": "100",
                         "YJC_RELAY_TIMEOUT_MS": "3000"})
        self.env.pop("YJC_NOW_FILE", None)
        for svc in list(SERVICES) + ["vendor"]:
            self.env[f"YJC_{svc.upper()}_ENDPOINT"] = f"tcp://127.0.0.1:{free_port()}"
        self.env["YJC_TICK_MS"] = "200"
        # the web console (a service too): its pages on a port of its own
        self.env["YJC_WEB_LISTEN"] = f"127.0.0.1:{free_port()}"
        self.env["YJC_WEB_TEMPLATES"] = os.path.join(ROOT, "services/web/templates")
        # a reverse proxy at 127.0.0.2 (test_web: X-Forwarded-For)
        self.env["YJC_WEB_TRUSTED_PROXY"] = "127.0.0.2"
        sh(f'. deploy/pg.sh && yjc_bootstrap {PGPORT} {self.db}')
        self.cli("keys", "init")
        for actor, role, unit in DEMO:
            args = ["actor", "add", actor, "--role", role]
            if unit:
                args += ["--unit", unit]
            self.cli(*args)

    # -- the clock ----------------------------------------------------------
    def set_now(self, iso):
        """Moves every service's clock (YJC_NOW_FILE) to `iso`."""
        with open(self.now_file, "w") as f:
            f.write(iso + "\n")
        self.env["YJC_NOW_FILE"] = self.now_file

    # -- processes ----------------------------------------------------------
    def conninfo(self, svc):
        return (f"host=127.0.0.1 port={PGPORT} dbname={self.db} "
                f"user=yjc_{svc} application_name=yjc-{svc}")

    def start(self, svc, wait=True):
        env = dict(self.env, YJC_DB=self.conninfo(svc))
        log = open(os.path.join(self.dir, f"{svc}.log"), "ab")
        self.logs[svc] = log.name
        self.procs[svc] = subprocess.Popen(
            [os.path.join(BIN, f"yjc-{SERVICES[svc]}")], env=env,
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        if wait:
            self.wait_ready(svc)

    def start_all(self):
        for svc in SERVICES:
            self.start(svc, wait=False)
        for svc in SERVICES:
            self.wait_ready(svc)

    def wait_ready(self, svc, timeout=60):
        deadline = time.time() + timeout
        client = self.client("admin", svc)
        try:
            while time.time() < deadline:
                if self.procs[svc].poll() is not None:
                    raise AssertionError(f"{svc} exited: {self.log_text(svc)[-2000:]}")
                try:
                    if client.call("sys.status", timeout_ms=500)["ok"]:
                        return
                except TimeoutError:
                    pass
            raise AssertionError(f"{svc} not ready: {self.log_text(svc)[-2000:]}")
        finally:
            client.close()

    def kill(self, svc, sig=signal.SIGKILL):
        proc = self.procs[svc]
        proc.send_signal(sig)
        proc.wait(timeout=30)

    def start_vendor(self, *args):
        log = open(os.path.join(self.dir, "vendor-sim.log"), "ab")
        self.logs["vendor-sim"] = log.name
        self.procs["vendor-sim"] = subprocess.Popen(
            [os.path.join(BIN, "yjc-vendor-sim"), "--as", "vendor",
             "--interval", "100", *args],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)

    def stop_all(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for svc, proc in self.procs.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def log_text(self, svc):
        with open(self.logs[svc], encoding="utf-8", errors="replace") as f:
            return f.read()

    def sanitizer_findings(self):
        found = []
        for svc in self.logs:
            text = self.log_text(svc)
            if any(mark in text for mark in SANITIZER_MARKS):
                found.append(f"{svc}:\n{text[-4000:]}")
        return found

    # -- clients ------------------------------------------------------------
    def client(self, actor, svc):
        """svc "vendor": the adapter's own endpoint for the vendor (R7)."""
        server = "provisioning" if svc == "vendor" else svc
        return yjc.Client(self.keys, actor, self.env[f"YJC_{svc.upper()}_ENDPOINT"], server)

    def call(self, actor, svc, type_, body=None, **kw):
        c = self.client(actor, svc)
        try:
            return c.call(type_, body, **kw)
        finally:
            c.close()

    def upload(self, actor, data, **kw):
        c = self.client(actor, "intake")
        try:
            return c.upload(data, **kw)
        finally:
            c.close()

    def materials(self, actor, kinds=MATERIALS):
        """Uploads a small file for each kind (once per actor and kind);
        returns application.submit's `attachments`."""
        out = []
        for kind in kinds:
            key = (actor, kind)
            if key not in self._materials:
                data = f"{kind} of {actor}: 内容 {uuid.uuid4().hex}".encode()
                reply = self.upload(actor, data, name=f"{kind}.pdf")
                assert reply["ok"] and reply["body"]["complete"], reply
                self._materials[key] = reply["body"]["att_id"]
            out.append({"kind": kind, "att_id": self._materials[key]})
        return out

    def submit(self, actor, form, attachments=None, **kw):
        """application.submit with the form and (by default) a file for
        every kind of material, so that any form is complete (R8)."""
        if attachments is None:
            attachments = self.materials(actor)
        return self.call(actor, "intake", "application.submit",
                         {"form": form, "attachments": attachments}, **kw)

    def cli(self, *args, actor=None, check=True, json_out=False):
        cmd = [os.path.join(BIN, "yjcloud")]
        if actor:
            cmd += ["--as", actor]
        if json_out:
            cmd += ["--json"]
        res = subprocess.run(cmd + list(args), env=self.env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        if check and res.returncode != 0:
            raise AssertionError(f"yjcloud {' '.join(args)} failed "
                                 f"({res.returncode}): {res.stdout}{res.stderr}")
        if json_out and res.returncode == 0:
            return json.loads(res.stdout)
        return res

    # -- the database, read as the test (not as any service) ----------------
    def sql(self, query):
        res = subprocess.run(
            ["psql", "-X", "-At", "-F", "\t", "-h", "127.0.0.1", "-p", PGPORT,
             "-U", "postgres", "-d", self.db, "-v", "ON_ERROR_STOP=1", "-c", query],
            capture_output=True, text=True, check=True)
        return [line.split("\t") for line in res.stdout.splitlines() if line]

    def scalar(self, query):
        return self.sql(query)[0][0]

    def wait_until(self, predicate, timeout=60, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")


def hold_table(p, table):
    """A psql session that holds `table` in SHARE mode until told to
    commit (write "COMMIT;" to its stdin, then close it): writers wait,
    readers do not."""
    psql = subprocess.Popen(
        ["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", PGPORT, "-U", "postgres",
         "-d", p.db, "-v", "ON_ERROR_STOP=1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    psql.stdin.write(f"BEGIN;\nLOCK TABLE {table} IN SHARE MODE;\nSELECT 'held';\n")
    psql.stdin.flush()
    assert psql.stdout.readline().strip() == "held"
    return psql


def running(p):
    """A module's platform fixture: `yield from running(p)` starts it,
    hands it to the tests, stops it, and fails on any sanitizer report."""
    p.start_all()
    yield p
    p.stop_all()
    findings = p.sanitizer_findings()
    assert not findings, "sanitizer reports:\n" + "\n".join(findings)


@pytest.fixture(scope="module")
def platform(request):
    p = Platform(request.module.__name__.split(".")[-1].replace("test_", "")[:12])
    yield from running(p)


# `yjcloud apply tests/data/form-full.json` with the materials it requires
# (the sample files of tests/data/materials), as the README shows.
FULL_FORM_ATTACH = [arg for kind in ("construction_plan", "deployment_plan",
                                     "equipment_statement", "backup_plan",
                                     "security_plan")
                    for arg in ("--attach", f"{kind}=tests/data/materials/"
                                f"{kind.replace('_', '-')}.pdf")]


def full_form(unit="县教育局"):
    with open(os.path.join(ROOT, "tests/data/form-full.json"), encoding="utf-8") as f:
        form = json.load(f)
    form["unit"]["name"] = unit
    return form


def minimal_form(unit="县卫生健康局"):
    with open(os.path.join(ROOT, "tests/data/form-minimal.json"), encoding="utf-8") as f:
        form = json.load(f)
    form["unit"]["name"] = unit
    return form
