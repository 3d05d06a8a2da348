#!/usr/bin/env python3
"""Write a demo Maildir of DMARC aggregate-report emails for dmarcd.

Usage: demo_maildir.py OUTDIR [--days 30] [--seed 1] [--end-date YYYY-MM-DD]

What it models
  Three policy domains, each publishing one DMARC record:
    example.com        p=none                  (monitoring only)
    shop.example.net   p=quarantine; pct=50    (staged enforcement)
    news.example.org   p=reject                (fully enforced)
  Four receivers send one report per (receiver, policy domain, UTC day):
    google.com   RFC 7489, ZIP attachment (application/zip), header_from only
    Outlook.com  RFC 7489, GZIP, xmlns:xsd/xsi on the root, envelope_to set
    Yahoo        pre-RFC "draft" schema (no <version>), GZIP, tab indented
    receiver.example  RFC 9990 (dmarc-2.0 namespace, generator, np, testing,
                 discovery_method, no pct, "pass" disposition), GZIP
  Sending sources seen for every domain:
    own MTA      192.0.2.x and 2001:db8:N::25, SPF and DKIM aligned -> pass
    ESP          Twilio SendGrid, 167.89.101.200-203; authenticates as
                 sendgrid.net.  For example.com it is not aligned (fails
                 DMARC); the other two domains let it sign with their own d=
                 (passes via DKIM)
    forwarder    Google Groups, 209.85.220.41 and 2607:f8b0:4864:20::b41:
                 SPF fails, DKIM survives -> pass; on some days the list
                 breaks DKIM too (it signs as googlegroups.com), and enforced
                 domains see the override reason mailing_list
    spoofers     198.51.100.x / 203.0.113.x, 1-3 messages each, failing
                 everything; disposition follows the published policy
                 (pct=50 sampling gives sampled_out on RFC 7489 reports)
  policy_evaluated is derived from auth_results with relaxed alignment.
  Two extra mails: one re-delivery of an existing report (same XML, new
  mail) to show dedup, and one mail whose gzip attachment is truncated to
  show a refusal in the ingest log.

Output is a pure function of --seed, --days and --end-date: no wall clock
(except the default end date), no real pid, fixed gzip/zip timestamps.
Senders use documentation IP ranges and example domains, except the ESP and
the list, which are two well-known services in their own address ranges, so
that the dashboard can show what `dmarcd enrich` names.
"""

import argparse
import base64
import datetime as dt
import gzip
import hashlib
import io
import os
import random
import sys
import zipfile
from email.utils import format_datetime
from xml.sax.saxutils import escape

DOMAINS = [
    {"name": "example.com", "p": "none", "pct": 100, "base": 900,
     "mta": ["192.0.2.10", "192.0.2.11", "2001:db8:10::25"],
     "esp_aligned": False, "spf_fail": "softfail"},
    {"name": "shop.example.net", "p": "quarantine", "pct": 50, "base": 250,
     "mta": ["192.0.2.20", "192.0.2.21", "2001:db8:20::25"],
     "esp_aligned": True, "spf_fail": "fail"},
    {"name": "news.example.org", "p": "reject", "pct": 100, "base": 1800,
     "mta": ["192.0.2.30", "192.0.2.31", "2001:db8:30::25"],
     "esp_aligned": True, "spf_fail": "fail"},
]

REPORTERS = [    # share: fraction of a domain's daily volume seen by this receiver
    {"key": "google", "org": "google.com", "email": "noreply-dmarc-support@google.com",
     "submitter": "google.com", "share": 0.45, "dialect": "rfc7489", "archive": "zip"},
    {"key": "outlook", "org": "Outlook.com", "email": "dmarcreport@microsoft.com",
     "submitter": "protection.outlook.com", "share": 0.25, "dialect": "rfc7489",
     "archive": "gzip"},
    {"key": "yahoo", "org": "Yahoo", "email": "dmarchelp@yahooinc.com",
     "submitter": "yahoo.com", "share": 0.15, "dialect": "draft", "archive": "gzip"},
    {"key": "rfc9990", "org": "Receiver Example Mail", "email": "dmarc-reports@receiver.example",
     "submitter": "receiver.example", "share": 0.15, "dialect": "rfc9990", "archive": "gzip"},
]

ESP_IPS = ["167.89.101.200", "167.89.101.201", "167.89.101.202", "167.89.101.203"]
FWD_IPS = ["209.85.220.41", "2607:f8b0:4864:20::b41"]
SPOOF_IPS = ["198.51.100.%d" % i for i in range(2, 255, 7)] + \
    ["203.0.113.%d" % i for i in range(3, 255, 11)]
