/*
 * carrier_dkim: libopendkim in verifying mode (carrier_dkim.h). The library
 * asks the key lookup callback for each signature it processes; a prescreen
 * callback ignores every signature past the topmost CARRIER_SIGS, so that a
 * mail with a thousand signatures costs no more than one with eight. A key
 * that could not be fetched is reported to the library as not found (so
 * that it goes on with the other signatures) and remembered here as a
 * temporary error, which is what it becomes in the result. After one
 * temporary error no other key of the same mail is asked: the time a mail
 * costs is then one lookup's timeout, not eight.
 */
#include "carrier_dkim.h"

#include <dkim.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct carrier_dkim {
	DKIM_LIB *lib;
	carrier_key_fn lookup;
	void *ctx;
	/* the mail being verified: the keys that could not be fetched */
	unsigned ntemp;
	char temp[CARRIER_SIGS][CARRIER_DOMAIN_MAX + 64];
	char temp_why[CARRIER_SIGS][CARRIER_WHY_MAX];
};

static DKIM_CBSTAT
prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	int i;

	(void)dkim;
	for (i = CARRIER_SIGS; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

/* The query name of a signature: selector._domainkey.domain, or "" when too long. */
static void
key_name(DKIM_SIGINFO *sig, char *out, size_t size)
{
	const unsigned char *sel = dkim_sig_getselector(sig), *dom = dkim_sig_getdomain(sig);
	int n;

	out[0] = '\0';
	if (sel == NULL || dom == NULL)
		return;
	n = snprintf(out, size, "%s._domainkey.%s", (const char *)sel, (const char *)dom);
	if (n < 0 || (size_t)n >= size)
		out[0] = '\0';
}

static DKIM_CBSTAT
key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct carrier_dkim *v = dkim_get_user_context(dkim);
	char name[CARRIER_DOMAIN_MAX + 64], txt[CARRIER_KEY_MAX];

	key_name(sig, name, sizeof name);
	if (name[0] == '\0' || buflen == 0)
		return DKIM_CBSTAT_NOTFOUND;
	/* the resolver failed once for this mail: a mail costs at most one timeout */
	if (v->ntemp > 0) {
		snprintf(txt, sizeof txt, "not asked: %s", v->temp_why[0]);
		goto temporary;
	}
	switch (v->lookup(v->ctx, name, txt, sizeof txt)) {
	case CARRIER_KEY_FOUND:
		snprintf((char *)buf, buflen, "%s", txt);
		return DKIM_CBSTAT_CONTINUE;
	case CARRIER_KEY_NONE:
		return DKIM_CBSTAT_NOTFOUND;
	case CARRIER_KEY_TEMPERROR:
		break;
	}
temporary:
	if (v->ntemp < CARRIER_SIGS) {
		snprintf(v->temp[v->ntemp], sizeof v->temp[0], "%s", name);
		snprintf(v->temp_why[v->ntemp], sizeof v->temp_why[0], "%.*s", CARRIER_WHY_MAX - 1,
		    txt);
		v->ntemp++;
	}
	return DKIM_CBSTAT_NOTFOUND;
}

struct carrier_dkim *
carrier_dkim_new(carrier_key_fn lookup, void *ctx, struct errbuf *e)
{
	struct carrier_dkim *v = calloc(1, sizeof *v);
	uint32_t flags = DKIM_LIBFLAGS_FIXCRLF;

	if (v == NULL || (v->lib = dkim_init(NULL, NULL)) == NULL) {
		free(v);
		errbuf_set(e, "carrier_dkim: out of memory");
		return NULL;
	}
	v->lookup = lookup;
	v->ctx = ctx;
	if (dkim_options(v->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags) !=
	        DKIM_STAT_OK ||
	    dkim_set_key_lookup(v->lib, key_lookup) != DKIM_STAT_OK ||
	    dkim_set_prescreen(v->lib, prescreen) != DKIM_STAT_OK) {
		carrier_dkim_free(v);
		errbuf_set(e, "carrier_dkim: libopendkim refused its options");
		return NULL;
	}
	return v;
}

