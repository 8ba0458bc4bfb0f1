#!/usr/bin/python3
"""scale.py DIR FROM_K TO_K OPEN_EVERY APPS ORDERS REQUESTS NUMBERED - the
clones of the template (scale.sh, scale.sql), as one psql script of COPY
blocks on stdout, parents first.  DIR holds the template as scale.sh
dumped it: `tables` (one "schema.table<TAB>col:kind,..." line each, kind
t text, b bytea, - other), `open` (the open applications' ids, one a
line) and <schema.table>.copy (its rows, COPY text, bytea as escape).
Clone k renumbers what names one application, order, request or event,
nothing else (the rules scale.sql stated before, row for row): ids are
shifted by k times the template's count (same width, so msgpack copies
stay valid), the unit 县教育局 becomes 县单位NNN (k mod 90, same byte
length), envelope ids are new, event ids shift by k * 1000, and the
official numbers (R9.1) follow the NUMBERED ones already given, gapless
in application order, as scale.finish() checks.  The template's open
applications are cloned only in every
OPEN_EVERY-th clone.  Each template field is split once into literal
pieces and tokens, so a clone is joins, not regular expressions."""
import hashlib
import re
import sys

d, from_k, to_k, open_every, apps, orders, requests, numbered = sys.argv[1:9]
from_k, to_k, open_every = int(from_k), int(to_k), int(open_every)
SHIFT = {"A": int(apps), "O": int(orders), "R": int(requests)}
UNIT = "县教育局"


def esc(s):
    """s's UTF-8 bytes as COPY text shows a bytea in escape format"""
    return "".join(chr(c) if c < 0x80 else "\\\\%03o" % c for c in s.encode())


UNIT_MP, NEW_MP = esc(UNIT), esc("县单位")
TEXT_PAT = re.compile(r"[AOR][0-9]{6}|第 [0-9]+ 号|" + UNIT)
MP_PAT = re.compile(r"[AOR][0-9]{6}|" + re.escape(UNIT_MP))
ENVELOPE = re.compile(r"^[0-9a-f]{12}-[0-9]+$")
EVENT = re.compile(r"^(intake|review|provisioning|billing):[0-9]+$")


open_ids = set(open(d + "/open").read().split())
# the template's numbered applications in id order, by their number
numbered_apps = {}
for row in open(d + "/numbers", encoding="utf-8"):
    app_id, number = row.rstrip("\n").split("\t")
    numbered_apps[int(re.search("第 ([0-9]+) 号", number).group(1))] = app_id
order = sorted(numbered_apps.values())
number_of = {}  # (k, template app) -> its number in the clones
n = int(numbered)
for k in range(from_k, to_k + 1):
    for a in order:
        if k % open_every == 0 or a not in open_ids:
            n += 1
            number_of[k, a] = n


def token(tok, k):
    if tok[0] in SHIFT and tok[1:].isdigit():
        return "%s%06d" % (tok[0], int(tok[1:]) + k * SHIFT[tok[0]])
    if tok.startswith("第"):
        return "第 %d 号" % number_of[k, numbered_apps[int(tok[2:-2])]]
    if tok == UNIT:
        return "县单位%03d" % (k % 90)
    return NEW_MP + "%03d" % (k % 90)  # the unit in a msgpack copy


def compile_field(v, kind):
    """a function of k giving the field of clone k"""
    if kind == "-" or v == "\\N":
        return v
    if ENVELOPE.match(v):
        head, tail = v.split("-")
        return lambda k: hashlib.md5(
            ("%s:%d" % (v, k)).encode()).hexdigest()[:12] + "-" + tail
    if EVENT.match(v):
        src, n = v.split(":")
        return lambda k: "%s:%d" % (src, int(n) + k * 1000)
    pat = TEXT_PAT if kind == "t" else MP_PAT
    parts, at = [], 0
    for m in pat.finditer(v):
        parts.append(v[at:m.start()])
        parts.append(m.group(0))
        at = m.end()
    if not parts:
        return v
    parts.append(v[at:])
    lits, toks = parts[0::2], parts[1::2]

    def render(k):
        out = [lits[0]]
        for t, lit in zip(toks, lits[1:]):
            out.append(token(t, k))
            out.append(lit)
        return "".join(out)
    return render


out = sys.stdout
for line in open(d + "/tables"):
    table, spec = line.rstrip("\n").split("\t")
    cols = [c.split(":") for c in spec.split(",")]
    app = [n for n, _ in cols].index("app_id")
    rows = []
    for row in open(d + "/" + table + ".copy", encoding="utf-8"):
        f = row.rstrip("\n").split("\t")
        rows.append((f[app] in open_ids,
                     [compile_field(v, kind) for v, (_, kind) in zip(f, cols)]))
    # the schema's triggers (orders_bump) name its functions unqualified
    out.write("SET search_path = %s, public;\n" % table.split(".")[0])
    out.write("COPY %s (%s) FROM STDIN;\n" % (table, ", ".join(
        '"%s"' % n for n, _ in cols)))
    for k in range(from_k, to_k + 1):
        every = k % open_every == 0
        for is_open, fields in rows:
            if is_open and not every:
                continue
            out.write("\t".join(f if isinstance(f, str) else f(k)
                                for f in fields))
            out.write("\n")
    out.write("\\.\n")