SPOOF_ENVFROM = ["", "bulk.spam.example", "invoice-notice.example", "mailer.invalid.example"]
WEAKER = {"reject": "quarantine", "quarantine": "none", "none": "none"}
RUA = "dmarc-rua@example.com"
DAY = 86400
MAIL_TEMPLATE = """\
From: DMARC Aggregate Report <{sender}>
To: {to}
Subject: {subject}
Date: {date}
Message-ID: <{msgid}>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="{boundary}"

This is a multi-part message in MIME format.

--{boundary}
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

{text}

--{boundary}
Content-Type: {ctype};
 name="{name}"
Content-Transfer-Encoding: base64
Content-Disposition: attachment;
 filename="{name}"

{b64}
--{boundary}--
"""


def org_domain(d):
    """Organizational domain for the example names used here (last two labels)."""
    return ".".join(d.split(".")[-2:])


def aligned(a, b):
    """Relaxed alignment."""
    return bool(a) and bool(b) and org_domain(a) == org_domain(b)


def split(rng, total, parts):
    """Split total (>= parts) into `parts` positive integers with random weights."""
    w = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    out = [max(1, int(total * x / sum(w))) for x in w]
    out[0] += max(0, total - sum(out))
    return out


def make_record(dom, rep, rng, ip, count, env_from, dkim, spf, list_override=False):
    """One <record>: policy_evaluated is computed from the raw results."""
    h = dom["name"]
    pe_dkim = "pass" if any(r == "pass" and aligned(d, h) for d, _, r in dkim) else "fail"
    pe_spf = "pass" if any(r == "pass" and aligned(d, h) for d, r in spf) else "fail"
    reasons = []
    if pe_dkim == "pass" or pe_spf == "pass":
        disp = "pass" if rep["dialect"] == "rfc9990" and dom["p"] != "none" else "none"
    elif dom["p"] == "none":
        disp = "none"
    elif list_override:
        disp = "none"
        reasons.append(("mailing_list", "list traffic, local heuristics"))
    elif rep["dialect"] != "rfc9990" and rng.random() * 100 >= dom["pct"]:
        disp = WEAKER[dom["p"]]
        reasons.append(("sampled_out", None))
    else:
        disp = dom["p"]
    env_to = {"outlook": rng.choice(["outlook.com", "hotmail.com"]),
              "rfc9990": "receiver.example"}.get(rep["key"])
    return {"ip": ip, "count": count, "disp": disp, "dkim_pe": pe_dkim, "spf_pe": pe_spf,
        "reasons": reasons, "env_to": env_to, "env_from": env_from, "hfrom": h,
        "dkim": dkim, "spf": spf}


def build_records(dom, rep, rng, day_index):
    h = dom["name"]
    weekend = day_index % 7 in (2, 3)    # day 0 (1970-01-01) was a Thursday
    total = max(20, int(dom["base"] * rep["share"] * (0.65 if weekend else 1.0)
                        * rng.uniform(0.8, 1.2)))
    bounce = "bounce." + h
    recs = []
    mta_ips = dom["mta"] if rng.random() < 0.6 else dom["mta"][:2]
    for ip, n in zip(mta_ips, split(rng, int(total * 0.78), len(mta_ips))):
        recs.append(make_record(dom, rep, rng, ip, n, bounce,
            [(h, "s2024", "pass")], [(bounce, "pass")]))
    esp_ips = rng.sample(ESP_IPS, rng.randint(1, 2))
    for ip, n in zip(esp_ips, split(rng, max(len(esp_ips), int(total * 0.14)), len(esp_ips))):
        dkim = [(h, "esp1", "pass")] if dom["esp_aligned"] else []
        dkim.append(("sendgrid.net", "smtpapi", "pass"))
        recs.append(make_record(dom, rep, rng, ip, n, "sendgrid.net",
            dkim, [("sendgrid.net", "pass")]))
    recs.append(make_record(dom, rep, rng, rng.choice(FWD_IPS), max(1, int(total * 0.06)), h,
        [(h, "s2024", "pass")], [(h, dom["spf_fail"])]))
    if rng.random() < 0.4:    # a mailing list that rewrote the body: DKIM broken
        recs.append(make_record(dom, rep, rng, FWD_IPS[0], max(1, int(total * 0.02)),
            "googlegroups.com",
            [(h, "s2024", "fail"), ("googlegroups.com", "20230601", "pass")],
            [("googlegroups.com", "pass")], list_override=True))
    for ip in rng.sample(SPOOF_IPS, rng.randint(0, 4)):
        env = rng.choice(SPOOF_ENVFROM) or h
        dkim = [("bulk.spam.example", "x", "pass")] if rng.random() < 0.3 else []
        res = dom["spf_fail"] if env == h else rng.choice(["none", "softfail", "fail"])
        recs.append(make_record(dom, rep, rng, ip, rng.randint(1, 3), env, dkim, [(env, res)]))
    return recs


