"""The PDFs a finance office files (issue 13, part B): the annual
statement (R17) and the quarterly utilization report (R16), rendered by
`yjcloud statement|utilization --from-json FILE --pdf OUT` from replies
saved with --json (fixtures in tests/data, shaped as the fixed replies of
billing.statement and billing.utilization; tests/tools/pdf_fixtures.py
writes them).  Read back with pdftotext; drawn with pdftoppm to check
that nothing is set outside the margins."""
import json
import os
import re
import subprocess

import pytest

from conftest import BIN, ROOT

DATA = os.path.join(ROOT, "tests", "data")


def render(tmp_path, command, fixture, check=True):
    out = tmp_path / (command + ".pdf")
    r = subprocess.run([os.path.join(BIN, "yjcloud"), command, "--from-json",
                        os.path.join(DATA, fixture) if "/" not in fixture
                        else fixture, "--pdf", str(out)],
                       capture_output=True, text=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 1000
    return out, r


def pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def text(pdf, page=None):
    """The page's (or document's) text with all white space removed:
    pdftotext splits lines and columns as it likes."""
    args = ["pdftotext", "-layout"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    out = subprocess.run(args + [str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def gray_page(pdf, page, dpi=40):
    """(width, height, bytes) of the page drawn in gray (PGM)."""
    raw = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f",
                          str(page), "-l", str(page), str(pdf)],
                         capture_output=True, check=True).stdout
    header = raw.split(b"\n", 3)
    assert header[0] == b"P5"
    w, h = map(int, header[1].split())
    return w, h, header[3]


def assert_inside_margins(pdf, n, dpi=40):
    """Every page has ink, and none within 12 mm of the left and right
    edges (the margins are 18 mm): no column or chart runs off the page."""
    edge = int(12 / 25.4 * dpi)
    for page in range(1, n + 1):
        w, h, pixels = gray_page(pdf, page, dpi)
        dark = sum(1 for p in pixels if p < 128)
        assert dark > w * h // 200, f"page {page} nearly blank"
        for y in range(h):
            row = pixels[y * w:(y + 1) * w]
            assert min(row[:edge]) > 200 and min(row[w - edge:]) > 200, \
                f"page {page}: ink in the side margin at row {y}"


def test_unit_statement_total_in_figures_and_words(tmp_path):
    """R17: the unit, the period, the total in figures and in 人民币大写,
    the signature and seal block, 第 N 页 共 M 页 on every page."""
    fixture = json.load(open(os.path.join(DATA, "statement-unit.json"),
                             encoding="utf-8"))
    assert fixture["total_fen"] == 1234567
    pdf, r = render(tmp_path, "statement", "statement-unit.json")
    assert "已生成结算单" in r.stdout
    all_text = text(pdf)
    for expected in ("永嘉县电子政务云服务费用年度结算单", "结算单位：县教育局",
                     "2027年1月1日至2027年12月31日", "¥12,345.67",
                     "人民币壹万贰仟叁佰肆拾伍元陆角柒分",
                     "编制单位", "审核人", "日期", "盖章", "单位合计12,345.67",
                     "YJ-2027-0001", "每200GB·月"):
        assert expected in all_text, expected
    # every system's subtotal as the fixture has it
    for system in fixture["units"][0]["systems"]:
        fen = system["total_fen"]
        assert f"{system['name']}小计{fen // 100:,}.{fen % 100:02d}" \
            in all_text
    n = pages(pdf)
    for page in range(1, n + 1):
        assert f"第{page}页共{n}页" in text(pdf, page)
    # the total and the signatures stay together on the last page
    assert "人民币壹万贰仟叁佰肆拾伍元陆角柒分" in text(pdf, n)
    assert "盖章" in text(pdf, n)
    assert_inside_margins(pdf, n)


def test_county_statement_long_sections_and_total_page(tmp_path):
    """R17: a section per unit, the header row repeated on every page a
    table runs onto, the county total page last, page numbers on all."""
    fixture = json.load(open(os.path.join(DATA, "statement-county.json"),
                             encoding="utf-8"))
    assert "unit" not in fixture and fixture["total_fen"] == 100500002
    pdf, _ = render(tmp_path, "statement", "statement-county.json")
    n = pages(pdf)
    assert n >= 3
    for page in range(1, n + 1):
        t = text(pdf, page)
        assert f"第{page}页共{n}页" in t, page
        if page < n:   # a unit's table: its header row on every page
            assert "系统资源项计量单位起止天数数量单价（元）金额（元）" in t, page
    last = text(pdf, n)
    assert "永嘉县电子政务云服务费用年度结算汇总表" in last
    assert "全县合计1,005,000.02" in last
    assert "人民币壹佰万零伍仟元零贰分" in last and "盖章" in last
    for i, unit in enumerate(fixture["units"], 1):
        fen = unit["total_fen"]
        assert f"{i}{unit['unit']}2{fen // 100:,}.{fen % 100:02d}" in last
        assert f"结算单位：{unit['unit']}" in text(pdf)
    # a system continued on a new page is named again
    assert "（续）" in text(pdf)
    # provisional: said on the page and on the lines (R17 暂计)
    assert "暂计" in text(pdf, 1)
    assert_inside_margins(pdf, n)


def test_utilization_page_per_application(tmp_path):
    """R16: a page per application: its unit, the quarter, the table of
    allocated against used resources, the advice, a chart per host."""
    pdf, r = render(tmp_path, "utilization", "utilization-2027Q1.json")
    assert "已生成资源使用情况报告" in r.stdout
    assert pages(pdf) == 2
    first, second = text(pdf, 1), text(pdf, 2)
    assert "2027年第一季度" in first and "2027-01-01至2027-03-31" in first
    assert "县教育局" in first and "YJ-2027-0001" in first
    assert "4.2/11.4/88.0" in first          # vm-1's CPU p50/p95/max
    assert "CPUp95季度内低于10%：4核/8G→2核/4G" in first
    for host in ("vm-1（4核/8G）每日P95使用率%", "vm-3（2核/4G）"):
        assert host in first
    assert "县卫生健康局" in second and "日汇总" in second
    assert "10/90" in second                 # days without samples
    assert "第1页共2页" in first and "第2页共2页" in second
    assert_inside_margins(pdf, 2)


def test_a_chart_draws_its_lines(tmp_path):
    """The charts are drawn: the CPU line (blue) has ink in the chart
    area of the first page, not only the axes (gray)."""
    pdf, _ = render(tmp_path, "utilization", "utilization-2027Q1.json")
    raw = subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1",
                          str(pdf)], capture_output=True, check=True).stdout
    header = raw.split(b"\n", 3)
    assert header[0] == b"P6"
    w, h = map(int, header[1].split())
    rgb = header[3]
    blue = sum(1 for i in range(0, w * h * 3, 3)
               if rgb[i + 2] > 120 and rgb[i] < 100)
    orange = sum(1 for i in range(0, w * h * 3, 3)
                 if rgb[i] > 180 and 60 < rgb[i + 1] < 160 and rgb[i + 2] < 80)
    assert blue > 50 and orange > 50, (blue, orange)


