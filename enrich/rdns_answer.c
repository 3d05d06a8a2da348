/*
 * rdns_answer: the DNS answers of rdns.c, read from the raw message
 * (rdns_answer.h). c-ares' own parsers hide TTLs, skip the authority
 * section and refuse the odd names this module must report, so the PTR
 * and negative answers are walked here; the A/AAAA answers go through
 * ares_parse_a_reply and ares_parse_aaaa_reply.
 */
#include "rdns_answer.h"

#include <ares.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
	DNS_CLASS_IN = 1,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_HEADER = 12,
	DNS_WIRE_NAME = 255, /* RFC 1035 3.1: a name on the wire, length bytes included */
};

static uint32_t
min_ttl(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static bool
host_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

static int
digit3(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/*
 * Reads a name as ares_expand_name gives it (c-ares 1.17.2 and later escape
 * odd bytes as \DDD and reserved ones as \c; older ones hand raw bytes) into
 * its labels, then writes it in presentation form, lower case, every byte
 * that is not a host-name byte as \DDD (a '.' inside a label too). Returns
 * whether it is a host name: labels of 1..63 host-name bytes, at most 253
 * bytes in all.
 */
static bool
canon_name(const char *in, char *out, size_t outsz)
{
	unsigned char label[DNS_WIRE_NAME + 1];
	size_t llen = 0, total = 0, o = 0, nlabels = 0;
	bool ok = true, end = false;
	const char *p = in;

	out[0] = '\0';
	while (!end) {
		unsigned c;

		if (*p == '\0' || *p == '.') {
			/* an empty label is only the root's, at the very end */
			end = *p == '\0' || p[1] == '\0';
			if (llen == 0) {
				if (!end || nlabels == 0)
					ok = false;
				if (*p == '.' && !end)
					p++;
				continue;
			}
			if (llen > 63)
				ok = false;
			total += llen + (nlabels > 0);
			for (size_t i = 0; i < llen && o + 5 < outsz; i++) {
				c = label[i];
				if (host_byte((unsigned char)c)) {
					out[o++] =
					    (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
				} else {
					ok = false;
					o += (size_t)snprintf(out + o, outsz - o, "\\%03u", c);
				}
			}
			nlabels++;
			llen = 0;
			if (!end && o + 1 < outsz)
				out[o++] = '.';
			out[o] = '\0';
			p++;
			continue;
		}
		if (*p == '\\' && digit3(p + 1) >= 0 && digit3(p + 1) <= 255) {
			c = (unsigned)digit3(p + 1);
			p += 4;
		} else if (*p == '\\' && p[1] != '\0') {
			c = (unsigned char)p[1];
			p += 2;
		} else {
			c = (unsigned char)*p++;
		}
		if (llen < sizeof label)
			label[llen++] = (unsigned char)c;
		else
			ok = false;
	}
	if (nlabels == 0) {
		snprintf(out, outsz, ".");
		ok = false;
	}
	return ok && total <= 253;
}

/* Keeps a PTR name: the first BOUND_RDNS_PTR_NAMES host names, and the first that is not one. */
static void
keep_name(struct rdns_answer_ptr *out, const char *expanded)
{
	char canon[RDNS_NAME_MAX];

	if (canon_name(expanded, canon, sizeof canon)) {
		/* a host name is at most 253 bytes: it fits */
		if (out->nnames < BOUND_RDNS_PTR_NAMES)
			memcpy(out->names[out->nnames++], canon, strlen(canon) + 1);
	} else if (!out->bad) {
		out->bad = true;
		snprintf(out->bad_name, sizeof out->bad_name, "%s", canon);
	}
}
static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned
rd16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* A resource record of a DNS message, its data at abuf + rdata. */
struct rr {
	unsigned type, class, rdlen;
	uint32_t ttl;
	long rdata;
};

/* Skips the header and the questions: *p at the answer section; the number of records after it. */
static int
skip_questions(const unsigned char *abuf, int alen, long *p, unsigned *nrr)
{
	unsigned qd, i;
	long enclen;
	char *name;

	if (alen < DNS_HEADER)
		return -1;
	qd = rd16(abuf + 4);
	*nrr =
	    rd16(abuf + 6) + rd16(abuf + 8); /* answer and authority: the additional is not used */
	*p = DNS_HEADER;
	for (i = 0; i < qd; i++) {
		if (ares_expand_name(abuf + *p, abuf, alen, &name, &enclen) != ARES_SUCCESS)
			return -1;
		ares_free_string(name);
		*p += enclen + 4;
		if (*p > alen)
			return -1;
	}
	return 0;
}

/* Reads the record at *p, its owner into *owner (ares_free_string), and moves past it. */
static int
read_rr(const unsigned char *abuf, int alen, long *p, struct rr *rr, char **owner)
{
	long enclen;

	if (ares_expand_name(abuf + *p, abuf, alen, owner, &enclen) != ARES_SUCCESS)
		return -1;
	*p += enclen;
	if (*p + 10 > alen)
		goto fail;
	rr->type = rd16(abuf + *p);
	rr->class = rd16(abuf + *p + 2);
	/* RFC 2181 8: a TTL with the top bit set reads as 0 */
	rr->ttl = abuf[*p + 4] & 0x80 ? 0 : rd32(abuf + *p + 4);
	rr->rdlen = rd16(abuf + *p + 8);
	rr->rdata = *p + 10;
	*p = rr->rdata + (long)rr->rdlen;
	if (*p > alen)
		goto fail;
	return 0;
fail:
	ares_free_string(*owner);
	*owner = NULL;
	return -1;
}

/*
 * RFC 2308: a negative answer may be cached for the smaller of its SOA's
 * TTL and minimum field. The SOA is in the authority section, which
 * ares_parse_soa_reply (1.18) does not read: the message is walked here.
 */
uint32_t
rdns_answer_negative_ttl(const unsigned char *abuf, int alen)
{
	unsigned nrr, i;
	long p, q, enclen;
	char *name;
	struct rr rr;

	if (abuf == NULL || skip_questions(abuf, alen, &p, &nrr) == -1)
		return RDNS_ANSWER_NEGATIVE_TTL;
	for (i = 0; i < nrr; i++) {
		if (read_rr(abuf, alen, &p, &rr, &name) == -1)
			break;
		ares_free_string(name);
		if (rr.type != DNS_TYPE_SOA || rr.class != DNS_CLASS_IN)
			continue;
		/* MNAME and RNAME, then serial, refresh, retry, expire, minimum */
		q = rr.rdata;
		if (ares_expand_name(abuf + q, abuf, alen, &name, &enclen) != ARES_SUCCESS)
			break;
		ares_free_string(name);
		q += enclen;
		if (ares_expand_name(abuf + q, abuf, alen, &name, &enclen) != ARES_SUCCESS)
			break;
		ares_free_string(name);
		q += enclen;
		if (q + 20 > rr.rdata + (long)rr.rdlen)
			break;
		return min_ttl(rr.ttl, rd32(abuf + q + 16));
	}
	return RDNS_ANSWER_NEGATIVE_TTL;
}

int
rdns_answer_ptr(const unsigned char *abuf, int alen, const char *qname, struct rdns_answer_ptr *out)
{
	char want[DNS_WIRE_NAME * 4 + 1];
	unsigned nrr, i, cnames = 0;
	long p, enclen;
	char *name;
	struct rr rr;
	bool owner;

	out->nnames = 0;
	out->bad = false;
	out->bad_name[0] = '\0';
	out->ttl = UINT32_MAX;
	snprintf(want, sizeof want, "%s", qname);
	if (abuf == NULL || skip_questions(abuf, alen, &p, &nrr) == -1)
		return -1;
	nrr = rd16(abuf + 6); /* the answer section only */
	for (i = 0; i < nrr; i++) {
		if (read_rr(abuf, alen, &p, &rr, &name) == -1)
			return -1;
		owner = strcasecmp(name, want) == 0;
		ares_free_string(name);
		if (!owner || rr.class != DNS_CLASS_IN ||
		    !(rr.type == DNS_TYPE_PTR ||
		        (rr.type == DNS_TYPE_CNAME && cnames < BOUND_RDNS_CNAMES)))
			continue;
		if (ares_expand_name(abuf + rr.rdata, abuf, alen, &name, &enclen) != ARES_SUCCESS)
			return -1;
		if (rr.type == DNS_TYPE_PTR) {
			keep_name(out, name);
		} else {
			snprintf(want, sizeof want, "%s", name);
			cnames++;
		}
		ares_free_string(name);
		out->ttl = min_ttl(out->ttl, rr.ttl);
	}
	return 0;
}

bool
rdns_answer_has_addr(const unsigned char *abuf, int alen, bool v4, const uint8_t ip[16],
    uint32_t *ttl)
{
	struct ares_addrttl a[BOUND_RDNS_ADDRS];
	struct ares_addr6ttl a6[BOUND_RDNS_ADDRS];
	int n = BOUND_RDNS_ADDRS, i;
	bool match = false;

	if (abuf == NULL)
		return false;
	if (v4 ? ares_parse_a_reply(abuf, alen, NULL, a, &n) != ARES_SUCCESS :
	         ares_parse_aaaa_reply(abuf, alen, NULL, a6, &n) != ARES_SUCCESS)
		return false;
	for (i = 0; i < n; i++) {
		uint32_t t = (uint32_t)(v4 ? a[i].ttl : a6[i].ttl);
		bool same = v4 ? memcmp(&a[i].ipaddr, ip + 12, 4) == 0 :
		                 memcmp(&a6[i].ip6addr, ip, 16) == 0;

		*ttl = min_ttl(*ttl, t);
		match |= same;
	}
	return match;
}
