#!/usr/bin/env python3
"""Writes the inputs of test_refusals.c: one hostile input for each refusal
code (README "What goes in, what is refused"), each between two good reports.

Usage: refusal_inputs.py DIR NOW

DIR/files/ gets them as files, DIR/Maildir/new/ as mails, both named
NNN-good-K or NNN-bad-CODE so that their sorted order is the order they are
ingested in; NOW (epoch seconds) dates the good reports three days back, so
the test decides the clock. DIR/expected.tsv lists, in that order, each
input's name, its expected refusal code ("" when stored), and for a good
report its policy domain and message total.
"""
import base64
import gzip
import io
import os
import sys
import zipfile

DAY = 86400


def report(org, rid, domain, begin, end, counts, meta_extra="", doc_head=""):
    recs = "".join(
        "<record><row><source_ip>192.0.2.%d</source_ip><count>%s</count>"
        "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
        "<spf>fail</spf></policy_evaluated></row><identifiers><header_from>%s"
        "</header_from></identifiers><auth_results><dkim><domain>%s</domain>"
        "<result>pass</result></dkim></auth_results></record>" % (i + 1, c, domain, domain)
        for i, c in enumerate(counts))
    org_xml = "<org_name>%s</org_name><email>dmarc@%s</email>" % (org, org) if org else ""
    return ('<?xml version="1.0"?>%s<feedback><version>1.0</version><report_metadata>%s'
            "<report_id>%s</report_id>%s<date_range><begin>%s</begin><end>%s</end>"
            "</date_range></report_metadata><policy_published>%s<p>none</p>"
            "</policy_published>%s</feedback>\n" % (
                doc_head, org_xml, rid, meta_extra, begin, end,
                "<domain>%s</domain>" % domain if domain else "", recs)).encode()


def mail(body_type, payload, filename=None, headers=True, b64=True):
    """A report mail: payload as the one attachment of a multipart/mixed mail."""
    head = ""
    if headers:
        head = ("From: DMARC Reports <noreply-dmarc@reporter.example>\n"
                "Subject: DMARC aggregate report\n")
    disp = 'Content-Disposition: attachment; filename="%s"\n' % filename if filename else ""
    if b64:
        data = base64.encodebytes(payload).decode()
        enc = "Content-Transfer-Encoding: base64\n"
    else:
        data = payload.decode("latin-1")
        enc = ""
    return ("%sMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
            "--b\nContent-Type: text/plain\n\nA report.\n--b\nContent-Type: %s\n%s%s\n%s\n"
            "--b--\n" % (head, body_type, enc, disp, data)).encode("latin-1")


