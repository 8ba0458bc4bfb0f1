"""A free TCP port on 127.0.0.1 for a service a test is about to start.

Not bind(0): that gives a port of the kernel's ephemeral range, which an
outgoing connection (a client, a libpq session) may take as its source
port before the service binds it - CI saw "Address already in use".
Ports below that range are never handed out that way.  Within one
process a port is given once.
"""

import random
import socket

_given = set()


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
            return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def _candidates():
    lo, hi = _ephemeral_range()
    if lo - 1 >= 12000:
        return 10000, lo - 1
    return hi + 1, 65535


def free_port():
    first, last = _candidates()
    span = last - first + 1
    start = random.randrange(span)
    for i in range(span):
        port = first + (start + i) % span
        if port in _given:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        _given.add(port)
        return port
    raise RuntimeError(f"no free port in {first}-{last}")


if __name__ == "__main__":
    import sys
    # free_port.py [N]: N distinct ports, one a line
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 1):
        print(free_port())
