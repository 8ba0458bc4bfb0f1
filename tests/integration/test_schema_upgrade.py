"""Each service's SQL is a baseline schema plus numbered migrations on top:
a fresh install and one upgraded in steps (the baselines first, the
services started again on the current code) end with the same schema,
compared with pg_dump --schema-only.  YJC_MIGRATE_UPTO stops an upgrade
after the migration it names."""
import os
import re
import subprocess

from conftest import PGPORT, Platform

SCHEMAS = ["intake", "review", "provisioning", "billing", "audit"]


def schema_dump(db, schema):
    out = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges",
         "-h", "127.0.0.1", "-p", PGPORT, "-U", "postgres", "-n", schema, db],
        capture_output=True, text=True, check=True).stdout
    # comments, settings and psql's random \restrict key say nothing of
    # the schema
    lines = [l for l in out.splitlines()
             if l.strip() and not l.startswith(("--", "SET ", "\\restrict",
                                                "\\unrestrict",
                                                "SELECT pg_catalog.set_config"))]
    return "\n".join(lines)


def applied(p, schema):
    return [r[0] for r in p.sql(f"SELECT name FROM {schema}.schema_migrations "
                                "ORDER BY name")]


def test_fresh_and_upgraded_installs_have_the_same_schema(platform):
    fresh = platform
    upgraded = Platform("upgrade")
    try:
        # step 1: the baselines only (every name up to 100_…)
        upgraded.env["YJC_MIGRATE_UPTO"] = "100~"
        upgraded.start_all()
        upgraded.stop_all()
        for schema in SCHEMAS:
            assert all(re.match(r"(0\d\d|100)_", n) for n in applied(upgraded, schema))
        # step 2: the current code upgrades what is there
        del upgraded.env["YJC_MIGRATE_UPTO"]
        upgraded.start_all()
        for schema in SCHEMAS:
            assert applied(upgraded, schema) == applied(fresh, schema), schema
            assert schema_dump(upgraded.db, schema) == schema_dump(fresh.db, schema), schema
        # the dump compares something: every schema has its tables
        assert "CREATE TABLE review.duties" in schema_dump(fresh.db, "review")
    finally:
        upgraded.stop_all()


# The baselines as released (this file's first version): a later change is
# a numbered migration on top, never an edit of a baseline, or installs
# already running would not get it.
RELEASED = {
    "common/sql/001_outbox.sql": "c2e94d615fe414c7",
    "services/audit/sql/100_events.sql": "3b17754f8107a165",
    "services/billing/sql/100_allocations.sql": "db2e845bb9d8a9d1",
    "services/intake/sql/100_applications.sql": "d4d3c930f13c476a",
    "services/provisioning-adapter/sql/100_orders.sql": "125f210a1ea59cc9",
    "services/review/sql/100_review.sql": "f9808fe4f3327edc",
}


def test_released_baselines_are_never_edited():
    import hashlib
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for path, digest in RELEASED.items():
        with open(os.path.join(root, path), "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()[:16]
        assert got == digest, f"{path} changed: add a numbered migration instead"