def zipped(name, data, encrypted=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(name, data)
    b = bytearray(buf.getvalue())
    if encrypted:  # sets "encrypted" in the local and the central header
        b[6] |= 1
        central = b.rfind(b"PK\x01\x02")
        b[central + 8] |= 1
    return bytes(b)


def bad_inputs(now):
    """(code, file name, file bytes, mail bytes) for every refusal code."""
    day = now - now % DAY - 3 * DAY
    ok = dict(org="bad.example", rid="bad", domain="victim.example", begin=day,
              end=day + DAY - 1, counts=[5])

    def agg(**kw):
        args = dict(ok)
        args.update(kw)
        return report(args["org"], args["rid"], args["domain"], args["begin"], args["end"],
                      args["counts"], args.get("meta_extra", ""), args.get("doc_head", ""))

    def as_gz(xml):
        return mail("application/gzip", gzip.compress(xml, mtime=0), "r.xml.gz")

    def as_xml(xml):
        return mail("text/xml", xml, "r.xml")

    bomb = gzip.compress(agg()[:-12] + b" " * (24 << 20) + b"</feedback>", mtime=0)
    gz = gzip.compress(agg(), mtime=0)
    deep = agg(meta_extra="<x>" * 40 + "</x>" * 40)
    no_fields = ("From: r@reporter.example\nSubject: x\nMIME-Version: 1.0\n"
                 "Content-Type: multipart/report; report-type=feedback-report; boundary=\"q\"\n\n"
                 "--q\nContent-Type: text/plain\n\nA failure.\n"
                 "--q\nContent-Type: message/feedback-report\n\nnonsense without a colon\n"
                 "--q--\n").encode()
    smime = ("From: r@reporter.example\nSubject: x\nMIME-Version: 1.0\n"
             "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n"
             "Content-Transfer-Encoding: base64\n\nMIIBxwYJKoZIhvcNAQcDoIIBuDCCAbQCAQAxggFA\n").encode()
    text = b"From: someone@stranger.example\nSubject: hello\n\nNot a report.\n"
    tlsrpt = b'{"organization-name":"x","date-range":{},"policies":[]}'
    rows = [
        ("E_SIZE_LIMIT", "bomb.xml.gz", bomb, mail("application/gzip", bomb, "bomb.xml.gz")),
        ("E_NO_REPORT", "hello.eml", text, text),
        ("E_NOT_DMARC", "tls.json", tlsrpt, mail("application/tlsrpt+json", tlsrpt, "t.json")),
        ("E_DECOMPRESS", "cut.xml.gz", gz[: len(gz) // 2],
         mail("application/gzip", gz[: len(gz) // 2], "cut.xml.gz")),
        ("E_ZIP_UNSUPPORTED", "locked.zip", zipped("r.xml", agg(), True),
         mail("application/zip", zipped("r.xml", agg(), True), "locked.zip")),
        ("E_UNSUPPORTED_CONTAINER", "smime.eml", smime, smime),
        ("E_XML_DOCTYPE", "doctype.xml",
         agg(doc_head='<!DOCTYPE feedback [<!ENTITY x "y">]>'),
         as_xml(agg(doc_head='<!DOCTYPE feedback [<!ENTITY x "y">]>'))),
        ("E_XML_MALFORMED", "cut.xml", agg()[:200], as_xml(agg()[:200])),
        ("E_XML_LIMIT", "deep.xml", deep, as_xml(deep)),
        ("E_MISSING_REPORTER", "report.xml", agg(org=""),
         mail("text/xml", agg(org=""), "report.xml", headers=False)),
        ("E_MISSING_POLICY_DOMAIN", "nodomain.xml", agg(domain=""),
         mail("text/xml", agg(domain=""), "nodomain.xml", headers=False)),
        ("E_BAD_TIMESTAMP", "when.xml", agg(begin="yesterday"), as_xml(agg(begin="yesterday"))),
        ("E_BAD_FAILURE_REPORT", "nofields.eml", no_fields, no_fields),
        ("E_IMPLAUSIBLE_PERIOD", "1979.xml.gz", None, None, dict(begin=302832000,
                                                                 end=302918399)),
        ("E_IMPLAUSIBLE_PERIOD", "future.xml.gz", None, None, dict(begin=day + 10 * DAY,
                                                                   end=day + 11 * DAY - 1)),
        ("E_IMPLAUSIBLE_PERIOD", "threeyears.xml.gz", None, None,
         dict(begin=day - 1096 * DAY, end=day + DAY - 1)),
        ("E_IMPLAUSIBLE_PERIOD", "year9999.xml.gz", None, None,
         dict(begin=253402214400, end=253402300799)),
        ("E_IMPLAUSIBLE_COUNT", "count.xml.gz", None, None,
         dict(counts=[5, 9223372036854775807])),
        ("E_IMPLAUSIBLE_COUNT", "count2.xml.gz", None, None,
         dict(counts=[1000000000000])),
        ("E_IMPLAUSIBLE_COUNT", "total.xml.gz", None, None,
         dict(counts=[1000000000] * 11)),
    ]
    for row in rows:
        if row[2] is None:  # an aggregate report with other claims, gzipped
            x = agg(**row[4])
            g = gzip.compress(x, mtime=0)
            yield row[0], row[1], g, as_gz(x)
        else:
            yield row


def main():
    out, now = sys.argv[1], int(sys.argv[2])
    day = now - now % DAY - 3 * DAY
    for d in ("files", "Maildir/new", "Maildir/cur", "Maildir/tmp"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    expected = []
    seq = 0

    def put(name, code, data, mdata, domain="", total=0):
        nonlocal seq
        seq += 1
        fname = "%03d-%s" % (seq, name)
        with open(os.path.join(out, "files", fname), "wb") as f:
            f.write(data)
        with open(os.path.join(out, "Maildir/new", "%03d.M%d.test" % (seq, seq)), "wb") as f:
            f.write(mdata)
        expected.append("%s\t%s\t%s\t%d" % (fname, code, domain, total))

    def good(k):
        domain = "good%d.example" % k
        counts = [10 * (k + 1), 5]
        xml = report("good.example", "good-%d" % k, domain, day, day + DAY - 1, counts)
        put("good-%d.xml" % k, "", xml, mail("text/xml", xml, "good-%d.xml" % k), domain,
            sum(counts))

    k = 0
    good(k)
    for code, name, data, mdata in bad_inputs(now):
        put("bad-" + name, code, data, mdata)
        k += 1
        good(k)
    with open(os.path.join(out, "expected.tsv"), "w") as f:
        f.write("\n".join(expected) + "\n")


if __name__ == "__main__":
    main()