def render(nodes, ind, depth):
    """nodes: list of (tag, text-or-list); None values are skipped."""
    out = []
    for tag, val in nodes:
        if val is None:
            continue
        pad = ind * depth
        if isinstance(val, list):
            out.append("%s<%s>" % (pad, tag))
            out.extend(render(val, ind, depth + 1))
            out.append("%s</%s>" % (pad, tag))
        else:
            out.append("%s<%s>%s</%s>" % (pad, tag, escape(str(val)), tag))
    return out


def report_xml(dom, rep, rid, begin, recs):
    v9 = rep["dialect"] == "rfc9990"
    meta = [("org_name", rep["org"]), ("email", rep["email"]),
        ("extra_contact_info", "https://support.google.com/a/answer/2466580"
            if rep["key"] == "google" else None),
        ("report_id", rid), ("date_range", [("begin", begin), ("end", begin + DAY - 1)]),
        ("generator", "receiver.example dmarc-reporter 2.1" if v9 else None)]
    pol = [("domain", dom["name"]), ("discovery_method", "treewalk" if v9 else None),
        ("adkim", "r"), ("aspf", "r"), ("p", dom["p"]), ("sp", dom["p"]),
        ("np", dom["p"] if v9 else None), ("pct", None if v9 else dom["pct"]),
        ("fo", "0" if rep["key"] in ("google", "outlook") else None),
        ("testing", "n" if v9 else None)]
    body = [("version", None if rep["dialect"] == "draft" else "1.0"),
        ("report_metadata", meta), ("policy_published", pol)]
    for r in recs:
        pe = [("disposition", r["disp"]), ("dkim", r["dkim_pe"]), ("spf", r["spf_pe"])]
        pe += [("reason", [("type", t), ("comment", c)]) for t, c in r["reasons"]]
        env_from = None if rep["key"] == "google" else r["env_from"]
        ids = [("envelope_to", r["env_to"]), ("envelope_from", env_from),
            ("header_from", r["hfrom"])]
        if v9:
            ids.reverse()
        auth = [("dkim", [("domain", d), ("selector", s), ("result", res)])
            for d, s, res in r["dkim"]]
        auth += [("spf", [("domain", d), ("scope", "mfrom"), ("result", res)])
            for d, res in r["spf"]]
        body.append(("record", [("row", [("source_ip", r["ip"]), ("count", r["count"]),
            ("policy_evaluated", pe)]), ("identifiers", ids), ("auth_results", auth)]))
    root = "<feedback>"
    if v9:
        root = '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">'
    elif rep["key"] == "outlook":
        root = ('<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', root]
    lines += render(body, "\t" if rep["key"] == "yahoo" else "  ", 1) + ["</feedback>", ""]
    return "\n".join(lines).encode("utf-8")


