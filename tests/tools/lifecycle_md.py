#!/usr/bin/python3
"""The wire reference's lifecycle tables, expanded from
proto/yjc_lifecycle.def (the one definition).  `make proto-doc` writes them
into proto/README.md between the lifecycle markers; the integration suite
fails when the README and the .def disagree."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEF = os.path.join(ROOT, "proto", "yjc_lifecycle.def")
README = os.path.join(ROOT, "proto", "README.md")
BEGIN = "<!-- lifecycle: generated from proto/yjc_lifecycle.def by make proto-doc -->"
END = "<!-- lifecycle: end -->"
UNITS = {"w": "个工作日", "d": "日", "m": "个月"}


def rows(macro):
    """Every MACRO(...) row of the .def as a list of its arguments."""
    text = re.sub(r"/\*.*?\*/", "", open(DEF, encoding="utf-8").read(), flags=re.S)
    out = []
    for body in re.findall(r"^%s\((.*?)\)\s*$" % macro, text, flags=re.M | re.S):
        args = [a.strip() for a in re.findall(r'"[^"]*"|\'[^\']*\'|[^,]+', body)]
        out.append([a.strip('"').strip("'") for a in args if a.strip()])
    return out


def code_of(macro, ident):
    for r in rows(macro):
        if r[0] == ident:
            return r[1]
    return ""


def markdown():
    states = rows("STATE")
    deadlines = rows("DEADLINE")
    parties = {r[0]: r[1] for r in rows("PARTY")}
    lines = [BEGIN, "", "**States** of an application (`state` in replies and events; "
             "a later state is never replaced by an earlier one that arrives late):", "",
             "| state | rank | 中文 |", "|---|---|---|"]
    lines += ["| `%s` | %s | %s |" % (r[1], r[2], r[3]) for r in states]
    lines += ["", "**Requests** after approval (`kind`), the states they are filed "
              "and approved in, the bureau's deadline:", "",
              "| kind | message | allowed in | decision deadline | 中文 |",
              "|---|---|---|---|---|"]
    for r in rows("REQUEST"):
        allowed = re.findall(r"ST\((\w+)\)", r[3])
        lines.append("| `%s` | `%s` | %s | `%s` | %s |" % (
            r[1], "request." + r[1], ", ".join("`%s`" % code_of("STATE", a) for a in allowed),
            code_of("DEADLINE", r[4]), r[5]))
    lines += ["", "**Orders** (`kind` in the vendor queue), the vendor's deadline, the "
              "application's state once done, the billing interval:", "",
              "| kind | deadline | state once done | interval | 中文 |",
              "|---|---|---|---|---|"]
    for r in rows("ORDER"):
        lines.append("| `%s` | %s | %s | %s | %s |" % (
            r[1], "`%s`" % code_of("DEADLINE", r[2]) if r[2] != "NONE" else "–",
            "`%s`" % code_of("STATE", r[3]) if r[3] != "NONE" else "unchanged",
            {"NONE": "–", "CLOSE": "closes the open one"}.get(
                r[4], "opens `%s`" % code_of("INTERVAL", r[4])), r[5]))
    lines += ["", "**Deadlines** (`step`, `what` of a duty; the rule is stored with each "
              "date; counted as in requirements.md \"Time rules\": from the next day, "
              "to 24:00 of the last day):", "",
              "| step | period | owed by | rule | 中文 |", "|---|---|---|---|---|"]
    for r in deadlines:
        count, unit = r[2], r[3]
        period = ("%s %s" % (count, UNITS[unit]) if unit in UNITS else
                  {"s": "set by the decision", "n": "none set",
                   "c": "%s 个工作日 (setting)" % count}[unit])
        lines.append("| `%s` | %s | `%s` | %s | %s |" % (
            r[1], period, parties[r[4]], r[5], r[6]))
    lines += ["", END]
    return "\n".join(lines)


def current():
    text = open(README, encoding="utf-8").read()
    if BEGIN not in text or END not in text:
        return None
    return text[text.index(BEGIN):text.index(END) + len(END)]


if __name__ == "__main__":
    text = open(README, encoding="utf-8").read()
    old = current()
    if old is None:
        sys.exit("proto/README.md has no lifecycle markers")
    open(README, "w", encoding="utf-8").write(text.replace(old, markdown()))
