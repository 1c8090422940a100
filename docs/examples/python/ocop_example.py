#!/usr/bin/python3
"""A client of the ocop services written from proto/ and docs/protocol.md alone.

It registers an entity with registration (and sends the same request again, to see the
first reply come back), replays registration's events until it finds its own, then asks the
audit service for that event's entry and an inclusion proof, and checks the proof against
the signed tree head with the audit service's public signing key.

Needs Debian's python3-zmq, python3-protobuf, python3-nacl and protobuf-compiler (protoc
generates the Python code from proto/ when the example starts).

    /usr/bin/python3 ocop_example.py --config ocop.json --key ocopctl [--proto DIR]

--config is the deployment's config (endpoints, keys_dir); --key names this client's CURVE
key pair in keys_dir (KEY.key), which must be in the services' allow lists. Exit status 0
when every step checked out, 1 otherwise (the reason on stderr).
"""

import argparse
import hashlib
import importlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import uuid

import nacl.exceptions
import nacl.signing
import zmq


def load_protos(proto_dir):
    """Generates the Python modules of proto/ into a temporary directory and imports them."""
    out = tempfile.mkdtemp(prefix="ocop-pb-")
    files = sorted(f for f in os.listdir(proto_dir) if f.endswith(".proto"))
    subprocess.run(["protoc", "--proto_path", proto_dir, "--python_out", out] + files, check=True, cwd=proto_dir)
    sys.path.insert(0, out)
    return importlib.import_module("envelope_pb2"), importlib.import_module("registration_pb2")


def read_key_file(path):
    """A key file: lines "public=<z85>" and (for a pair) "secret=<z85>"."""
    fields = {}
    with open(path, encoding="ascii") as f:
        for line in f:
            name, _, value = line.strip().partition("=")
            if value:
                fields[name] = value
    return fields


class Service:
    """One DEALER connection over CURVE: one packed Request per frame, one packed Reply back."""

    def __init__(self, ctx, endpoint, server_public, client_pair, envelope, timeout_ms=5000):
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.curve_serverkey = server_public.encode()
        self.sock.curve_publickey = client_pair["public"].encode()
        self.sock.curve_secretkey = client_pair["secret"].encode()
        self.sock.linger = 0
        self.sock.connect(endpoint)
        self.envelope = envelope
        self.timeout_ms = timeout_ms

    def call(self, fill, request_id=None, caller="python-example"):
        req = self.envelope.Request(request_id=request_id or uuid.uuid4().hex, caller=caller)
        fill(req)
        self.sock.send(req.SerializeToString())
        deadline = time.monotonic() + self.timeout_ms / 1000
        while time.monotonic() < deadline:
            if not self.sock.poll(max(1, int((deadline - time.monotonic()) * 1000))):
                break
            reply = self.envelope.Reply()
            reply.ParseFromString(self.sock.recv())
            if reply.request_id == req.request_id:  # a late reply to an earlier request is skipped
                return reply
        raise TimeoutError("no reply within %d ms" % self.timeout_ms)


def ok(reply, what):
    if reply.status != 0:
        raise RuntimeError("%s: status %d field %r: %s" % (what, reply.status, reply.field, reply.message))
    return reply


