"""services_def.py - the services of proto/yjc_services.def, for the tests:
SVC(IDENT, "name", "dir", "schema", port, "中文名"), one per line."""
import collections
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEF = os.path.join(ROOT, "proto", "yjc_services.def")

Service = collections.namedtuple("Service", "ident name dir schema port zh")
_SVC = re.compile(r'^SVC\((\w+), "([^"]*)", "([^"]*)", "([^"]*)", (\d+), "([^"]*)"\)\s*$')


def read(path=DEF):
    """Every SVC line, in order; a line starting SVC( that does not parse
    is an error, not skipped."""
    services = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.startswith("SVC("):
                continue
            m = _SVC.match(line)
            if not m:
                raise ValueError(f"{path}:{lineno}: not SVC(IDENT, \"name\", "
                                 f"\"dir\", \"schema\", port, \"zh\"): {line!r}")
            ident, name, dir_, schema, port, zh = m.groups()
            services.append(Service(ident, name, dir_, schema, int(port), zh))
    return services


SERVICE_DEFS = read()
