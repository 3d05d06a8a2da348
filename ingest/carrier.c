/*
 * carrier: a report's origin from its mail's signatures (carrier.h). The
 * reporter's identity is its registrable domain by the Public Suffix List
 * (libpsl's built-in copy: no file or network read), so that a signature by
 * google.com vouches for noreply-dmarc-support@google.com, and one by
 * mail.example.co.uk for dmarc@example.co.uk, but one by a.github.io not for
 * b.github.io.
 */
#include "carrier.h"

#include <libpsl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *
carrier_origin_name(enum carrier_origin o)
{
	switch (o) {
	case CARRIER_VERIFIED:
		return "verified";
	case CARRIER_UNVERIFIED:
		return "unverified";
	case CARRIER_FAILED:
		return "failed";
	case CARRIER_UNKNOWN:
		break;
	}
	return NULL;
}

void
carrier_add(struct carrier_auth *a, const char *domain, size_t len, enum carrier_result result,
    const char *why)
{
	struct carrier_sig *s;
	size_t i;

	if (a->n >= CARRIER_SIGS)
		return;
	s = &a->sig[a->n++];
	if (len >= sizeof s->domain)
		len = sizeof s->domain - 1;
	for (i = 0; i < len; i++)
		s->domain[i] =
		    domain[i] >= 'A' && domain[i] <= 'Z' ? (char)(domain[i] + 32) : domain[i];
	s->domain[len] = '\0';
	s->result = result;
	snprintf(s->why, sizeof s->why, "%s", why != NULL ? why : "");
}

/* A plausible domain name: letters, digits, '-', '_' and dots, one dot at least. */
static bool
is_domain(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strchr(s, '.') == NULL || strlen(s) >= CARRIER_DOMAIN_MAX)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

/* The registrable domain of d (lower case) into out; "" when d is not a domain. */
static void
registrable(const char *d, char out[CARRIER_DOMAIN_MAX])
{
	char low[CARRIER_DOMAIN_MAX];
	const char *r;
	size_t i;

	out[0] = '\0';
	if (!is_domain(d))
		return;
	for (i = 0; d[i] != '\0'; i++)
		low[i] = d[i] >= 'A' && d[i] <= 'Z' ? (char)(d[i] + 32) : d[i];
	low[i] = '\0';
	while (i > 0 && low[i - 1] == '.')
		low[--i] = '\0';
	r = psl_registrable_domain(psl_builtin(), low);
	snprintf(out, CARRIER_DOMAIN_MAX, "%s", r != NULL ? r : low);
}

enum carrier_origin
carrier_origin(const struct carrier_auth *a, const char *org_email, const char *org_name,
    bool *temporary, char *detail, size_t size)
{
	char mine[2][CARRIER_DOMAIN_MAX], theirs[CARRIER_DOMAIN_MAX];
	const char *at = org_email != NULL ? strrchr(org_email, '@') : NULL;
	const struct carrier_sig *fail = NULL, *temp = NULL, *stale = NULL;
	unsigned i;

	*temporary = false;
	if (!a->mail) {
		snprintf(detail, size, "a bare report file: no mail to authenticate");
		return CARRIER_UNVERIFIED;
	}
	if (!a->verified) {
		snprintf(detail, size, "its mail's signatures were not verified");
		return CARRIER_UNKNOWN;
	}
	registrable(at != NULL ? at + 1 : NULL, mine[0]);
	registrable(org_name, mine[1]);
	if (mine[0][0] == '\0' && mine[1][0] == '\0') {
		snprintf(detail, size, "the report names no domain of its reporter");
		return CARRIER_UNVERIFIED;
	}
	for (i = 0; i < a->n; i++) {
		const struct carrier_sig *s = &a->sig[i];

		registrable(s->domain, theirs);
		if (theirs[0] == '\0' ||
		    (strcmp(theirs, mine[0]) != 0 && strcmp(theirs, mine[1]) != 0))
			continue;
		if (s->result == CARRIER_PASS) {
			snprintf(detail, size, "DKIM signature of %s verifies", s->domain);
			return CARRIER_VERIFIED;
		}
		if (s->result == CARRIER_FAIL && fail == NULL)
			fail = s;
		if (s->result == CARRIER_TEMPERROR && temp == NULL)
			temp = s;
		if (s->result == CARRIER_STALE && stale == NULL)
			stale = s;
	}
	if (fail != NULL) {
		snprintf(detail, size, "DKIM signature of %s fails: %s", fail->domain, fail->why);
		return CARRIER_FAILED;
	}
	if (temp != NULL) {
		*temporary = true;
		snprintf(detail, size, "the DKIM key of %s could not be fetched: %s", temp->domain,
		    temp->why);
	} else if (stale != NULL) {
		snprintf(detail, size,
		    "the DKIM signature of %s can no longer be checked (%s: a rotated key, or an "
		    "invented one)",
		    stale->domain, stale->why);
	} else if (a->n == 0) {
		snprintf(detail, size, "its mail has no DKIM signature");
	} else {
		snprintf(detail, size, "its mail is not signed by %s (signed by %s)",
		    mine[0][0] != '\0' ? mine[0] : mine[1], a->sig[0].domain);
	}
	return CARRIER_UNVERIFIED;
}

