#!/usr/bin/env python3
# Writes the seeds of fuzz_rdns_answer (tests/fuzz/seeds/fuzz_rdns_answer/):
# DNS answers built by hand, one per case the parsers of enrich/rdns_answer.c
# tell apart. Run it again after changing a case; the files are committed.
import os
import struct

QNAME = "1.2.0.192.in-addr.arpa"
IN, A, CNAME, SOA, PTR, AAAA = 1, 1, 5, 6, 12, 28


def name(n):
    """A name in wire form; labels may be bytes (odd bytes on purpose)."""
    out = b""
    for label in n if isinstance(n, list) else n.split("."):
        label = label.encode() if isinstance(label, str) else label
        out += bytes([len(label)]) + label
    return out + b"\0"


def rr(owner, rtype, ttl, rdata, rclass=IN):
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def msg(qname, qtype, answers=(), authority=(), rcode=0):
    head = struct.pack(">HHHHHH", 0x1234, 0x8180 | rcode, 1, len(answers), len(authority), 0)
    return head + name(qname) + struct.pack(">HH", qtype, IN) + b"".join(answers) + b"".join(
        authority)


Q = b"\xc0\x0c"  # a pointer to the question's name
SOA_RDATA = name("ns.example.net") + name("hostmaster.example.net") + struct.pack(
    ">IIIII", 2024010101, 7200, 900, 1209600, 600)

seeds = {
    "ptr-one": msg(QNAME, PTR, [rr(Q, PTR, 3600, name("mail.example.com"))]),
    "ptr-many": msg(QNAME, PTR, [rr(Q, PTR, 300 + i, name("mx%d.example.com" % i))
                                 for i in range(6)]),
    "ptr-bad-names": msg(QNAME, PTR, [
        rr(Q, PTR, 60, name([b"a b", b"example", b"com"])),
        rr(Q, PTR, 60, name([b"dot.inside", b"\x00\xff\\", b"org"])),
        rr(Q, PTR, 0x80000001, name("Upper.Example.COM")),
        rr(Q, PTR, 60, name([b"x" * 63, b"y" * 63, b"z" * 63, b"w" * 62])),
    ]),
    # the longest host name (253 bytes) is kept, one byte more is not
    "ptr-253": msg(QNAME, PTR, [
        rr(Q, PTR, 60, name([b"x" * 63, b"y" * 63, b"z" * 63, b"w" * 61])),
        rr(Q, PTR, 60, name([b"x" * 63, b"y" * 63, b"z" * 63, b"w" * 62])),
    ]),
    # a label of 64 bytes cannot be on the wire: the answer does not parse
    "ptr-label-64": msg(QNAME, PTR, [rr(Q, PTR, 60, name([b"x" * 64, b"example"]))]),
    "ptr-cname-2317": msg(QNAME, PTR, [
        rr(Q, CNAME, 86400, name("1.0/26.2.0.192.in-addr.arpa")),
        rr(name("1.0/26.2.0.192.in-addr.arpa"), PTR, 120, name("host.example.org")),
    ]),
    "ptr-root": msg(QNAME, PTR, [rr(Q, PTR, 60, b"\0")]),
    "nxdomain-soa": msg(QNAME, PTR, authority=[rr(name("2.0.192.in-addr.arpa"), SOA, 900,
                                                   SOA_RDATA)], rcode=3),
    "nodata-soa-short": msg(QNAME, PTR, authority=[rr(name("2.0.192.in-addr.arpa"), SOA, 900,
                                                       SOA_RDATA[:-3])]),
    "a-cname": msg("mail.example.com", A, [
        rr(Q, CNAME, 300, name("mx.example.net")),
        rr(name("mx.example.net"), A, 60, bytes([198, 51, 100, 7])),
        rr(name("mx.example.net"), A, 30, bytes([192, 0, 2, 1])),
    ]),
    "aaaa": msg("mail.example.com", AAAA, [
        rr(Q, AAAA, 45, bytes.fromhex("20010db8000000000000000000000001")),
        rr(Q, AAAA, 45, bytes.fromhex("20010db8000000000000000000000002")),
    ]),
    "pointer-loop": msg(QNAME, PTR, [rr(Q, PTR, 60, b"\x03abc\xc0\x36")]),
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "fuzz_rdns_answer")
os.makedirs(out, exist_ok=True)
for fname, data in seeds.items():
    with open(os.path.join(out, fname), "wb") as f:
        f.write(data)
