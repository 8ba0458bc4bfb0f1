"""Writes the JSON fixtures of the PDF tests (tests/data/statement-*.json,
utilization-2027Q1.json), shaped as the fixed replies of issue 13:
billing.statement (part A) and billing.utilization (part C).  The totals
are set to amounts whose 大写 the tests know by heart: the last line of
each statement takes up the difference."""
import calendar
import json
import math
import os
import random

DATA = os.path.join(os.path.dirname(__file__), "..", "data")
LINES = [("host_4c8g", "云主机 4核/8G", "台·月", 30000),
         ("host_2c4g", "云主机 2核/4G", "台·月", 18000),
         ("data_disk_200gb", "数据盘", "每200GB·月", 4000),
         ("bandwidth_mbps", "专线带宽", "Mbps·月", 2500),
         ("db_mysql", "MySQL 数据库", "实例·月", 45000),
         ("waf_domain", "Web 应用防火墙", "域名·月", 12000),
         ("backup_100gb", "备份空间", "每100GB·月", 1500)]
RULE = ("按日折算：按上海时间自然日计，每日计入当日最后一个资源区间，"
        "月价 P 按累计取整分摊")


def month_lines(rng, year, months, kinds=("charge",)):
    out = []
    for m in months:
        d = calendar.monthrange(year, m)[1]
        for line, zh, measure, price in rng.sample(LINES, 3):
            qty = rng.randint(1, 4)
            stage = "test" if m == months[0] and rng.random() < .5 \
                else "production"
            price = price if stage == "production" else price // 2
            kind = rng.choice(kinds)
            out.append({"line": line, "line_zh": zh, "measure_zh": measure,
                        "stage": stage, "from": f"{year}-{m:02d}-01",
                        "to": f"{year}-{m:02d}-{d:02d}", "days": d,
                        "qty": qty, "unit_price_fen": price,
                        "amount_fen": qty * price, "kind": kind,
                        "cause": "价格调整（2027-03-01 公布）"
                        if kind == "compensation" else ""})
    return out


def settle(statement, total):
    """Makes the county total `total`, the last line absorbing it."""
    last_unit = statement["units"][-1]
    last_sys = last_unit["systems"][-1]
    others = sum(l["amount_fen"] for u in statement["units"]
                 for s in u["systems"] for l in s["lines"])
    last = last_sys["lines"][-1]
    #  one SQL Server instance priced at what is left: qty × price holds
    last.update({"line": "db_sqlserver", "line_zh": "SQL Server 数据库",
                 "measure_zh": "实例·月", "stage": "production", "qty": 1,
                 "kind": "charge", "cause": ""})
    last["amount_fen"] += total - others
    last["unit_price_fen"] = last["amount_fen"]
    for u in statement["units"]:
        for s in u["systems"]:
            s["total_fen"] = sum(l["amount_fen"] for l in s["lines"])
        u["total_fen"] = sum(s["total_fen"] for s in u["systems"])
    statement["total_fen"] = sum(u["total_fen"] for u in statement["units"])
    assert statement["total_fen"] == total
    assert last_sys["lines"][-1]["amount_fen"] > 0


def statement(rng, units, systems, months, total, provisional=False):
    s = {"year": 2027, "generated_at": "2028-01-05 10:00:00",
         "provisional": provisional, "rule": RULE, "units": []}
    names = ["教育资源公共服务平台", "学籍管理系统", "电子病历共享平台",
             "不动产登记系统", "社保经办系统", "政务服务移动端"]
    n = 0
    for unit in units:
        u = {"unit": unit, "systems": []}
        for _ in range(systems):
            n += 1
            kinds = ("charge",) * 6 + ("compensation",)
            lines = month_lines(rng, 2027, months, kinds)
            if provisional:
                lines[-1]["kind"] = "provisional"
            u["systems"].append({"app_id": f"YJ-2027-{n:04d}",
                                 "name": names[(n - 1) % len(names)],
                                 "lines": lines})
        s["units"].append(u)
    settle(s, total)
    return s


def series(rng, start, days, base, gaps):
    out = []
    for i in range(days):
        if i in gaps:
            continue
        day = start + i
        y, m, d = 2027, 1, day
        for month, length in ((1, 31), (2, 28), (3, 31)):
            if d <= length:
                m = month
                break
            d -= length
        wave = 4 * math.sin(i / 6)
        out.append({"day": f"{y}-{m:02d}-{d:02d}",
                    "cpu_p95": round(max(0, base[0] + wave +
                                         rng.uniform(-2, 2)), 1),
                    "mem_p95": round(max(0, base[1] + wave / 2 +
                                         rng.uniform(-1, 1)), 1)})
    return out


def usage_line(rng, resource, alloc, alloc_zh, base, gaps, source):
    s = series(rng, 1, 90, base, gaps)
    cpu = sorted(p["cpu_p95"] for p in s)
    mem = sorted(p["mem_p95"] for p in s)
    return {"resource": resource, "allocated": alloc,
            "allocated_zh": alloc_zh,
            "cpu": {"p50": round(cpu[len(cpu) // 2] * .6, 1),
                    "p95": cpu[int(len(cpu) * .95)], "max": 88.0},
            "mem": {"p50": round(mem[len(mem) // 2] * .9, 1),
                    "p95": mem[int(len(mem) * .95)], "max": 71.5},
            "disk_gb_max": 143, "bw_in_max": 12, "bw_out_max": 35,
            "days": 90, "days_without_samples": len(gaps),
            "source": source, "series": s}


def utilization(rng):
    return {"quarter": "2027Q1", "from": "2027-01-01", "to": "2027-03-31",
            "apps": [
                {"app_id": "YJ-2027-0001", "unit": "县教育局",
                 "allocated_zh": "2×4核/8G、1×2核/4G，数据盘 400GB，带宽 20Mbps",
                 "lines": [
                     usage_line(rng, "vm-1", "4c8g", "4核/8G", (6, 30),
                                {40, 41, 42}, "samples"),
                     usage_line(rng, "vm-2", "4c8g", "4核/8G", (55, 62),
                                set(), "samples"),
                     usage_line(rng, "vm-3", "2c4g", "2核/4G", (80, 85),
                                {0, 1}, "samples")],
                 "advice": [
                     {"resource": "vm-1", "rule": "cpu_low",
                      "text_zh": "CPU p95 季度内低于 10%：4核/8G → 2核/4G"},
                     {"resource": "vm-3", "rule": "cpu_high",
                      "text_zh": "CPU p95 季度内高于 80%：2核/4G → 4核/8G"}]},
                {"app_id": "YJ-2027-0002", "unit": "县卫生健康局",
                 "allocated_zh": "1×8核/16G",
                 "lines": [usage_line(rng, "vm-7", "8c16g", "8核/16G",
                                      (35, 50), set(range(60, 70)),
                                      "daily")],
                 "advice": []}]}


def write(name, obj):
    with open(os.path.join(DATA, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    rng = random.Random(13)
    unit = statement(rng, ["县教育局"], 2, [1, 2, 3], 1234567)
    unit["unit"] = "县教育局"
    write("statement-unit.json", unit)
    write("statement-county.json",
          statement(rng, ["县教育局", "县卫生健康局", "县自然资源和规划局"],
                    2, list(range(1, 13)), 100500002, provisional=True))
    write("utilization-2027Q1.json", utilization(rng))
