#!/usr/bin/env python3
"""Writes the aggregate-report corpus of one advisor scenario (tests/scenarios/*.ini).

Usage: gen.py SCENARIO.ini OUTDIR

Contract: the output is a pure function of the scenario file (its seed included):
no clock, no network. OUTDIR/reports gets one report per reporter and day, as a bare
XML file or, with `delivery = mail`, as a signed-looking .eml whose topmost
Authentication-Results says dmarc=pass (what a receiving server adds to real
reports); OUTDIR/forged gets the scenario's forged report, if any (a bare .xml,
or an .eml with no DKIM signature and no Authentication-Results), to be read
after the others, as it would arrive. The scenario format is
described in tests/scenarios/README.md; run.py reads the same file for the
owner's commands and the expectations.

The model, per day of the scenario:
- the policy published that day (the [policy] phases);
- each [sender NAME] sends `per_day` messages (or `per_network` per network),
  40 % fewer on Saturdays and Sundays (`weekend_dip`), +-10 % noise, on the
  days it is active; a scattered sender uses new addresses every day, 1-3
  messages each (spoofing);
- the messages are split over the reporters by their share of the domain's
  mail; every `thin_every` days one reporter (in turn) sends a thin report
  (a tenth of its share);
- each receiver evaluates DMARC with relaxed alignment (DKIM and SPF pass
  for a domain of the same organisational domain as the From domain) and
  applies the policy as its generation reads it: RFC 7489 receivers apply
  pct (the rest one step milder, reason sampled_out) and ignore t=; RFC 9990
  receivers apply t=y as one step milder (reason policy_test_mode) and
  ignore pct. A failing sender with an override `reason` (forwarded,
  mailing_list) is delivered with that reason. RFC 7489 reports carry pct,
  RFC 9990 reports carry testing=y only while t=y is published.
"""

import base64
import configparser
import gzip
import hashlib
import io
import ipaddress
import os
import random
import sys
from xml.sax.saxutils import escape

DAY = 86400

# The reporters a scenario can name: org_name, email, share of the domain's mail, dialect.
REPORTERS = {
    "google": {"org": "google.com", "email": "noreply-dmarc-support@google.com",
               "share": 0.45, "dialect": "rfc7489", "submitter": "google.com"},
    "outlook": {"org": "Outlook.com", "email": "dmarcreport@microsoft.com",
                "share": 0.25, "dialect": "rfc7489", "submitter": "protection.outlook.com"},
    "yahoo": {"org": "Yahoo", "email": "dmarchelp@yahooinc.com",
              "share": 0.15, "dialect": "rfc7489", "submitter": "yahoo.com"},
    "receiver": {"org": "Receiver Example Mail", "email": "dmarc-reports@receiver.example",
                 "share": 0.15, "dialect": "rfc9990", "submitter": "receiver.example"},
}
DEFAULT_REPORTERS = ["google", "outlook", "yahoo", "receiver"]
STEP_DOWN = {"reject": "quarantine", "quarantine": "none", "none": "none"}


def day_of(text):
    """YYYY-MM-DD into days since 1970-01-01."""
    y, m, d = (int(x) for x in text.split("-"))
    # days_from_civil (H. Hinnant), as common/days.c
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def day_text(day):
    import datetime
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()


def org_domain(d):
    """The organisational domain of the invented names used here: the last two labels."""
    return ".".join(d.lower().split(".")[-2:])


def parse_days(spec, ndays):
    """'all', 'A-B' (1-based), 'first N', 'last N', comma-separated: a set of day indexes."""
    out = set()
    for part in (p.strip() for p in spec.split(",")):
        if part in ("", "all"):
            out |= set(range(ndays))
        elif part.startswith("first "):
            out |= set(range(min(ndays, int(part[6:]))))
        elif part.startswith("last "):
            out |= set(range(max(0, ndays - int(part[5:])), ndays))
        elif "-" in part:
            a, b = part.split("-")
            out |= set(range(int(a) - 1, min(ndays, int(b))))
        else:
            out.add(int(part) - 1)
    return out


