"""proto/yjc_services.def is the one list of services (issue 9): every place
that needs the list derives it from the .def, and this fails when one of
them names a service the .def does not, or misses one."""
import os
import re
import subprocess

import pytest

import conftest
import yjc
from conftest import PGPORT, ROOT, sh
from services_def import SERVICE_DEFS, read

NAMES = [s.name for s in SERVICE_DEFS]
DIRS = [s.dir for s in SERVICE_DEFS]
SCHEMAS = [s.schema for s in SERVICE_DEFS]
IDENTS = [s.ident for s in SERVICE_DEFS]
# not services: the database, the key set-up, the vendor's client, the CLI
COMPOSE_OTHERS = {"postgres-init", "postgres", "keys", "vendor-sim", "cli", "review-2"}


def text(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def test_the_def_is_well_formed(tmp_path):
    assert len(SERVICE_DEFS) >= 5
    for column in (IDENTS, NAMES, DIRS, SCHEMAS, [s.port for s in SERVICE_DEFS]):
        assert len(set(column)) == len(column), column
    for s in SERVICE_DEFS:
        assert os.path.isdir(os.path.join(ROOT, "services", s.dir, "sql")), s
        assert s.zh and re.fullmatch(r"[a-z]+", s.schema), s
    # a malformed SVC line is an error, not a service quietly skipped
    bad = tmp_path / "bad.def"
    bad.write_text('SVC(X, "x", "x", "x", port, "x")\n', encoding="utf-8")
    with pytest.raises(ValueError):
        read(str(bad))


def test_make_reads_the_def():
    out = subprocess.run(["make", "-s", "--no-print-directory", "services"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert [tuple(line.split()) for line in out.stdout.splitlines()] == \
        [(s.dir, s.schema) for s in SERVICE_DEFS]


def test_the_scripts_read_the_def():
    out = sh(". deploy/services.sh && yjc_services && echo \"$YJC_SCHEMAS\" && "
             "for s in $YJC_SERVICE_SPECS; do yjc_spec $s; "
             "echo $svc_ident $svc_name $svc_dir $svc_schema $svc_port; done")
    lines = out.stdout.splitlines()
    n = len(SERVICE_DEFS)
    assert [line.split() for line in lines[:n]] == \
        [[s.name, s.dir, s.schema, str(s.port), s.ident] for s in SERVICE_DEFS]
    assert lines[n].split() == SCHEMAS
    assert [line.split() for line in lines[n + 1:]] == \
        [[s.ident, s.name, s.dir, s.schema, str(s.port)] for s in SERVICE_DEFS]


# The places that used to list the services themselves.  A line naming
# three or more services is a hand-written list: they must read the .def.
DERIVED = ["Makefile", "deploy/services.sh", "deploy/pg.sh",
           "deploy/embedded.sh", "deploy/demo-actors.sh", "deploy/Dockerfile",
           "deploy/compose.sh", "deploy/docker/compose.yml.in",
           "deploy/docker/initdb/10-yjcloud.sh", "tests/run.sh",
           "tests/bench/run.sh", "tests/integration/conftest.py",
           "common/yjc_proto.h", "common/yjc_proto.c", "common/yjc_config.h",
           "common/yjc_config.c"]


@pytest.mark.parametrize("path", DERIVED)
def test_no_hand_written_list_of_services(path):
    words = set(NAMES) | set(DIRS) | set(SCHEMAS)
    words |= {w.upper() for w in words}
    for lineno, line in enumerate(text(path).splitlines(), 1):
        named = {w.lower() for w in re.findall(r"[A-Za-z][\w-]*", line)
                 if w in words}
        assert len(named) < 3, f"{path}:{lineno} lists services: {line}"


def compose_services(doc):
    """The top-level keys of `services:` in a compose file."""
    body = ("\n" + doc).split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    return re.findall(r"^  ([\w-]+):\s*$", body, re.M)


def test_docker_compose_is_generated_from_the_def():
    out = sh("sh deploy/compose.sh")
    assert out.stdout == text("docker-compose.yml"), \
        "docker-compose.yml is stale: run `make compose` and commit it"
    doc = out.stdout
    services = compose_services(doc)
    assert set(services) - COMPOSE_OTHERS == set(DIRS)
    for s in SERVICE_DEFS:
        assert f'command: ["yjc-{s.dir}"]' in doc
        assert f"YJC_BIND: tcp://0.0.0.0:{s.port}\n" in doc
        assert f"YJC_{s.ident}_ENDPOINT: tcp://{s.dir}:{s.port}\n" in doc
        assert f"user=yjc_{s.schema} " in doc
    endpoints = re.findall(r"^  (YJC_\w+)_ENDPOINT:", doc, re.M)
    assert sorted(endpoints) == sorted([f"YJC_{i}" for i in IDENTS] + ["YJC_VENDOR"])
    assert re.search(r"^      YJC_SCHEMAS: (.*)$", doc, re.M).group(1).split() == SCHEMAS
    passwords = set(re.findall(r"^      (YJC_\w+_DB_PASSWORD):", doc, re.M))
    assert passwords == {f"YJC_{s.upper()}_DB_PASSWORD" for s in SCHEMAS}


def test_compose_has_no_known_passwords():
    """A missing password stops docker-compose and names what to set; no
    ${..._PASSWORD:-default} falls back to a password anyone knows."""
    doc = text("docker-compose.yml")
    refs = re.findall(r"\$\{(\w*PASSWORD\w*)(:?[-?])?([^}]*)\}", doc)
    assert {r[0] for r in refs} == \
        {"POSTGRES_PASSWORD"} | {f"YJC_{s.upper()}_DB_PASSWORD" for s in SCHEMAS}
    for var, op, message in refs:
        assert op == ":?" and var in message, (var, op, message)
    assert "change-me" not in doc


def test_the_compose_generator_refuses_unknown_services(tmp_path):
    template = tmp_path / "compose.yml.in"
    template.write_text("services:\n#@service\n#@only no-such-service   x: 1\n"
                        "  @DIR@:\n#@end\n", encoding="utf-8")
    res = subprocess.run(["sh", "deploy/compose.sh", str(template)], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode != 0 and "no-such-service" in res.stderr
    template.write_text("services:\n#@service\n  @DIR@:\n#@end\n", encoding="utf-8")
    out = sh(f"sh deploy/compose.sh {template}").stdout
    assert compose_services(out) == DIRS


def test_the_env_example_documents_every_password():
    doc = text("deploy/docker/yjcloud.env.example")
    settings = dict(re.findall(r"^(\w+)=(.*)$", doc, re.M))
    passwords = {k for k in settings if k.endswith("_DB_PASSWORD")}
    assert passwords == {f"YJC_{s.upper()}_DB_PASSWORD" for s in SCHEMAS}
    # empty: used as it is, compose refuses to start rather than use it
    for key in passwords | {"POSTGRES_PASSWORD"}:
        assert settings[key] == "", key


def test_the_python_lists_are_the_defs():
    assert conftest.SERVICES == {s.name: s.dir for s in SERVICE_DEFS}
    assert yjc.SERVICES == NAMES


def test_proto_names_only_services_of_the_def():
    idents = set(IDENTS)
    msgs = re.findall(r'^MSG\(\w+,\s*"[^"]+",\s*(\w+),', text("proto/yjc_messages.def"), re.M)
    assert msgs and set(msgs) <= idents | {"ANY"}
    events = re.findall(r'^EVENT\(\w+,\s*"[^"]+",\s*(\w+),\s*([^,]+),',
                        text("proto/yjc_events.def"), re.M)
    assert events
    for producer, receivers in events:
        assert producer in idents
        if receivers.strip() != "0":  # the audit only (it receives every event)
            assert {r.strip()[2:] for r in receivers.split("|")} <= idents, receivers
    # the wire reference's table of endpoints
    rows = re.findall(r"^\| [^|]+ \| `(\w+)` \| `tcp://127\.0\.0\.1:(\d+)` \| "
                      r"`YJC_(\w+)_ENDPOINT` \|$", text("proto/README.md"), re.M)
    assert [r for r in rows if r[2] != "VENDOR"] == \
        [(s.name, str(s.port), s.ident) for s in SERVICE_DEFS]
    # the CLI keeps no table of its own: the names come from the .def
    for path in ("services/cli/cli.c", "services/cli/yjcloud.c"):
        assert not re.findall(r'\[YJC_SVC_(\w+)\] = "', text(path)), path


def test_the_initdb_script_creates_the_defs_schemas(tmp_path):
    """deploy/docker/initdb/10-yjcloud.sh, as the postgres image runs it
    (sourced), against the test cluster: one role and schema per schema of
    the .def, and a refusal when a password is missing."""
    if not PGPORT:
        pytest.fail("YJC_TEST_PGPORT not set: run the tests with make test")
    db = "t_initdb"
    sh(f". deploy/pg.sh && pg_psql {PGPORT} postgres -c 'DROP DATABASE IF EXISTS {db}' "
       f"&& pg_psql {PGPORT} postgres -c 'CREATE DATABASE {db}'")
    env = dict(os.environ, PGHOST="127.0.0.1", PGPORT=PGPORT,
               POSTGRES_USER="postgres", POSTGRES_DB=db)
    compose = text("docker-compose.yml")
    env["YJC_SCHEMAS"] = re.search(r"^      YJC_SCHEMAS: (.*)$", compose, re.M).group(1)
    # the passwords arrive as files (postgres-init, deploy/docker/pg-secrets.sh)
    secrets = tmp_path / "secrets"
    env["YJC_DB_SECRETS"] = str(secrets)

    def write_secrets(skip=None):
        secrets.mkdir(exist_ok=True)
        (secrets / "POSTGRES_PASSWORD").write_text("pw-super")
        for s in SCHEMAS:
            if s != skip:
                (secrets / f"YJC_{s.upper()}_DB_PASSWORD").write_text(f"pw-{s}")
    write_secrets()
    script = ". deploy/docker/initdb/10-yjcloud.sh"
    res = subprocess.run(["sh", "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    got = sh(f". deploy/pg.sh && pg_psql {PGPORT} {db} -At -c \"SELECT n.nspname, "
             "r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner "
             "WHERE r.rolname LIKE 'yjc\\_%' ORDER BY 1\"").stdout.split()
    assert got == sorted(f"{s}|yjc_{s}" for s in SCHEMAS)
    # used once: no password left on disk
    assert [f.read_text() for f in secrets.iterdir()] == [""]

    write_secrets(skip=SCHEMAS[-1])
    res = subprocess.run(["sh", "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert res.returncode != 0
    assert f"YJC_{SCHEMAS[-1].upper()}_DB_PASSWORD is empty" in res.stderr
    res = subprocess.run(["sh", "-c", script], cwd=ROOT,
                         env=dict(env, YJC_SCHEMAS=""), capture_output=True, text=True)
    assert res.returncode != 0 and "YJC_SCHEMAS" in res.stderr


def test_the_cli_reaches_every_service_of_the_def(platform):
    status = platform.cli("status", actor="admin", json_out=True)
    got = [(s["service"], s["up"], s["endpoint"]) for s in status["services"]]
    assert got == [(s.name, True, platform.env[f"YJC_{s.ident}_ENDPOINT"])
                   for s in SERVICE_DEFS]