def root_from_path(leaf, index, size, path):
    """RFC 9162 2.1.3.2: the root an inclusion proof leads to (None when it cannot)."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn //= 2
        sn //= 2
    return r if sn == 0 else None


def verify_inclusion(proof, audit_key_hex):
    """Checks an AudInclusionProof: the entry's leaf, the path to the root, the head's key and signature."""
    leaf = hashlib.sha256(b"\x00" + proof.entry.data).digest()
    if proof.leaf_hash and proof.leaf_hash != leaf:
        raise RuntimeError("the proof's leaf hash is not the hash of its entry")
    root = root_from_path(leaf, proof.index, proof.tree_size, list(proof.path))
    head = proof.head
    if root is None or root != head.root_hash or head.tree_size != proof.tree_size:
        raise RuntimeError("the path does not lead to the signed root")
    if head.key_id != audit_key_hex:
        raise RuntimeError("the head names key %s, not the audit key" % head.key_id)
    message = b"OCOP-STH-v1" + struct.pack(">Q", head.tree_size) + head.root_hash + struct.pack(">q", head.timestamp_ms)
    try:
        nacl.signing.VerifyKey(bytes.fromhex(audit_key_hex)).verify(message, head.signature)
    except nacl.exceptions.BadSignatureError as e:
        raise RuntimeError("the head's signature does not verify") from e
    return root


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--key", required=True, help="this client's key pair name in keys_dir")
    ap.add_argument("--proto", default=os.path.join(here, "..", "..", "..", "proto"))
    ap.add_argument("--commune", required=True, help="a commune code of the current unit version")
    args = ap.parse_args()

    envelope, registration = load_protos(os.path.abspath(args.proto))
    with open(args.config, encoding="utf-8") as f:
        config = json.load(f)
    keys_dir = os.path.join(os.path.dirname(os.path.abspath(args.config)), config.get("keys_dir", "keys"))
    pair = read_key_file(os.path.join(keys_dir, args.key + ".key"))
    ctx = zmq.Context()

    def connect(name):
        svc = config["services"][name]
        return Service(ctx, svc["endpoint"], read_key_file(os.path.join(keys_dir, name + ".pub"))["public"], pair,
                       envelope)

    reg = connect("registration")
    suffix = uuid.uuid4().int % 10**8

    def register(req):
        body = req.reg_entity_register
        body.type = registration.ENTITY_TYPE_COOPERATIVE
        body.name = "Hợp tác xã Ví Dụ Python %d" % suffix
        body.tax_code = "46%08d" % suffix
        body.commune_code = args.commune

    request_id = "python-example-%d" % suffix
    first = ok(reg.call(register, request_id), "registering an entity")
    again = ok(reg.call(register, request_id), "the same request again")
    if again.reg_entity.id != first.reg_entity.id:
        raise RuntimeError("a repeated request was applied twice")
    entity_id = first.reg_entity.id
    print("registered %s (the repeated request got the same reply)" % entity_id)

    # Replay the events from the start; ours is among them.
    sequence, found = 1, None
    while found is None:
        batch = ok(reg.call(lambda r: setattr(r.events_from, "from_sequence", sequence)), "replaying events").events
        for packed in batch.events:
            ev = envelope.Event()
            ev.ParseFromString(packed)
            sequence = ev.sequence + 1
            if ev.WhichOneof("body") == "reg_entity_registered" and ev.reg_entity_registered.entity.id == entity_id:
                found = ev
        if found is None and sequence > batch.last_sequence:
            raise RuntimeError("the events do not hold the registration")
    print("replayed registration's events up to sequence %d; found ours at %d" % (sequence - 1, found.sequence))

    # The audit log holds the event (it follows registration by itself): find the entry, prove it.
    audit = connect("audit")
    with open(os.path.join(keys_dir, "audit.sign.pub"), encoding="ascii") as f:
        audit_key = f.read().strip()
    wanted = found.SerializeToString()
    deadline = time.monotonic() + 30
    index = None
    while index is None and time.monotonic() < deadline:
        start = 0
        while index is None:
            def entries(r, start=start):
                r.aud_entries_get.SetInParent()  # the body is set even when every field is 0
                setattr(r.aud_entries_get, "from", start)  # "from" is a Python keyword
            page = ok(audit.call(entries), "reading the log").aud_entry_page
            index = next((e.index for e in page.entries if e.data == wanted), None)
            if not page.entries or page.next == 0:
                break
            start = page.next
        if index is None:
            time.sleep(0.1)
    if index is None:
        raise RuntimeError("the audit log did not take the event in time")
    proof = None
    while time.monotonic() < deadline:
        def inclusion(r):
            r.aud_inclusion_get.SetInParent()
            r.aud_inclusion_get.index = index
        reply = audit.call(inclusion)
        if reply.status == 0:
            proof = reply.aud_inclusion_proof
            break
        time.sleep(0.1)  # no head signed over the entry yet
    if proof is None:
        raise RuntimeError("no signed head covers entry %d in time" % index)
    root = verify_inclusion(proof, audit_key)
    print("verified inclusion of entry %d in the signed tree of size %d (root %s)" % (index, proof.tree_size,
                                                                                      root.hex()))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, TimeoutError, OSError, KeyError, subprocess.CalledProcessError) as e:
        print("ocop_example: %s" % e, file=sys.stderr)
        sys.exit(1)
