"""R8, R20: the materials of an application.  Files are uploaded in chunks
to intake with their size, SHA-256 and media type, bounded at 20 MiB,
downloaded again by the unit, the bureau and the auditor, and the form
decides which materials an application must carry."""
import copy
import hashlib
import os

import msgpack
import pytest

from conftest import FULL_FORM_ATTACH, full_form, minimal_form

MIB = 1024 * 1024


def assert_error(reply, code, field=None):
    assert not reply["ok"], reply
    problems = reply["error"].get("details") or [reply["error"]]
    assert any(p["code"] == code and (field is None or p["field"] == field)
               for p in problems), reply["error"]


def audit_events(platform, app=None):
    reply = platform.call("auditor", "audit", "audit.events",
                          {"app_id": app, "limit": 1000} if app else {"limit": 1000})
    assert reply["ok"], reply
    return reply["body"]["events"]


def put(platform, actor, data, offset, sha=None, size=None, **kw):
    body = {"sha256": sha or hashlib.sha256(data).hexdigest(),
            "size": len(data) if size is None else size,
            "name": kw.get("name", "plan.pdf"),
            "media_type": kw.get("media_type", "application/pdf"),
            "offset": offset, "data": kw.get("chunk", data[offset:offset + 256 * 1024])}
    return platform.call(actor, "intake", "attachment.put", body)


def test_upload_in_chunks_and_download_by_unit_bureau_auditor(platform):
    """R8: a 600 KiB file in three chunks, kept with size, SHA-256 and
    media type; the unit, the bureau and the auditor get the same bytes."""
    data = os.urandom(600 * 1024)
    reply = platform.upload("edu", data, name="建设方案.pdf")
    assert reply["ok"], reply
    body = reply["body"]
    assert body["complete"] and body["received"] == body["size"] == len(data)
    att = body["att_id"]
    for actor in ("edu", "bureau", "auditor"):
        c = platform.client(actor, "intake")
        try:
            got, info = c.download(att)
        finally:
            c.close()
        assert got == data
        assert info["sha256"] == hashlib.sha256(data).hexdigest()
        assert info["media_type"] == "application/pdf"
        assert info["name"] == "建设方案.pdf" and info["unit"] == "县教育局"
    # stored once, as PostgreSQL computes it; chunks gone
    assert platform.scalar(
        f"SELECT encode(sha256(data), 'hex') = sha256 AND length(data) = size"
        f" FROM intake.attachments WHERE att_id = '{att}'") == "t"
    assert platform.scalar(
        f"SELECT count(*) FROM intake.attachment_chunks WHERE att_id = '{att}'") == "0"
    # another unit is not told it exists; a vendor may not ask
    assert_error(platform.call("health", "intake", "attachment.get", {"att_id": att}),
                 "not_found", "body.att_id")
    # the vendor reads only what a problem report names (R15): not this
    assert_error(platform.call("vendor", "intake", "attachment.get", {"att_id": att}),
                 "not_found", "body.att_id")
    assert_error(platform.call("admin", "intake", "attachment.get", {"att_id": att}),
                 "forbidden")
    # the upload is audited with its hash (never its bytes)
    platform.wait_until(lambda: [e["payload"]["sha256"] for e in audit_events(platform)
                                 if e["type"] == "attachment.stored"
                                 and e["payload"]["att_id"] == att]
                        == [hashlib.sha256(data).hexdigest()], what="audit")


def test_retried_and_resumed_chunks_change_nothing(platform):
    data = os.urandom(300 * 1024)
    first = put(platform, "health", data, 0)
    assert first["ok"] and first["body"]["received"] == 256 * 1024
    again = put(platform, "health", data, 0)            # a retry
    assert again["ok"] and again["body"] == first["body"]
    assert_error(put(platform, "health", data, 280 * 1024, chunk=b"x"),
                 "invalid_value", "body.offset")       # a gap
    assert_error(platform.call("health", "intake", "attachment.get",
                               {"att_id": first["body"]["att_id"]}),
                 "invalid_state", "body.att_id")       # not complete yet
    done = platform.upload("health", data)              # resumed from 0
    assert done["ok"] and done["body"]["complete"]
    assert done["body"]["att_id"] == first["body"]["att_id"]
    # the same file again is the same attachment, not a second copy
    assert platform.upload("health", data)["body"]["att_id"] == first["body"]["att_id"]
    assert platform.scalar(
        "SELECT count(*) FROM intake.attachments WHERE sha256 = "
        f"'{hashlib.sha256(data).hexdigest()}'") == "1"