/* ---- Authentication-Results (RFC 8601) ---- */

static bool
ar_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skips blanks and (nested) comments. */
static const char *
ar_skip(const char *p)
{
	int depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !ar_space(*p))
			break;
	}
	return p;
}

/* The length of the token at p: up to a blank, ';', '(' or the end. */
static size_t
ar_token(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && !ar_space(p[n]) && p[n] != ';' && p[n] != '(')
		n++;
	return n;
}

/* Reads one resinfo ("dkim=pass header.d=x ...") from p up to ';' or the end; returns its end. */
static const char *
ar_resinfo(struct carrier_auth *a, const char *p, char *dmarc, size_t size)
{
	const char *method = p, *result = NULL, *d = NULL;
	size_t mlen = 0, rlen = 0, dlen = 0, n;

	while (*(p = ar_skip(p)) != '\0' && *p != ';') {
		n = ar_token(p);
		if (n == 0) {
			p++;
			continue;
		}
		if (result == NULL && strncasecmp(p, "dkim=", 5) == 0) {
			method = p;
			mlen = 4;
			result = p + 5;
			rlen = n - 5;
		} else if (result == NULL && strncasecmp(p, "dmarc=", 6) == 0) {
			method = p;
			mlen = 5;
			result = p + 6;
			rlen = n - 6;
		} else if (strncasecmp(p, "header.d=", 9) == 0) {
			d = p + 9;
			dlen = n - 9;
		}
		p += n;
	}
	if (result != NULL && mlen == 5 && dmarc[0] == '\0') {
		snprintf(dmarc, size, "%.*s", (int)(rlen < size - 1 ? rlen : size - 1), result);
		for (n = 0; dmarc[n] != '\0'; n++)
			dmarc[n] =
			    dmarc[n] >= 'A' && dmarc[n] <= 'Z' ? (char)(dmarc[n] + 32) : dmarc[n];
	}
	if (result != NULL && mlen == 4 && d != NULL && dlen > 0 && method != NULL) {
		if (rlen == 4 && strncasecmp(result, "pass", 4) == 0)
			carrier_add(a, d, dlen, CARRIER_PASS, NULL);
		else if (rlen == 9 && strncasecmp(result, "temperror", 9) == 0)
			carrier_add(a, d, dlen, CARRIER_TEMPERROR,
			    "the receiving server could not fetch the key");
		else if (rlen == 4 && strncasecmp(result, "fail", 4) == 0)
			carrier_add(a, d, dlen, CARRIER_FAIL,
			    "the receiving server says dkim=fail");
	}
	return p;
}

bool
carrier_auth_results(struct carrier_auth *a, const char *ar, const char *authserv_id, char *dmarc,
    size_t size)
{
	const char *p;
	size_t n;

	if (ar == NULL || authserv_id == NULL || authserv_id[0] == '\0' || size == 0)
		return false;
	p = ar_skip(ar);
	n = ar_token(p);
	if (n != strlen(authserv_id) || strncasecmp(p, authserv_id, n) != 0)
		return false;
	dmarc[0] = '\0';
	a->verified = true;
	p += n;
	/* an optional version after the authserv-id, then resinfo after each ';' */
	while ((p = strchr(p, ';')) != NULL)
		p = ar_resinfo(a, p + 1, dmarc, size);
	return true;
}
