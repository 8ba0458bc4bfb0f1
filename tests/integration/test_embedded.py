"""`make up` as root from a folder the database's user cannot reach, and an
embedded cluster closed to every other local user (issue 10).

The repository's committed HEAD is cloned into a `mktemp -d` folder (0700,
root's), `make up` runs there with every port moved off the defaults (so a
developer's own `make up` is never touched), a few commands of the README's
walk run against it, then `make down`; the folder and the cluster's data are
removed.  Meanwhile the user `nobody` tries to reach the cluster as every
role, over 127.0.0.1 and through its socket folder.  Run as root only (the
problem is root's: PostgreSQL refuses to run as root)."""
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import ROOT, free_port
from services_def import SERVICE_DEFS
from test_readme import readme_walk

ROLES = ["postgres"] + [f"yjc_{s.schema}" for s in SERVICE_DEFS]
PSQL = ["psql", "-X", "-w", "-At", "-d", "yjcloud", "-c", "SELECT 1"]

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0,
    reason="needs root: the test is `make up` as root in a 0700 folder, and "
           "connecting as the user nobody (runuser)")


def _state(path):
    """What `make up` must not change about a folder above the checkout:
    owner, mode, extended attributes (POSIX ACLs are system.posix_acl_*)."""
    st = os.stat(path)
    return (st.st_uid, st.st_gid, oct(st.st_mode),
            sorted(os.listxattr(path)))


def _ancestors(path):
    out = []
    while True:
        path = os.path.dirname(path)
        out.append(path)
        if path == "/":
            return out


def _procs_under(prefix):
    """Processes whose executable lives under prefix (our clone's build)."""
    pids = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.readlink(f"/proc/{pid}/exe").startswith(prefix):
                    pids.append(int(pid))
            except OSError:
                pass
    return pids


def _as_nobody(*args):
    """A command as the local user nobody, with a clean environment (no
    PGPASSFILE, no PGPASSWORD) and from a folder nobody can read."""
    return subprocess.run(["runuser", "-u", "nobody", "--", "env", "-i",
                           "PATH=/usr/bin:/bin", *args],
                          cwd="/", capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def embedded():
    if subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"],
                      capture_output=True).returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout: nothing to clone")
    top = tempfile.mkdtemp(prefix="yjc-embedded.")    # 0700, root's
    checkout = os.path.join(top, "yjcloud")
    subprocess.run(["git", "clone", "-q", ROOT, checkout], check=True,
                   capture_output=True, timeout=60)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("YJC_", "PG", "MAKE", "MFLAGS"))}
    env.update({"YJC_PG_PORT": str(free_port()),
                "PATH": os.path.join(checkout, "build/bin") + ":" + env["PATH"]})
    for svc in SERVICE_DEFS:
        env[f"YJC_{svc.ident}_ENDPOINT"] = f"tcp://127.0.0.1:{free_port()}"
    env["YJC_VENDOR_ENDPOINT"] = f"tcp://127.0.0.1:{free_port()}"
    env["YJC_WEB_LISTEN"] = f"127.0.0.1:{free_port()}"  # the console's HTTP
    above = {p: _state(p) for p in [top] + _ancestors(top)}
    ctx = {"top": top, "checkout": checkout, "env": env, "above": above,
           "port": env["YJC_PG_PORT"]}
    try:
        started = time.monotonic()
        ctx["up"] = subprocess.run(["make", "-j2", "up"], cwd=checkout, env=env,
                                   capture_output=True, text=True, timeout=240)
        ctx["up_seconds"] = time.monotonic() - started
        link = os.path.join(checkout, "var/pg")
        ctx["pgdir"] = os.readlink(link) if os.path.islink(link) else None
        yield ctx
    finally:
        ctx["down"] = subprocess.run(["make", "down"], cwd=checkout, env=env,
                                     capture_output=True, text=True, timeout=120)
        for pid in _procs_under(checkout + "/"):   # ours, if down missed one
            os.kill(pid, 9)
        pgdir = ctx.get("pgdir")
        if pgdir and os.path.isfile(os.path.join(pgdir, "data/postmaster.pid")):
            subprocess.run(["runuser", "-u", "postgres", "--",
                            "/usr/lib/postgresql/15/bin/pg_ctl", "-D",
                            os.path.join(pgdir, "data"), "-m", "immediate",
                            "stop"], cwd="/", capture_output=True)
        if pgdir and pgdir.startswith("/var/lib/yjcloud/"):
            shutil.rmtree(pgdir, ignore_errors=True)
            try:
                os.rmdir("/var/lib/yjcloud")   # only when no one else's is left
            except OSError:
                pass
        shutil.rmtree(top, ignore_errors=True)


def _up(ctx):
    up = ctx["up"]
    assert up.returncode == 0, f"make up failed:\n{up.stdout[-3000:]}\n{up.stderr[-3000:]}"
    return up