def test_checksum_mismatch_keeps_nothing_and_a_resend_repairs(platform):
    data = os.urandom(300 * 1024)
    bad = bytearray(data)
    bad[10] ^= 0xFF                                     # a corrupted first chunk
    sha = hashlib.sha256(data).hexdigest()
    assert put(platform, "edu", bytes(bad), 0, sha=sha)["ok"]
    assert_error(put(platform, "edu", bytes(bad), 256 * 1024, sha=sha),
                 "checksum_mismatch", "body.sha256")
    att = platform.scalar(f"SELECT att_id FROM intake.attachments WHERE sha256 = '{sha}'")
    assert platform.scalar(
        f"SELECT complete FROM intake.attachments WHERE att_id = '{att}'") == "f"
    # sending the real file again rewrites the differing chunk
    done = platform.upload("edu", data)
    assert done["ok"] and done["body"]["complete"] and done["body"]["att_id"] == att
    c = platform.client("bureau", "intake")
    try:
        assert c.download(att)[0] == data
    finally:
        c.close()


def test_bounds_and_shapes(platform):
    """20 MiB per file (R8 materials are bounded), 256 KiB per chunk, a
    media type from the list, a SHA-256 in lowercase hex."""
    small = b"%PDF-1.4 plan"
    assert_error(put(platform, "edu", small, 0, size=20 * MIB + 1),
                 "out_of_range", "body.size")
    assert_error(put(platform, "edu", small, 0, media_type="application/x-msdownload"),
                 "invalid_value", "body.media_type")
    assert_error(put(platform, "edu", small, 0, sha="A" * 64), "invalid_value", "body.sha256")
    assert_error(put(platform, "edu", small, 0, sha="ab"), "too_short", "body.sha256")
    assert_error(put(platform, "edu", small, 0, size=5), "out_of_range", "body.data")
    assert_error(put(platform, "edu", small, 0, chunk=b""), "too_short", "body.data")
    # a chunk over 256 KiB is refused by the pre-scan, before decoding (so
    # the reply cannot name the request: read it raw)
    big = b"y" * (256 * 1024 + 1)
    c = platform.client("edu", "intake")
    try:
        c.send_raw(msgpack.packb({"v": 1, "id": "big", "type": "attachment.put", "body": {
            "sha256": "a" * 64, "size": len(big), "name": "x.pdf",
            "media_type": "application/pdf", "offset": 0, "data": big}}))
        reply = msgpack.unpackb(c.recv_raw(), raw=False)
    finally:
        c.close()
    assert not reply["ok"] and reply["error"]["code"] == "too_long", reply
    assert_error(platform.call("bureau", "intake", "attachment.put",
                               {"sha256": "a" * 64, "size": 1, "name": "x.pdf",
                                "media_type": "application/pdf", "offset": 0,
                                "data": b"x"}), "forbidden")
    # the largest file allowed goes through whole
    data = os.urandom(20 * MIB)
    reply = platform.upload("edu", data, name="large.zip", media_type="application/zip")
    assert reply["ok"] and reply["body"]["complete"], reply
    c = platform.client("auditor", "intake")
    try:
        got, info = c.download(reply["body"]["att_id"])
    finally:
        c.close()
    assert got == data and info["size"] == 20 * MIB


# Each rule of which material a form requires (R8, R20): a form that
# triggers it, and the kind it requires.
def _migration(form):   # R4: a migrating system also brings its equipment statement
    form["project"]["kind"] = "migration"


def _backup(form):
    form["resources"]["app_services"] = {"backup": {"clients": 1, "capacity_100gb": 1}}


def _exchange(form):
    form["resources"]["app_services"] = {"data_exchange_clients": 2}


def _security(form):
    form["resources"]["security"] = {"waf_domains": 1}


def _private_network(form):
    form["project"]["scope"] = ["egov_extranet", "private_network"]


RULES = [(None, "construction_plan"), (None, "deployment_plan"),
         (_migration, "equipment_statement"), (_backup, "backup_plan"),
         (_exchange, "exchange_departments"), (_security, "security_plan"),
         (_private_network, "secure_access_plan")]


@pytest.mark.parametrize("change,kind", RULES, ids=[k for _, k in RULES])
def test_required_material_missing_is_incomplete(platform, change, kind):
    form = minimal_form()
    if change:
        change(form)
    without = [m for m in platform.materials("health") if m["kind"] != kind]
    reply = platform.submit("health", form, attachments=without)
    assert_error(reply, "incomplete", "body.attachments")
    problems = reply["error"].get("details") or [reply["error"]]
    missing = [p for p in problems if p["code"] == "incomplete"][0]
    # programs read the kind in the English detail, a clerk its name
    assert missing["detail"].startswith(f"{kind} is required")
    assert missing["message"].startswith("申请材料：缺少“")
    assert len([p for p in problems if p["code"] == "incomplete"]) == 1
    ok = platform.submit("health", form, attachments=without + platform.materials(
        "health", kinds=[kind]))
    assert ok["ok"], ok