void
carrier_dkim_free(struct carrier_dkim *v)
{
	if (v == NULL)
		return;
	if (v->lib != NULL)
		dkim_close(v->lib);
	free(v);
}

/* The temporary error remembered for sig's key, or NULL. */
static const char *
temp_error(const struct carrier_dkim *v, DKIM_SIGINFO *sig)
{
	char name[CARRIER_DOMAIN_MAX + 64];
	unsigned i;

	key_name(sig, name, sizeof name);
	for (i = 0; i < v->ntemp; i++)
		if (strcmp(v->temp[i], name) == 0)
			return v->temp_why[i];
	return NULL;
}

/* Adds what became of one signature. */
static void
add_sig(struct carrier_dkim *v, DKIM_SIGINFO *sig, struct carrier_auth *a)
{
	const unsigned char *d = dkim_sig_getdomain(sig);
	unsigned flags = dkim_sig_getflags(sig);
	int err = dkim_sig_geterror(sig);
	const char *temp, *why;

	if (d == NULL || (flags & DKIM_SIGFLAG_IGNORE) != 0)
		return;
	if ((flags & DKIM_SIGFLAG_PASSED) != 0 && dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH) {
		carrier_add(a, (const char *)d, strlen((const char *)d), CARRIER_PASS, NULL);
		return;
	}
	if ((temp = temp_error(v, sig)) != NULL) {
		carrier_add(a, (const char *)d, strlen((const char *)d), CARRIER_TEMPERROR, temp);
		return;
	}
	/*
	 * Keys are rotated and signatures expire: a report mail read long after
	 * it was sent cannot be checked any more, which is no sign of forgery.
	 * Nor is it a verification: an invented selector looks the same.
	 */
	if (err == DKIM_SIGERROR_NOKEY || err == DKIM_SIGERROR_KEYREVOKED ||
	    err == DKIM_SIGERROR_EXPIRED) {
		why = dkim_sig_geterrorstr(err);
		carrier_add(a, (const char *)d, strlen((const char *)d), CARRIER_STALE,
		    why != NULL ? why : "no key");
		return;
	}
	if (err != DKIM_SIGERROR_OK && err != DKIM_SIGERROR_UNKNOWN)
		why = dkim_sig_geterrorstr(err);
	else if (dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH)
		why = "body hash mismatch (the body was changed)";
	else
		why = "signature does not verify";
	carrier_add(a, (const char *)d, strlen((const char *)d), CARRIER_FAIL,
	    why != NULL ? why : "signature does not verify");
}

int
carrier_dkim_verify(struct carrier_dkim *v, const void *raw, size_t len, struct carrier_auth *a,
    struct errbuf *e)
{
	const unsigned char *p = raw, *nl;
	DKIM_SIGINFO **sigs = NULL;
	DKIM_STAT st;
	DKIM *d;
	int nsigs = 0, i;

	a->verified = true;
	v->ntemp = 0;
	if (len >= 5 && memcmp(p, "From ", 5) == 0 && (nl = memchr(p, '\n', len)) != NULL) {
		len -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	if ((d = dkim_verify(v->lib, (const unsigned char *)"dmarcd", NULL, &st)) == NULL) {
		errbuf_set(e, "carrier_dkim: %s", dkim_getresultstr(st));
		return -1;
	}
	dkim_set_user_context(d, v);
	/* libopendkim reads its input as const; its prototype says otherwise */
	st = dkim_chunk(d, (unsigned char *)(uintptr_t)p, len);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (st == DKIM_STAT_OK)
		(void)dkim_eom(d, NULL);
	if (st == DKIM_STAT_NORESOURCE || st == DKIM_STAT_INTERNAL) {
		dkim_free(d);
		errbuf_set(e, "carrier_dkim: %s", dkim_getresultstr(st));
		return -1;
	}
	/* whatever eom said (no signature, a bad one...), the list tells each signature's fate */
	if (dkim_getsiglist(d, &sigs, &nsigs) == DKIM_STAT_OK)
		for (i = 0; i < nsigs && i < CARRIER_SIGS; i++)
			add_sig(v, sigs[i], a);
	dkim_free(d);
	return 0;
}
