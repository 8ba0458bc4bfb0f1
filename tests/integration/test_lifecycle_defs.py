"""The lifecycle is told once (proto/yjc_lifecycle.def): every state,
request kind, order kind, deadline and its rule text is spelled there and
nowhere else in the code, and every schema refuses a state the list does
not name (R7: the stages of the lifecycle)."""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEF = os.path.join(ROOT, "proto", "yjc_lifecycle.def")


def listed(macro, field=1):
    """The quoted fields of every MACRO(...) row of the .def."""
    text = open(DEF, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for row in re.findall(r"^%s\((.*?)\)\s*$" % macro, text, flags=re.M | re.S):
        strings = re.findall(r'"([^"]*)"', row)
        if len(strings) >= field:
            out.append(strings[field - 1])
    return out


def sources():
    """Every C and SQL file of the services and common (not proto/, not
    common/yjc_lifecycle.c, which expands it, not tests)."""
    for top in ("services", "common"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if f.endswith((".c", ".h", ".sql", ".sh")) and \
                        f != "yjc_lifecycle.c":
                    yield os.path.join(d, f)


def test_the_def_lists_what_the_lifecycle_needs():
    states = listed("STATE")
    assert {"submitted", "accepted", "approved", "testing", "production",
            "terminating", "terminated", "purged"} <= set(states)
    assert len(states) == len(set(states))
    rules = listed("DEADLINE", 2)
    assert any(r.startswith("R13.2") for r in rules)
    assert set(listed("REQUEST")) == {"extend_test", "go_live", "change",
                                      "terminate", "renew"}
    assert any(r.startswith("R14.4") for r in rules)


@pytest.mark.parametrize("what", ["STATE", "REQUEST", "ORDER", "DEADLINE",
                                  "DEADLINE:rule"])
def test_each_name_and_rule_is_spelled_only_in_proto(what):
    macro, _, part = what.partition(":")
    names = listed(macro, 2 if part == "rule" else 1)
    assert names
    found = []
    for path in sources():
        text = open(path, encoding="utf-8").read()
        # the CLI's command words (yjcloud change …) and option names are
        # the clerk's verbs, not the lifecycle's codes
        text = re.sub(r'\{\s*"[a-z_]+",\s*(\d|required_argument|no_argument)',
                      "", text)
        text = re.sub(r'\{\s*"[a-z_]+",\n', "\n", text)
        for name in names:
            # a name as a literal: "testing" in C, 'testing' in SQL; a rule
            # text anywhere
            needles = [name] if part == "rule" else ['"%s"' % name, "'%s'" % name]
            for n in needles:
                if n in text:
                    found.append((os.path.relpath(path, ROOT), n))
    assert not found, found


def test_the_wire_reference_tables_are_the_def():
    """proto/README.md §4.1 is expanded from the .def (make proto-doc)."""
    import sys
    sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
    import lifecycle_md
    assert lifecycle_md.current() == lifecycle_md.markdown(), \
        "proto/README.md is stale: run make proto-doc"


def test_every_schema_refuses_a_state_not_in_the_list(platform):
    """A service that wrote a state the lifecycle does not list would fail:
    the CHECKs call the functions expanded from proto/yjc_lifecycle.def."""
    p = platform
    app = p.submit("edu", __import__("conftest").full_form())["body"]["app_id"]
    p.wait_until(lambda: p.scalar(
        f"SELECT count(*) FROM review.applications WHERE app_id = '{app}'") == "1")
    for table, column in [("intake.applications", "state"),
                          ("review.applications", "state")]:
        with pytest.raises(subprocess.CalledProcessError) as e:
            p.sql(f"UPDATE {table} SET {column} = 'testng' WHERE app_id = '{app}'")
        assert "check constraint" in (e.value.stderr or "")
        # a listed state passes the same constraint
        p.sql(f"UPDATE {table} SET {column} = 'accepted' WHERE app_id = '{app}'")
    for fn, good, bad in [("yjc_is_order_kind", "purge", "purged"),
                          ("yjc_is_interval", "test", "testing"),
                          ("yjc_is_deadline", "paperwork", "paper_work"),
                          ("yjc_is_party", "vendor", "auditor"),
                          ("yjc_is_state", "terminating", "terminate")]:
        for schema in ("intake", "review", "provisioning", "billing", "audit"):
            got = p.scalar(f"SELECT {schema}.{fn}('{good}')::text || "
                           f"{schema}.{fn}('{bad}')::text")
            assert got == "truefalse", (schema, fn, got)
