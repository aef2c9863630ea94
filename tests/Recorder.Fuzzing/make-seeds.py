#!/usr/bin/env python3
"""Writes the hand-made seeds of the fuzzing corpus (seeds/<target>/). Re-running it gives the same
bytes. Seeds taken from real captures (tcpdump's test suite, ../shared/corpus) are copied by hand
and named after their source. Each seed is small and valid, so mutations start from deep paths."""
import base64, hashlib, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))

def write(target, name, data):
    folder = os.path.join(HERE, "seeds", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

# pcap: classic, big-endian with nanosecond timestamps, two records (one cut short by snaplen).
frame = bytes(range(60))
pcap = struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)
pcap += struct.pack(">IIII", 1_700_000_000, 123_456_789, len(frame), len(frame)) + frame
pcap += struct.pack(">IIII", 1_700_000_001, 999_999_999, 20, 1514) + frame[:20]
write("pcap", "be-nanosecond.pcap", pcap)

# pcapng: section header, interface with name and tsresol 9 and tsoffset, enhanced packet with a
# comment option, simple packet, obsolete packet block, a custom block that is skipped.
def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", kind, n) + body + struct.pack("<I", n)

def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

ng = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
ng += block(1, struct.pack("<HHI", 1, 0, 262144) + option(2, b"eth0") + option(9, b"\x09") + option(14, struct.pack("<q", 0)) + option(0, b""))
ticks = 1_700_000_000_123_456_789
ng += block(6, struct.pack("<IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF, len(frame), len(frame)) + frame + option(1, b"comment") + option(0, b""))
ng += block(3, struct.pack("<I", 40) + frame[:40])
ng += block(2, struct.pack("<HHIIII", 0, 0, ticks >> 32, ticks & 0xFFFFFFFF, 30, 30) + frame[:30])
ng += block(0x00000BAD, b"custom")
write("pcapng", "all-block-kinds.pcapng", ng)

# ledger lines: an entry (docs/ledger-format.md's example) and a signed-head line.
entry = canonical({
    "action": "query.submitted",
    "actor": {"host": "vm", "kind": "os-user", "name": "root"},
    "case": "CASE-2024-17",
    "clock": {"maxErrorUs": 16000000, "source": "system-utc", "sync": "unsynchronized"},
    "details": {"filter": "host 203.0.113.11 and port 443"},
    "hashes": {"output": "e4a7ea230f29a20bab9f75b745ae074da2bde2a9aaf2d41bea914c7c804c1aea"},
    "prev": "e4a7ea230f29a20bab9f75b745ae074da2bde2a9aaf2d41bea914c7c804c1aea",
    "reason": "court order 17/2024",
    "seq": 0,
    "subjects": {"queryId": "q-7d1c"},
    "time": "2026-11-27T19:55:55.721355300Z",
    "v": 1,
})
write("ledger-line", "entry.jsonl", entry)

leaf = hashlib.sha256(b"\0" + entry.encode()).digest()
root64 = base64.b64encode(leaf).decode()
time = "2026-11-27T19:55:56.000000000Z"
origin = "recorder.store/0b9f6c1e"
text = f"{origin}\n1\n{root64}\n{time}\n"
write("checkpoint", "checkpoint.txt", text)
key = "a" * 64
head = canonical({"sth": {"key": key, "origin": origin, "root": root64, "sig": base64.b64encode(b"\1" * 64).decode(), "size": 1, "time": time}, "v": 1})
write("checkpoint", "head.jsonl", head)
write("ledger-line", "head.jsonl", head)

# proofs: an inclusion proof of the entry above in a tree of one (unsigned checkpoint: noted,
# not refused, so the Merkle and entry checks run) and a consistency proof from 1 to 2 entries.
checkpoint = {"key": key, "signature": "", "text": text, "timeStamp": None}
write("proof", "inclusion.json", canonical({"checkpoint": checkpoint, "entry": entry, "leafIndex": 0, "path": [], "treeSize": 1, "type": "inclusion", "v": 1}))
leaf2 = hashlib.sha256(b"\0second").digest()
root2 = hashlib.sha256(b"\1" + leaf + leaf2).digest()
text2 = f"{origin}\n2\n{base64.b64encode(root2).decode()}\n{time}\n"
write("proof", "consistency.json", canonical({
    "first": checkpoint, "firstSize": 1, "path": [leaf2.hex()],
    "second": {"key": key, "signature": "", "text": text2, "timeStamp": None}, "secondSize": 2,
    "type": "consistency", "v": 1}))

# manifest: one evidence file (the harness puts a small pcap at evidence/q1.pcap) and one segment.
write("manifest", "manifest.json", canonical({
    "format": "recorder.evidence-package", "version": 1,
    "packageId": "p-1", "reportId": "r-1", "createdAt": time,
    "createdBy": {"kind": "os-user", "name": "root", "host": "vm"},
    "case": {"id": "CASE-2024-17", "title": "Network evidence for case CASE-2024-17"},
    "queries": [{"queryId": "q-1", "filter": {"hosts": ["203.0.113.11"]}, "description": "host 203.0.113.11",
                 "requester": "root", "reason": "court order", "submittedAt": time, "completedAt": time,
                 "submittedSeq": 3, "extractionSeq": 4, "partial": False}],
    "evidence": [{"file": "evidence/q1.pcap", "queryId": "q-1", "bytes": 100, "packets": 1,
                  "firstTimestamp": time, "lastTimestamp": time, "linkTypes": [1],
                  "sha256": "0" * 64, "sha1": "0" * 40, "md5": "0" * 32}],
    "segments": [{"id": 1, "firstTimestamp": time, "lastTimestamp": time, "packets": 1, "sha256": "0" * 64,
                  "manifestSha256": "0" * 64, "origin": "live"}],
    "tool": {"name": "recorder", "version": "0.1.0", "sourceRevision": "0" * 40},
    "store": {"storeId": "0b9f6c1e", "publicKeyAlgorithm": "Ed25519", "publicKeyFingerprint": key},
}))

# the same manifest followed by NUL and custody entries of the kinds the verifier looks up.
def custody(seq, action, subjects, hashes):
    return canonical({"action": action, "actor": {"host": "vm", "kind": "os-user", "name": "root"}, "case": "CASE-2024-17",
                      "clock": {"maxErrorUs": None, "source": "system-utc", "sync": "unknown"}, "details": {}, "hashes": hashes,
                      "prev": "0" * 64, "reason": None, "seq": seq, "subjects": subjects, "time": time, "v": 1})
with open(os.path.join(HERE, "seeds", "manifest", "manifest.json"), "rb") as f:
    manifest = f.read()
lines = [custody(0, "segment.sealed", {"segmentId": 1}, {"manifest": "0" * 64}),
         custody(1, "extraction.written", {"queryId": "q-1"}, {"output": "0" * 64}),
         custody(2, "package.built", {"packageId": "p-1"}, {"manifest": "0" * 64})]
write("manifest", "manifest-and-custody.bin", manifest + b"\0" + "\n".join(lines).encode() + b"\n")

# query bodies: every filter field, and the short forms (a single proto, epoch seconds).
write("query-body", "full.json", json.dumps({
    "case": "CASE-2024-17", "reason": "court order 17/2024",
    "filter": {"hosts": ["203.0.113.11", "10.0.0.0/8", "2001:db8::/32"], "ports": [443, "80"], "proto": ["tcp", 17],
               "from": "2026-11-27T00:00:00Z", "to": "2026-11-28T00:00:00Z", "bpf": "tcp port 443"},
    "sinks": ["archive"]}))
write("query-body", "short.json", json.dumps({"case": "C-1", "reason": "r", "filter": {"proto": "icmp", "from": 1700000000, "to": 1700003600.5}}))