def test_a_form_without_extras_needs_only_the_two_plans(platform):
    """The minimal form (new, extranet, no backup/exchange/security)."""
    reply = platform.submit("health", minimal_form(), attachments=platform.materials(
        "health", kinds=["construction_plan", "deployment_plan"]))
    assert reply["ok"], reply
    reply = platform.submit("health", minimal_form(), attachments=[])
    assert not reply["ok"]
    missing = {p["detail"].split(" ")[0] for p in reply["error"]["details"]}
    assert missing == {"construction_plan", "deployment_plan"}


def test_attachments_must_be_own_and_complete(platform):
    theirs = platform.materials("edu", kinds=["construction_plan"])[0]["att_id"]
    partial = put(platform, "health", os.urandom(300 * 1024), 0)["body"]["att_id"]
    mats = platform.materials("health")
    mats[0] = {"kind": "construction_plan", "att_id": theirs}
    mats[1] = {"kind": "deployment_plan", "att_id": partial}
    mats.append({"kind": "other", "att_id": "F999999"})
    reply = platform.submit("health", minimal_form(), attachments=mats)
    assert_error(reply, "not_found", "body.attachments[0].att_id")
    assert_error(reply, "invalid_state", "body.attachments[1].att_id")
    assert_error(reply, "not_found", f"body.attachments[{len(mats) - 1}].att_id")
    assert_error(platform.submit("health", minimal_form(), attachments=[
        {"kind": "plan", "att_id": partial}]), "invalid_value", "body.attachments[0].kind")


def test_materials_travel_with_the_application(platform):
    mats = platform.materials("edu")
    app = platform.submit("edu", full_form(), attachments=mats)["body"]["app_id"]
    got = platform.call("bureau", "intake", "application.get", {"app_id": app})["body"]
    assert {(m["kind"], m["att_id"]) for m in got["materials"]} == \
        {(m["kind"], m["att_id"]) for m in mats}
    assert all(len(m["sha256"]) == 64 and m["size"] > 0 for m in got["materials"])
    # the submission event carries them (for review and the audit trail)
    platform.wait_until(lambda: [len(e["payload"]["materials"])
                                 for e in audit_events(platform, app)
                                 if e["type"] == "application.submitted"] == [len(mats)],
                        what="audit")


def test_cli_apply_with_materials_and_download(platform, tmp_path):
    """The README's walk: apply with --attach, show lists the materials,
    attachment get writes the file back, checked by its SHA-256."""
    attach = FULL_FORM_ATTACH
    assert attach[-1].startswith("security_plan=")
    # one missing: refused, naming it in the clerk's words
    res = platform.cli("apply", "tests/data/form-full.json", *attach[:-2],
                       actor="edu", check=False)
    assert res.returncode == 1
    assert "申请材料：缺少“安全服务实施方案”" in res.stderr
    assert "security_plan" not in res.stderr
    out = platform.cli("apply", "tests/data/form-full.json", *attach, actor="edu").stdout
    assert "已上传信息系统建设方案" in out
    app = out.strip().split()[-1]
    shown = platform.cli("show", app, actor="bureau").stdout
    assert "申请材料" in shown and "安全服务实施方案：security-plan.pdf" in shown
    att = platform.call("bureau", "intake", "application.get",
                        {"app_id": app})["body"]["materials"][0]["att_id"]
    target = str(tmp_path / "copy.pdf")
    got = platform.cli("attachment", "get", att, "--out", target, actor="auditor").stdout
    assert "校验一致" in got
    stored = platform.call("auditor", "intake", "attachment.get", {"att_id": att})["body"]
    with open(target, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == stored["sha256"]
    # a file type intake does not take is refused before anything is sent
    res = platform.cli("attachment", "put", "tests/data/form-full.json", actor="edu",
                       check=False)
    assert res.returncode == 2 and "类型不受理" in res.stderr


def test_bad_uploads_leave_intake_serving(platform):
    reply = platform.call("edu", "intake", "attachment.put", {"data": 7})
    assert not reply["ok"]
    assert platform.call("edu", "intake", "sys.status")["ok"]
    form = copy.deepcopy(minimal_form("县教育局"))
    assert platform.submit("edu", form)["ok"]