def pack(rep, xml_name, xml, mtime):
    """Compress the report: GZIP member with FNAME, or a one-entry ZIP."""
    buf = io.BytesIO()
    if rep["archive"] == "zip":
        stamp = dt.datetime.fromtimestamp(mtime, dt.timezone.utc).timetuple()[:6]
        info = zipfile.ZipInfo(xml_name, stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o644 << 16
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(info, xml)
    else:
        with gzip.GzipFile(xml_name, "wb", 9, buf, mtime) as g:
            g.write(xml)
    return buf.getvalue()


def make_mail(rep, dom, rid, sent, att_name, att, msgid):
    b64 = base64.b64encode(att).decode("ascii")
    b64 = "\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    ctype = "application/zip" if rep["archive"] == "zip" else "application/gzip"
    subj = "Report Domain: %s Submitter: %s Report-ID: <%s>" % (dom["name"], rep["submitter"], rid)
    if rep["key"] == "google":
        subj = "Report domain: %s Submitter: google.com Report-ID: %s" % (dom["name"], rid)
    elif rep["dialect"] == "rfc9990":    # folded, as in the RFC 9990 example
        subj = "Report Domain: %s\n\tSubmitter: %s\n\tReport-ID: <%s>" % (
            dom["name"], rep["submitter"], rid)
    text = "This is an aggregate DMARC report for %s from %s." % (dom["name"], rep["org"])
    mail = MAIL_TEMPLATE.format(
        sender=rep["email"], to=RUA, subject=subj, msgid=msgid, text=text,
        date=format_datetime(dt.datetime.fromtimestamp(sent, dt.timezone.utc)),
        boundary="=_demo_" + hashlib.sha256(msgid.encode()).hexdigest()[:16],
        ctype=ctype, name=att_name, b64=b64)
    return mail.encode("ascii")


def report_id(rep, rng, begin):
    if rep["key"] == "google":
        return str(rng.randrange(10 ** 19, 10 ** 20))
    if rep["key"] == "outlook":
        return "%032x" % rng.getrandbits(128)
    if rep["key"] == "yahoo":
        return "%d.%06d" % (begin + rng.randrange(3600), rng.randrange(10 ** 6))
    return "%016x" % rng.getrandbits(64)


def generate(days, seed, end_date):
    """Return (mails, n_reports): mails is a list of (delivery time, bytes)."""
    first = dt.datetime(end_date.year, end_date.month, end_date.day,
        tzinfo=dt.timezone.utc) - dt.timedelta(days=days - 1)
    mails, reports = [], []
    for di in range(days):
        begin = int(first.timestamp()) + di * DAY
        day_index = begin // DAY
        for dom in DOMAINS:
            for rep in REPORTERS:
                rng = random.Random("%d|%s|%s|%d" % (seed, rep["key"], dom["name"], begin))
                rid = report_id(rep, rng, begin)
                recs = build_records(dom, rep, rng, day_index)
                xml = report_xml(dom, rep, rid, begin, recs)
                stem = "%s!%s!%d!%d" % (rep["submitter"], dom["name"], begin, begin + DAY - 1)
                if rep["dialect"] == "rfc9990":
                    stem += "!" + rid
                ext = ".zip" if rep["archive"] == "zip" else ".xml.gz"
                att = pack(rep, stem + ".xml", xml, begin + DAY)
                sent = begin + DAY + rng.randrange(600, 8 * 3600)
                msgid = "%s@%s" % (rid, rep["submitter"])
                mails.append((sent, make_mail(rep, dom, rid, sent, stem + ext, att, msgid)))
                reports.append((rep, dom, rid, begin, sent, stem + ext, att, msgid))
    rng = random.Random("%d|extras" % seed)
    # The same report delivered twice (e.g. a retry after a timeout): a new
    # mail, new Message-ID and Date, identical attachment and file name.
    rep, dom, rid, begin, sent, name, att, msgid = rng.choice(reports)
    again = sent + rng.randrange(3600, 6 * 3600)
    mails.append((again, make_mail(rep, dom, rid, again, name, att, "resend." + msgid)))
    # A report mail whose gzip attachment was cut short in transit.
    rep, dom, rid, begin, sent, name, att, msgid = rng.choice(
        [r for r in reports if r[0]["archive"] == "gzip"])
    cut = sent + rng.randrange(60, 3600)
    mails.append((cut, make_mail(rep, dom, rid, cut, name, att[:len(att) // 2],
        "truncated." + msgid)))
    mails.sort(key=lambda m: m[0])
    return mails, len(reports)


def write_maildir(outdir, mails, seed):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    if os.listdir(os.path.join(outdir, "new")):
        sys.exit("demo_maildir: %s/new is not empty; remove it first" % outdir)
    pid = 4000 + seed % 1000
    for n, (sent, data) in enumerate(mails, 1):
        name = "%d.M%dP%d.demo" % (sent, n, pid)
        tmp = os.path.join(outdir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(outdir, "new", name))


def main():
    ap = argparse.ArgumentParser(description="Write a demo Maildir of DMARC aggregate reports.")
    ap.add_argument("outdir")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--end-date", help="last reported UTC day, YYYY-MM-DD (default: yesterday)")
    a = ap.parse_args()
    if not 1 <= a.days <= 3660:
        ap.error("--days must be between 1 and 3660")
    if a.seed < 0:
        ap.error("--seed must be >= 0")
    if a.end_date:
        try:
            end = dt.date.fromisoformat(a.end_date)
        except ValueError:
            ap.error("--end-date must be YYYY-MM-DD")
    else:
        end = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)
    mails, n_reports = generate(a.days, a.seed, end)
    write_maildir(a.outdir, mails, a.seed)
    print("demo maildir: %d mails (%d reports, %d days, %d domains) in %s" % (
        len(mails), n_reports, a.days, len(DOMAINS), a.outdir))


if __name__ == "__main__":
    main()