def parse_auth(spec, domain):
    """'DOMAIN RESULT, ...' or 'none' into [(domain, result)]."""
    spec = spec.replace("{domain}", domain).strip()
    if spec in ("", "none"):
        return []
    out = []
    for part in spec.split(","):
        d, r = part.split()
        out.append((d.lower(), r.lower()))
    return out


class Scenario:
    """A scenario file, read: what the generator and the runner both need."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        cp = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",),
                                       comment_prefixes=("#", ";"))
        cp.optionxform = str
        with open(path, encoding="utf-8") as f:
            cp.read_file(f)
        self.cp = cp
        s = cp["scenario"]
        self.domain = s["domain"].lower()
        self.start = day_of(s["start"])
        self.days = int(s.get("days", "45"))
        self.last = self.start + self.days - 1
        self.as_of = day_of(s["as_of"]) if "as_of" in s else self.last
        self.seed = int(s.get("seed", "1"))
        self.delivery = s.get("delivery", "file")
        names = [x.strip() for x in s.get("reporters", ",".join(DEFAULT_REPORTERS)).split(",")]
        self.reporters = [dict(REPORTERS[n], key=n) for n in names if n]
        total = sum(r["share"] for r in self.reporters)
        for r in self.reporters:
            r["share"] /= total
        self.weekend_dip = float(s.get("weekend_dip", "40")) / 100
        self.thin_every = int(s.get("thin_every", "11"))
        self.phases = self._phases(cp["policy"]["phases"] if cp.has_section("policy") else
                                   "%d p=none" % self.days)
        self.senders = [self._sender(sec[7:].strip(), cp[sec]) for sec in cp.sections()
                        if sec.startswith("sender ")]
        self.forged = dict(cp["forged"]) if cp.has_section("forged") else None
        self.owner = dict(cp["owner"]) if cp.has_section("owner") else {}
        self.config = {sec[7:].strip(): dict(cp[sec]) for sec in cp.sections()
                       if sec.startswith("config ")}
        self.expect = dict(cp["expect"])

    def _phases(self, text):
        """'DAYS p=.. [sp=..] [pct=N] [t=y]' lines into one policy per day."""
        per_day = []
        for line in (x.strip() for x in text.strip().splitlines()):
            if not line:
                continue
            words = line.split()
            tags = dict(w.split("=", 1) for w in words[1:])
            pol = {"p": tags["p"], "sp": tags.get("sp"), "pct": int(tags.get("pct", "100")),
                   "t": tags.get("t", "n")}
            per_day += [pol] * int(words[0])
        if not per_day:
            raise ValueError("%s: [policy] phases is empty" % self.path)
        while len(per_day) < self.days:
            per_day.append(per_day[-1])
        return per_day[:self.days]

    def _sender(self, name, sec):
        d = self.domain
        snd = {
            "name": name,
            "header_from": sec.get("header_from", "{domain}").replace("{domain}", d).lower(),
            "dkim": parse_auth(sec.get("dkim", "none"), d),
            "spf": parse_auth(sec.get("spf", "none"), d),
            "reason": sec.get("reason", "").strip() or None,
            "days": parse_days(sec.get("days", "all"), self.days),
            "scattered": sec.get("scattered", "no") == "yes",
            "per_day": float(sec.get("per_day", "0")),
            "per_network": None,
            "ips": [x.strip() for x in sec.get("ips", "").split(",") if x.strip()],
            "networks": int(sec.get("networks", "0")),
        }
        if "per_network" in sec:
            lo, _, hi = sec["per_network"].partition("-")
            snd["per_network"] = (float(lo), float(hi or lo))
        return snd


# ---- the receivers' view ----

def evaluate(snd, pol, domain):
    """policy_evaluated dkim/spf results and the policy that applies to the From domain."""
    org = org_domain(snd["header_from"])
    dkim_ok = any(r == "pass" and org_domain(dd) == org for dd, r in snd["dkim"])
    spf_ok = any(r == "pass" and org_domain(dd) == org for dd, r in snd["spf"])
    applies = pol["p"]
    if snd["header_from"] != domain and pol["sp"]:
        applies = pol["sp"]
    return dkim_ok, spf_ok, applies


def dispositions(count, passed, applies, pol, rep, reason, rng):
    """[(count, disposition, [reasons])] for count messages seen by reporter rep."""
    rfc9990 = rep["dialect"] == "rfc9990"
    if passed:
        return [(count, "pass" if rfc9990 and applies != "none" else "none", [])]
    if reason is not None:
        return [(count, "none", [reason])]
    if applies == "none":
        return [(count, "none", [])]
    if rfc9990:
        if pol["t"] == "y":
            return [(count, STEP_DOWN[applies], ["policy_test_mode"])]
        return [(count, applies, [])]
    if pol["pct"] >= 100:
        return [(count, applies, [])]
    hit = sum(1 for _ in range(count) if rng.random() * 100 < pol["pct"]) if count < 400 \
        else round(count * pol["pct"] / 100)
    out = []
    if hit:
        out.append((hit, applies, []))
    if count - hit:
        out.append((count - hit, STEP_DOWN[applies], ["sampled_out"]))
    return out


# ---- addresses ----

def network_ips(rng, n, used):
    """n addresses, one in each of n distinct /24 networks of 100.64.0.0/10."""
    out = []
    while len(out) < n:
        net = rng.randrange(1 << 14)
        if net in used:
            continue
        used.add(net)
        base = int(ipaddress.IPv4Address("100.64.0.0")) + (net << 8)
        out.append(str(ipaddress.IPv4Address(base + rng.randrange(1, 255))))
    return out


def scattered_ip(rng):
    """An address of a spoofer: anywhere in 10.0.0.0/8, or a /48 of 2001:db8::/32."""
    if rng.random() < 0.25:
        return "2001:db8:%x:%x::%x" % (rng.randrange(1 << 16), rng.randrange(1 << 16),
                                       rng.randrange(1, 1 << 16))
    return "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))


def split(total, weights, rng):
    """total into len(weights) whole parts in proportion (random for small totals)."""
    if total <= 0:
        return [0] * len(weights)
    if total < 200:
        parts = [0] * len(weights)
        for i in rng.choices(range(len(weights)), weights=weights, k=total):
            parts[i] += 1
        return parts
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])
    for i in order[:total - sum(parts)]:
        parts[i] += 1
    return parts


# ---- documents ----

def record_xml(ip, count, disp, reasons, dkim_ok, spf_ok, snd, rep):
    rfc9990 = rep["dialect"] == "rfc9990"
    x = ["<record><row><source_ip>%s</source_ip><count>%d</count><policy_evaluated>"
         "<disposition>%s</disposition><dkim>%s</dkim><spf>%s</spf>"
         % (ip, count, disp, "pass" if dkim_ok else "fail", "pass" if spf_ok else "fail")]
    for r in reasons:
        x.append("<reason><type>%s</type></reason>" % r)
    x.append("</policy_evaluated></row><identifiers>")
    if rfc9990 and snd["spf"]:
        x.append("<envelope_from>%s</envelope_from>" % escape(snd["spf"][0][0]))
    x.append("<header_from>%s</header_from></identifiers><auth_results>"
             % escape(snd["header_from"]))
    for d, r in snd["dkim"]:
        x.append("<dkim><domain>%s</domain><selector>s1</selector><result>%s</result></dkim>"
                 % (escape(d), r))
    for d, r in snd["spf"]:
        x.append("<spf><domain>%s</domain><scope>mfrom</scope><result>%s</result></spf>"
                 % (escape(d), r))
    x.append("</auth_results></record>\n")
    return "".join(x)


def report_xml(rep, domain, report_id, begin, end, pol, records):
    rfc9990 = rep["dialect"] == "rfc9990"
    head = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    head.append('<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">\n' if rfc9990 else
                "<feedback>\n")
    head.append("<version>1.0</version><report_metadata><org_name>%s</org_name>"
                "<email>%s</email><report_id>%s</report_id><date_range><begin>%d</begin>"
                "<end>%d</end></date_range>" % (escape(rep["org"]), escape(rep["email"]),
                                                report_id, begin, end))
    if rfc9990:
        head.append("<generator>receiver-example-dmarc 2.1</generator>")
    head.append("</report_metadata>\n<policy_published><domain>%s</domain>"
                "<adkim>r</adkim><aspf>r</aspf><p>%s</p>" % (domain, pol["p"]))
    if pol["sp"]:
        head.append("<sp>%s</sp>" % pol["sp"])
    if rfc9990:
        if pol["t"] == "y":
            head.append("<testing>y</testing>")
        head.append("<discovery_method>treewalk</discovery_method>")
    else:
        head.append("<pct>%d</pct>" % pol["pct"])
    head.append("</policy_published>\n")
    return ("".join(head) + "".join(records) + "</feedback>\n").encode("utf-8")


def mail(rep, domain, report_id, xml, name, authenticated):
    """A report mail: a gzip attachment; real ones carry the receiving server's verdict."""
    buf = io.BytesIO()
    with gzip.GzipFile(name, "wb", 6, buf, mtime=0) as g:
        g.write(xml)
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    b64 = "\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    boundary = "=_suite_" + hashlib.sha256(name.encode()).hexdigest()[:16]
    sender_domain = rep["email"].split("@")[1]
    head = []
    if authenticated:
        head.append("Authentication-Results: mx.%s; dkim=pass header.d=%s; spf=pass "
                    "smtp.mailfrom=%s; dmarc=pass header.from=%s" % (
                        domain, sender_domain, sender_domain, sender_domain))
        head.append("DKIM-Signature: v=1; a=rsa-sha256; d=%s; s=dmarc; h=from:subject; "
                    "bh=AAAA; b=AAAA" % sender_domain)
    head += [
        "From: DMARC Aggregate Report <%s>" % rep["email"],
        "To: dmarc-rua@%s" % domain,
        "Subject: Report Domain: %s Submitter: %s Report-ID: <%s>" % (
            domain, rep["submitter"], report_id),
        "Message-ID: <%s@%s>" % (hashlib.sha256(name.encode()).hexdigest()[:24], sender_domain),
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="%s"' % boundary,
    ]
    body = ("\n\n--{b}\nContent-Type: text/plain; charset=us-ascii\n\n"
            "This is an aggregate DMARC report for {d}.\n\n--{b}\n"
            "Content-Type: application/gzip; name=\"{n}.gz\"\n"
            "Content-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=\"{n}.gz\"\n\n{x}\n--{b}--\n").format(
                b=boundary, d=domain, n=name, x=b64)
    return ("\n".join(head) + body).encode("ascii")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def generate(sc, outdir):
    """Writes the scenario's corpus into outdir; returns the number of files written."""
    rng = random.Random(sc.seed)
    reports = os.path.join(outdir, "reports")
    os.makedirs(reports, exist_ok=True)
    used_nets = set()
    for snd in sc.senders:
        if snd["networks"] and not snd["ips"]:
            snd["ips"] = network_ips(rng, snd["networks"], used_nets)
        if not snd["ips"] and not snd["scattered"]:
            raise ValueError("%s: [sender %s] needs ips, networks or scattered = yes"
                             % (sc.path, snd["name"]))
    weights = [r["share"] for r in sc.reporters]
    files = 0
    for i in range(sc.days):
        day = sc.start + i
        pol = sc.phases[i]
        weekend = (day + 3) % 7 >= 5
        dip = 1 - sc.weekend_dip if weekend else 1.0
        w = list(weights)
        if sc.thin_every and i % sc.thin_every == sc.thin_every - 1 and len(w) > 1:
            w[(i // sc.thin_every) % len(w)] *= 0.1
        recs = [[] for _ in sc.reporters]
        for snd in sc.senders:
            if i not in snd["days"]:
                continue
            dkim_ok, spf_ok, applies = evaluate(snd, pol, sc.domain)
            cells = []  # (reporter index, ip, count)
            if snd["scattered"]:
                left = round(snd["per_day"] * dip * rng.uniform(0.9, 1.1))
                while left > 0:
                    n = min(left, rng.randint(1, 3))
                    left -= n
                    k = rng.choices(range(len(w)), weights=w)[0]
                    cells.append((k, scattered_ip(rng), n))
            else:
                if snd["per_network"]:
                    lo, hi = snd["per_network"]
                    per_ip = [round(rng.uniform(lo, hi) * dip) for _ in snd["ips"]]
                else:
                    total = round(snd["per_day"] * dip * rng.uniform(0.9, 1.1))
                    per_ip = split(total, [1.0] * len(snd["ips"]), rng)
                for ip, n in zip(snd["ips"], per_ip):
                    for k, c in enumerate(split(n, w, rng)):
                        if c:
                            cells.append((k, ip, c))
            for k, ip, c in cells:
                for cnt, disp, reasons in dispositions(c, dkim_ok or spf_ok, applies, pol,
                                                        sc.reporters[k], snd["reason"], rng):
                    recs[k].append(record_xml(ip, cnt, disp, reasons, dkim_ok, spf_ok, snd,
                                              sc.reporters[k]))
        for k, rep in enumerate(sc.reporters):
            if not recs[k]:
                continue
            begin, end = day * DAY, day * DAY + DAY - 1
            rid = "%s-%s-%d" % (rep["key"], hashlib.sha256(
                ("%s %s %d" % (sc.name, rep["key"], day)).encode()).hexdigest()[:12], day)
            name = "%s!%s!%d!%d.xml" % (rep["submitter"], sc.domain, begin, end)
            xml = report_xml(rep, sc.domain, rid, begin, end, pol, recs[k])
            if sc.delivery == "mail":
                write(os.path.join(reports, name[:-4] + ".eml"),
                      mail(rep, sc.domain, rid, xml, name, True))
            else:
                write(os.path.join(reports, name), xml)
            files += 1
    if sc.forged:
        files += forge(sc, outdir)
    return files


def forge(sc, outdir):
    """The forged report: an existing reporter's name, one report over the days it claims."""
    f = sc.forged
    rep = dict(REPORTERS[f.get("reporter", "google")], key=f.get("reporter", "google"))
    days = sorted(parse_days(f.get("days", "all"), sc.days))
    begin, end = (sc.start + days[0]) * DAY, (sc.start + days[-1]) * DAY + DAY - 1
    snd = {"header_from": sc.domain, "dkim": parse_auth(f.get("dkim", "{domain} pass"), sc.domain),
           "spf": parse_auth(f.get("spf", "{domain} pass"), sc.domain)}
    pol = sc.phases[days[-1]]
    dkim_ok, spf_ok, applies = evaluate(snd, pol, sc.domain)
    recs = [record_xml(ip.strip(), int(f.get("count", "60000")) // len(f["ips"].split(",")),
                       "pass" if rep["dialect"] == "rfc9990" and applies != "none" else "none",
                       [], dkim_ok, spf_ok, snd, rep) for ip in f["ips"].split(",")]
    rid = str(int(hashlib.sha256(sc.name.encode()).hexdigest()[:16], 16))
    name = "%s!%s!%d!%d.xml" % (rep["submitter"], sc.domain, begin, end)
    xml = report_xml(rep, sc.domain, rid, begin, end, pol, recs)
    forged = os.path.join(outdir, "forged")
    os.makedirs(forged, exist_ok=True)
    if f.get("by", "file") == "mail":
        write(os.path.join(forged, name[:-4] + ".eml"), mail(rep, sc.domain, rid, xml, name, False))
    else:
        write(os.path.join(forged, name), xml)
    return 1


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen.py SCENARIO.ini OUTDIR\n")
        return 2
    sc = Scenario(argv[1])
    n = generate(sc, argv[2])
    print("%s: %d files in %s" % (sc.name, n, argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
