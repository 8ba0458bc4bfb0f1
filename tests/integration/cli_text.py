"""cli_text.py - reading the CLI's text output as a terminal shows it:
display columns measured as a terminal does (east_asian_width W/F: two
columns; every other character one), tables split into cells."""
import re
import unicodedata


def width(text):
    """Display width of `text`."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def cells(line):
    """The cells of one table line: [(display column, text)], a cell
    being text separated from the next by two spaces or more."""
    out = []
    for m in re.finditer(r"\S+(?: \S+)*", line):
        out.append((width(line[:m.start()]), m.group()))
    return out


def table(lines):
    """A table's lines (header first) as dicts {header: cell}, by the
    display column each cell starts at; asserts every cell of every row
    starts where a header's column does."""
    head = cells(lines[0])
    starts = {col: name for col, name in head}
    rows = []
    for line in lines[1:]:
        got = cells(line)
        for col, text in got:
            assert col in starts, (
                f"cell {text!r} at display column {col}, not at a column "
                f"{sorted(starts)} of {lines[0]!r}:\n{line}")
        rows.append({starts[col]: text for col, text in got})
    return rows


def second_column_starts(lines):
    """The display column each line's second cell starts at."""
    return {cells(line)[1][0] for line in lines if len(cells(line)) > 1}


def block(text, first, stop=None):
    """The lines from the one starting with `first` (excluded) to the
    next that does not start with a blank (or with `stop`)."""
    lines = text.splitlines()
    i = next(n for n, ln in enumerate(lines) if ln.startswith(first))
    out = []
    for ln in lines[i + 1:]:
        if not ln.startswith(" ") or (stop and ln.startswith(stop)):
            break
        out.append(ln)
    return out


# The form's own words (the annex of 永政办发〔2020〕18号 names products
# and units so), file names, hashes, ids, dates, R-numbers: every other
# ASCII word in text output is a code or a path a clerk should not see.
FORM_WORDS = {"MySQL", "CentOS", "Win2008R2", "MS", "SQL", "Server", "Mbps",
              "GB", "TB", "G", "M", "MiB", "WEB", "WAF", "SOC", "DDOS", "SHA",
              "CNAS", "Web", "TCP", "CPU"}


def ascii_words(text, actors=False):
    """ASCII words of `text` that are neither the form's nor data (ids,
    hashes, file names; with `actors`, the actors' login names too:
    identifiers, which the audit trail's 操作人 column shows as they are)."""
    from conftest import DEMO
    names = {name for name, _role, _unit in DEMO} if actors else set()
    text = re.sub(r"\b[0-9a-f]{64}\b", " ", text)            # SHA-256
    text = re.sub(r"[\w.-]+\.(pdf|json|docx?)\b", " ", text)  # file names
    text = re.sub(r"\b[A-Z]\d+(\.\d+)*\b", " ", text)         # ids, R9.1
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", text)
    return [w for w in words if w not in FORM_WORDS and w not in names]
