#!/usr/bin/env python3
"""catalogue_corpus.py DIR: prints "dkim DOMAIN" and "spf DOMAIN" lines, sorted
and unique, for every DKIM or SPF result that passed in the aggregate reports
under DIR (XML, gzip, zip, or mails carrying them), so that test_catalogue
can check the catalogue against identities that real reports show. Stdlib
only; a file it cannot read is skipped (the corpus holds broken ones on
purpose)."""

import email
import gzip
import io
import os
import re
import sys
import zipfile

AUTH = re.compile(rb"<auth_results>(.*?)</auth_results>", re.S)


def unpack(data):
    """The XML documents inside data, however wrapped."""
    if data[:2] == b"\x1f\x8b":
        try:
            return unpack(gzip.GzipFile(fileobj=io.BytesIO(data)).read())
        except (OSError, EOFError):
            return []
    if data[:2] == b"PK":
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            return [x for n in z.namelist() for x in unpack(z.read(n))]
        except (zipfile.BadZipFile, OSError):
            return []
    if b"<feedback" in data[:4096] or b"<auth_results>" in data:
        return [data]
    if re.match(rb"(?i)[a-z-]+:", data[:64]):
        out = []
        for part in email.message_from_bytes(data).walk():
            body = part.get_payload(decode=True)
            if body:
                out += unpack(body)
        return out
    return []


def results(xml):
    for rec in AUTH.findall(xml):
        for kind in (b"dkim", b"spf"):
            for blk in re.findall(rb"<%s>(.*?)</%s>" % (kind, kind), rec, re.S):
                dom = re.search(rb"<domain>\s*([^<]*?)\s*</domain>", blk)
                res = re.search(rb"<result>\s*([^<]*?)\s*</result>", blk)
                if dom and res and dom.group(1) and res.group(1).lower() == b"pass":
                    yield kind.decode(), dom.group(1).decode("ascii", "replace").lower()


def main():
    found = set()
    for root, _, files in os.walk(sys.argv[1]):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                for xml in unpack(f.read()):
                    found.update(results(xml))
    for kind, dom in sorted(found):
        print(kind, dom)


if __name__ == "__main__":
    main()