def test_bad_input_is_refused_in_chinese(tmp_path):
    bad = tmp_path / "not-a-statement.json"
    bad.write_text(json.dumps({"year": "2027"}), encoding="utf-8")
    out, r = render(tmp_path, "statement", str(bad), check=False)
    assert r.returncode == 1 and "不是年度结算单" in r.stderr
    assert not out.exists()
    out, r = render(tmp_path, "utilization", str(bad), check=False)
    assert r.returncode == 1 and "不是资源使用情况" in r.stderr
    r = subprocess.run([os.path.join(BIN, "yjcloud"), "statement",
                        "--from-json", os.path.join(DATA,
                                                    "statement-unit.json")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--pdf" in r.stderr
    r = subprocess.run([os.path.join(BIN, "yjcloud"), "statement",
                        "--from-json", os.path.join(DATA,
                                                    "statement-unit.json"),
                        "--pdf", "/nonexistent-dir/x.pdf"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "无法写入" in r.stderr


def test_a_saved_reply_envelope_renders_too(tmp_path):
    """A whole reply {"ok", "body"} as a script saves it renders as its
    body does."""
    body = json.load(open(os.path.join(DATA, "statement-unit.json"),
                          encoding="utf-8"))
    saved = tmp_path / "reply.json"
    saved.write_text(json.dumps({"ok": True, "body": body},
                                ensure_ascii=False), encoding="utf-8")
    pdf, _ = render(tmp_path, "statement", str(saved))
    assert "人民币壹万贰仟叁佰肆拾伍元陆角柒分" in text(pdf)