def test_make_up_as_root_in_a_0700_folder_runs_the_readme_walk(embedded):
    ctx = embedded
    assert os.stat(ctx["top"]).st_mode & 0o777 == 0o700   # postgres cannot enter
    up = _up(ctx)
    assert "永嘉县政务云业务管理平台已启动" in up.stdout
    # the moved ports are the ones announced
    assert f"127.0.0.1:{ctx['port']}" in up.stdout
    intake = ctx["env"]["YJC_INTAKE_ENDPOINT"].rsplit(":", 1)[1]
    assert f"intake {intake}" in up.stdout
    # the data: where postgres can reach it, owned by it, 0700; var/pg points there
    pgdir = ctx["pgdir"]
    assert pgdir and re.fullmatch(r"/var/lib/yjcloud/[0-9a-f]{12}", pgdir), pgdir
    st = os.stat(pgdir)
    assert (st.st_uid, st.st_mode & 0o777) == (int(subprocess.check_output(
        ["id", "-u", "postgres"])), 0o700)
    # no folder above the checkout changed owner, mode or ACL
    assert {p: _state(p) for p in ctx["above"]} == ctx["above"]

    # the README's walk, as a user types it (PATH=build/bin, from the checkout)
    walk = readme_walk()
    apply_args = next(a for a in walk if "apply" in a)
    run = dict(cwd=ctx["checkout"], env=ctx["env"], capture_output=True,
               text=True, timeout=60)
    res = subprocess.run(["yjcloud", *apply_args], **run)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "申请已提交，申请编号 A000001" in res.stdout
    deadline = time.time() + 30
    while True:   # review learns of it through the event relay
        res = subprocess.run(["yjcloud", "--as", "bureau", "list"], **run)
        if "A000001" in res.stdout or time.time() > deadline:
            break
        time.sleep(0.5)
    assert res.returncode == 0 and "A000001" in res.stdout, res.stdout + res.stderr
    assert "待受理" in res.stdout
    res = subprocess.run(["yjcloud", "--as", "bureau", "show", "A000001"], **run)
    assert res.returncode == 0 and "县教育局" in res.stdout, res.stdout + res.stderr
    print(f"make up (build included) took {ctx['up_seconds']:.1f} s")


def test_other_local_users_cannot_reach_the_embedded_cluster(embedded):
    ctx = embedded
    _up(ctx)
    port, sock = ctx["port"], os.path.join(ctx["pgdir"], "sock")
    pgpass = os.path.join(ctx["checkout"], "var/pgpass")
    # the control: the services' passwords work (0600, root's), the owner
    # reaches the superuser through the socket: a refusal below is the
    # cluster's rule, not a cluster that is down
    st = os.stat(pgpass)
    assert (st.st_uid, st.st_mode & 0o777) == (0, 0o600)
    for role in ROLES[1:]:
        ok = subprocess.run([*PSQL, "-h", "127.0.0.1", "-p", port, "-U", role],
                            env=dict(os.environ, PGPASSFILE=pgpass),
                            capture_output=True, text=True)
        assert ok.stdout.strip() == "1", ok.stderr
    ok = subprocess.run(["runuser", "-u", "postgres", "--", *PSQL, "-h", sock,
                         "-p", port, "-U", "postgres"],
                        cwd="/", capture_output=True, text=True)
    assert ok.stdout.strip() == "1", ok.stderr
    # no trust anywhere
    with open(os.path.join(ctx["pgdir"], "data/pg_hba.conf")) as f:
        rules = [l.split() for l in f if l.strip() and not l.startswith("#")]
    assert rules and all("trust" not in r for r in rules), rules

    # nobody: not over TCP (no password, or the superuser refused outright),
    # not through the socket folder (0700), not by reading the passwords
    assert _as_nobody("cat", pgpass).returncode != 0
    for role in ROLES:
        tcp = _as_nobody(*PSQL, "-h", "127.0.0.1", "-p", port, "-U", role)
        assert tcp.returncode != 0 and tcp.stdout.strip() != "1", (role, tcp.stdout)
        assert re.search(r"no password supplied|pg_hba\.conf rejects", tcp.stderr), \
            (role, tcp.stderr)
        local = _as_nobody(*PSQL, "-h", sock, "-p", port, "-U", role)
        assert local.returncode != 0 and local.stdout.strip() != "1", (role, local.stdout)
        assert "Permission denied" in local.stderr, (role, local.stderr)
    # a guessed password does not help either
    guess = _as_nobody("PGPASSWORD=postgres", *PSQL, "-h", "127.0.0.1", "-p",
                       port, "-U", "yjc_audit")
    assert "password authentication failed" in guess.stderr, guess.stderr


def test_make_down_stops_everything(embedded):
    ctx = embedded
    _up(ctx)
    down = subprocess.run(["make", "down"], cwd=ctx["checkout"], env=ctx["env"],
                          capture_output=True, text=True, timeout=120)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "已停止" in down.stdout
    assert _procs_under(ctx["checkout"] + "/") == []
    assert not os.path.exists(os.path.join(ctx["pgdir"], "data/postmaster.pid"))
