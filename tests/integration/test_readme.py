"""The README's walk, run as written: its `yjcloud` commands are read from
README.md and run in order against a fresh platform, and what a new user
would look at is checked (R8 materials, R9.1 deadline in the list, R9.2
trimmed grant in the rendered 审核表)."""
import os
import re
import shlex

from cli_text import block, table
from conftest import ROOT


def readme_walk(heading="## 走一遍：从申请到测试环境"):
    """The `yjcloud` commands of one of the README's walks, continuation
    lines joined, comments dropped."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    walk = text.split(heading, 1)[1]
    block = walk.split("```sh", 1)[1].split("```", 1)[0]
    commands, current = [], ""
    for line in block.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            if current.startswith("yjcloud "):
                commands.append(shlex.split(current, comments=True)[1:])
            current = ""
    return commands


def settled(p):
    """Every event delivered and the vendor idle: what a user waits for
    between two commands."""
    return (p.scalar("SELECT count(*) FROM provisioning.orders"
                     " WHERE state IN ('pending', 'acknowledged')") == "0"
            and all(p.scalar(f"SELECT count(*) FROM {s}.outbox_pending") == "0"
                    for s in ("intake", "review", "provisioning", "billing")))


def test_the_readme_walk_works_as_written(platform, tmp_path):
    # the README's dates are of December 2026 (an extension must end later
    # than today): its clock
    platform.stop_all()
    platform.set_now("2026-12-01T09:00:00+08:00")
    platform.start_all()
    platform.start_vendor()
    outputs = {}
    for args in readme_walk():
        args = [str(tmp_path / a) if a.endswith(".pdf") and "/" not in a else a
                for a in args]
        res = platform.cli(*args)
        if "apply" in args:   # a user reads the list a moment later
            platform.wait_until(lambda: platform.call(
                "bureau", "review", "review.get", {"app_id": "A000001"})["ok"],
                what="review")
        outputs.setdefault(" ".join(args[2:4]), []).append(res.stdout)
    applied = outputs["apply tests/data/form-full.json"][0]
    assert "申请已提交，申请编号 A000001" in applied
    assert applied.count("已上传") == 5
    # the bureau's list shows it with the acceptance deadline (R9.1)
    listed = outputs["list"][0]
    row = [r for r in table(listed.splitlines()) if r["申请编号"] == "A000001"][0]
    assert (row["应办事项"], row["谁办"]) == ("受理", "主管部门"), listed
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["办理期限"]), listed
    # the 审核表 before the decision lists the materials
    before = outputs["show A000001"][0]
    assert "申请材料" in before and "信息系统建设方案：construction-plan.pdf" in before
    # downloaded and checked
    assert "校验一致" in outputs["attachment get"][0]
    # after approval with a grant: asked and granted side by side
    after = outputs["show A000001"][1]
    assert "核定" in after and "审核通过" in after
    # R9.2: the lines granted less than asked are marked
    assert after.count("（核减）") == 3, after
    granted = platform.call("bureau", "review", "review.get",
                            {"app_id": "A000001"})["body"]["granted"]
    assert granted["storage_tb"] == 1 and granted["network"]["dedicated_mbps"] == 10
    # the last steps of the walk ran too (vendor, billing, audit)
    assert "A000001" in outputs["audit events"][0]


def test_the_readme_lifecycle_walk_works_as_written(platform):
    """R10-R13 as the README's second walk takes A000001 from testing to
    termination, with the vendor simulator (after the first walk)."""
    outputs = []
    for args in readme_walk("## 走一遍：从测试到终止"):
        platform.wait_until(lambda: settled(platform), what="settled")
        res = platform.cli(*args)
        outputs.append((" ".join(args[2:4]), res.stdout))
    platform.wait_until(lambda: settled(platform), what="settled")
    said = dict(outputs)
    assert "延长测试申请已提交，编号 R000001" in outputs[0][1]
    assert "上线申请已提交，编号 R000002" in said["golive A000001"]
    assert "O000004" in said["emergency A000001"]
    # on the walk's clock the paperwork just reported is not late yet
    assert "没有逾期事项" in said["list --overdue"]
    # R12.3: the vendor's own report is under way at once (acknowledged
    # when created, no waiting for a decision)
    assert platform.scalar("SELECT acked_at = created_at FROM provisioning.orders"
                           " WHERE order_id = 'O000004'") == "t"
    shown = said["show A000001"]
    assert "已终止" in shown and "第三方测评报告" in shown
    duties = table(block(shown, "期限事项"))
    assert [d["办结"] for d in duties if d["事项"] == "补办变更手续"] == ["已办结"], shown
    kinds = [r[0] for r in platform.sql(
        "SELECT kind FROM provisioning.orders WHERE app_id = 'A000001' ORDER BY order_id")]
    assert kinds == ["test_env", "go_live", "change", "emergency", "terminate"]
    stages = [a["stage"] for a in platform.call(
        "bureau", "billing", "billing.allocations", {"app_id": "A000001"})["body"]["allocations"]]
    assert stages == ["test", "production", "production", "production"]
    assert "R000005" in platform.sql(
        "SELECT string_agg(request_id, ',') FROM review.requests WHERE state = 'approved'")[0][0]
