"""yjc.py - a black-box client of the yjcloud services, for the tests.

Speaks the wire envelope of proto/README.md over real ZeroMQ sockets with
CurveZMQ, reading keys from the actor registry the platform uses."""
import os
import re
import hashlib
import uuid

import msgpack
import zmq

from services_def import SERVICE_DEFS

SERVICES = [s.name for s in SERVICE_DEFS]


CHUNK = 256 * 1024  # proto: attachment_put.data


def read_cert(path):
    """The public (and secret) key of a czmq certificate file, z85 bytes."""
    text = open(path, encoding="utf-8").read()
    keys = dict(re.findall(r'^\s*(public-key|secret-key)\s*=\s*"(.*)"\s*$',
                           text, re.M))
    meta = dict(re.findall(r'^\s{4}(\w+)\s*=\s*"(.*)"\s*$', text, re.M))
    return keys.get("public-key", "").encode(), \
        keys.get("secret-key", "").encode(), meta


class Client:
    """A DEALER connected to one service as one actor."""

    def __init__(self, keys_dir, actor, endpoint, service, ctx=None):
        self.ctx = ctx or zmq.Context.instance()
        pub, sec, _ = read_cert(f"{keys_dir}/secret/{actor}.cert_secret")
        server, _, _ = read_cert(f"{keys_dir}/public/service-{service}.cert")
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.curve_publickey = pub
        self.sock.curve_secretkey = sec
        self.sock.curve_serverkey = server
        self.sock.connect(endpoint)

    def send_raw(self, frame):
        self.sock.send(frame)

    def recv_raw(self, timeout_ms=10000):
        if not self.sock.poll(timeout_ms):
            raise TimeoutError("no reply")
        return self.sock.recv()

    def call(self, type_, body=None, id_=None, timeout_ms=10000):
        id_ = id_ or uuid.uuid4().hex
        self.send_raw(msgpack.packb({"v": 1, "id": id_, "type": type_,
                                     "body": body if body is not None else {}}))
        while True:
            reply = msgpack.unpackb(self.recv_raw(timeout_ms), raw=False)
            if reply.get("id") == id_:
                return reply

    def upload(self, data, name="plan.pdf", media_type="application/pdf",
               chunk=CHUNK):
        """attachment.put, chunk by chunk; returns the last reply."""
        sha = hashlib.sha256(data).hexdigest()
        reply = None
        for off in range(0, len(data), chunk):
            reply = self.call("attachment.put", {
                "sha256": sha, "size": len(data), "name": name,
                "media_type": media_type, "offset": off,
                "data": data[off:off + chunk]})
            if not reply["ok"]:
                return reply
        return reply

    def download(self, att_id):
        """attachment.get until the end; returns (bytes, first reply body)."""
        out, first, off = b"", None, 0
        while first is None or off < first["size"]:
            reply = self.call("attachment.get", {"att_id": att_id, "offset": off})
            assert reply["ok"], reply
            first = first or reply["body"]
            out += reply["body"]["data"]
            off += len(reply["body"]["data"])
        return out, first

    def close(self):
        self.sock.close(0)
