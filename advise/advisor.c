#include "advise_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "num.h"

void
advise_config_default(struct advise_config *c)
{
	*c = (struct advise_config){
		.window_days = 30,
		.min_days_none = 30,
		.min_days_ramp = 7,
		.min_days_quarantine = 30,
		.coverage_days = 0.90,
		.min_reporters = 3,
		.min_messages = 1000,
		.notable_share = 0.001,
		.notable_per_day = 10,
		.pass_quarantine = 0.98,
		.source_pass = 0.95,
		.source_min_messages = 50,
		.enforced_share = 0.80,
		.pass_reject = 0.995,
		.dkim_reject = 0.98,
		.collateral_max = 0.001,
		.indirect_max = 0.005,
		.stable_days = 14,
		.new_source_days = 7,
		.regression_points = 0.01,
		.min_service_messages = 20,
		.first_pct = 10,
		.stale_days = 4,
		.ramp_by_pct = false,
		.ramp_pct = { 10, 25, 50, 100 },
		.n_ramp_pct = 4,
		.rua = NULL,
	};
}

static const char *const class_names[] = { "aligned", "misaligned", "forwarder", "unauthorized" };
static const char *const verdict_names[] = { "READY", "NOT READY", "PROVISIONAL", "AT REJECT",
	"REGRESSION" };

const char *
source_class_name(enum source_class c)
{
	return class_names[c];
}

const char *
advise_verdict_name(enum advise_verdict v)
{
	return verdict_names[v];
}

/* A CIDR's range (known_cidr_range) and its prefix over the 128 bits of the 16-byte form. */
static int
parse_cidr(const char *s, uint8_t lo[16], uint8_t hi[16], unsigned *prefix, int *family)
{
	unsigned bits;

	if (known_cidr_range(s, lo, hi, &bits, family) == -1)
		return -1;
	*prefix = *family == 4 ? bits + 96 : bits;
	return 0;
}

static bool
domain_ok(const char *d)
{
	size_t n = strlen(d), i;

	if (n == 0 || n > ADVISE_DOMAIN_MAX || d[0] == '.' || d[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)d[i]) && d[i] != '-' && d[i] != '.' && d[i] != '_')
			return false;
	return true;
}

int
known_value_canonical(enum known_kind k, const char *value, char *out, size_t size,
    struct errbuf *e)
{
	uint8_t lo[16], hi[16];
	unsigned prefix;
	int family;
	char text[INET6_ADDRSTRLEN];
	size_t i;

	if (k == KNOWN_CIDR) {
		if (parse_cidr(value, lo, hi, &prefix, &family) == -1) {
			errbuf_set(e, "'%s' is not an IP address or CIDR", value);
			return -1;
		}
		if (family == 4)
			inet_ntop(AF_INET, lo + 12, text, sizeof text);
		else
			inet_ntop(AF_INET6, lo, text, sizeof text);
		if ((size_t)snprintf(out, size, "%s/%u", text,
		        family == 4 ? prefix - 96 : prefix) >= size) {
			errbuf_set(e, "CIDR too long");
			return -1;
		}
		return 0;
	}
	if (!domain_ok(value)) {
		errbuf_set(e, "'%s' is not a domain name", value);
		return -1;
	}
	if (strlen(value) >= size) {
		errbuf_set(e, "domain too long");
		return -1;
	}
	for (i = 0; value[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)value[i]);
	out[i] = '\0';
	return 0;
}

/* ---- helpers shared by the files of advise/ ---- */

int64_t
advise_period_start(const struct advisor *a, enum advise_period p)
{
	static const unsigned fixed[PERIOD_COUNT] = { 0, 30, 14, 3 };
	unsigned len = p == PERIOD_WINDOW ? a->cfg.window_days : fixed[p];

	return a->as_of - (int64_t)len + 1;
}

bool
advise_domain_under(const char *d, const char *domain)
{
	size_t n, m;

	if (d == NULL || domain == NULL)
		return false;
	n = strlen(d);
	m = strlen(domain);
	if (n == m)
		return strcasecmp(d, domain) == 0;
	return n > m && d[n - m - 1] == '.' && strcasecmp(d + n - m, domain) == 0;
}

double
advise_ratio(int64_t a, int64_t b)
{
	return b > 0 ? (double)a / (double)b : 0.0;
}

/* ---- life cycle ---- */

struct advisor *
advisor_new(const char *domain, int64_t as_of_day, const struct advise_config *c,
    enum policy simulate, int simulate_pct)
{
	struct advisor *a = calloc(1, sizeof *a);
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; domain[i] != '\0' && i < ADVISE_DOMAIN_MAX; i++)
		a->domain[i] = (char)tolower((unsigned char)domain[i]);
	a->as_of = as_of_day;
	a->today = as_of_day;
	a->cfg = *c;
	if (a->cfg.window_days == 0 || a->cfg.window_days > ADVISE_WINDOW_MAX)
		a->cfg.window_days = 30;
	a->simulate = simulate;
	a->simulate_pct = simulate_pct;
	a->pol.last_pct = -1;
	a->pol.since_day = a->pol.changed_day = a->pol.newest_day = -1;
	return a;
}

void
advisor_free(struct advisor *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n_known; i++) {
		free(a->known[i].value);
		free(a->known[i].label);
	}
	free(a->known);
	for (i = 0; i < a->n_groups; i++) {
		free(a->groups[i].identity);
		free(a->groups[i].shown);
		free(a->groups[i].service);
		free(a->groups[i].sub_name);
	}
	for (i = 0; i < a->n_services; i++) {
		free((char *)a->services[i].key);
		free((char *)a->services[i].name);
		free((char *)a->services[i].fix);
		free((char *)a->services[i].doc);
	}
	free(a->services);
	free(a->groups);
	free(a->slots);
	free(a->senders);
	free(a->record);
	free(a->pol.fo);
	free(a);
}

void
advice_free(struct advice *a)
{
	if (a == NULL)
		return;
	free(a->senders);
	a->senders = NULL;
}

/* ---- what the user said ---- */

int
advisor_add_service(struct advisor *a, const struct advise_service *sv, struct errbuf *e)
{
	struct advise_service *n;

	if (a->n_services == ADVISE_SERVICES_MAX) {
		errbuf_set(e, "more than %d known services", ADVISE_SERVICES_MAX);
		return -1;
	}
	if (a->n_services == a->cap_services) {
		size_t cap = a->cap_services ? a->cap_services * 2 : 64;

		if ((n = reallocarray(a->services, cap, sizeof *n)) == NULL)
			goto oom;
		a->services = n;
		a->cap_services = cap;
	}
	n = &a->services[a->n_services];
	n->key = strdup(sv->key);
	n->name = strdup(sv->name);
	n->fix = strdup(sv->fix != NULL ? sv->fix : "");
	n->doc = strdup(sv->doc != NULL ? sv->doc : "");
	a->n_services++;
	if (n->key != NULL && n->name != NULL && n->fix != NULL && n->doc != NULL)
		return 0;
oom:
	errbuf_set(e, "out of memory");
	return -1;
}

int
advisor_add_known(struct advisor *a, const struct known_source *k, struct errbuf *e)
{
	char canon[ADVISE_DOMAIN_MAX + 1];
	struct known *n;
	int family;

	if (known_value_canonical(k->kind, k->value, canon, sizeof canon, e) == -1)
		return -1;
	if (a->n_known == a->cap_known) {
		size_t cap = a->cap_known ? a->cap_known * 2 : 16;
		struct known *p = reallocarray(a->known, cap, sizeof *p);

		if (p == NULL) {
			errbuf_set(e, "out of memory");
			return -1;
		}
		a->known = p;
		a->cap_known = cap;
	}
	n = &a->known[a->n_known];
	*n = (struct known){ .id = k->id, .kind = k->kind, .status = k->status };
	if (k->kind == KNOWN_CIDR)
		parse_cidr(canon, n->lo, n->hi, &n->prefix, &family);
	n->value = strdup(canon);
	n->label = k->label != NULL && k->label[0] != '\0' ? strdup(k->label) : NULL;
	if (n->value == NULL || (k->label != NULL && k->label[0] != '\0' && n->label == NULL)) {
		free(n->value);
		free(n->label);
		errbuf_set(e, "out of memory");
		return -1;
	}
	a->n_known++;
	return 0;
}

void
advisor_set_today(struct advisor *a, int64_t today)
{
	a->today = today;
}

void
advisor_set_domain(struct advisor *a, const char *record, bool no_mailing_lists)
{
	free(a->record);
	a->record = record != NULL && record[0] != '\0' ? strdup(record) : NULL;
	a->no_mailing_lists = no_mailing_lists;
}

/* ---- the published policy over time ---- */

/* The view of reporter key, made (or the stalest one reused) when new. */
static struct reporter_view *
reporter_view(struct policy_track *t, const char *key)
{
	struct reporter_view *v = NULL;
	size_t i;

	key = key != NULL ? key : "";
	for (i = 0; i < t->n_views; i++)
		if (strncmp(t->views[i].key, key, sizeof t->views[i].key - 1) == 0)
			return &t->views[i];
	if (t->n_views < POLICY_REPORTERS_MAX) {
		v = &t->views[t->n_views++];
	} else {
		v = &t->views[0];
		for (i = 1; i < t->n_views; i++)
			if (t->views[i].day_last < v->day_last)
				v = &t->views[i];
	}
	*v = (struct reporter_view){ .day_last = INT64_MIN, .pct = -1 };
	snprintf(v->key, sizeof v->key, "%s", key);
	return v;
}

/*
 * pct and testing now, from the reporters that reported in the last
 * POLICY_FRESH_DAYS before day: the least pct, and "y" when any says so.
 */
static void
current_policy(struct policy_track *t, int64_t day)
{
	size_t i;

	t->last_pct = -1;
	t->last_testing = 0;
	for (i = 0; i < t->n_views; i++) {
		const struct reporter_view *v = &t->views[i];

		if (v->day_last < day - POLICY_FRESH_DAYS)
			continue;
		if (v->pct >= 0 && (t->last_pct < 0 || v->pct < t->last_pct))
			t->last_pct = v->pct;
		if (v->testing == 'y' || (v->testing == 'n' && t->last_testing == 0))
			t->last_testing = v->testing;
	}
}

/*
 * Reports of RFC 7489 receivers carry pct but not testing, those of RFC
 * 9990 receivers testing but not pct (FORMATS.md "Effective and expected
 * policy"). The policy now is what each reporter's latest report says, over
 * the reporters still reporting: one report's value does not stick after
 * its reporter has moved on or gone quiet (issue 15, finding 5).
 */
void
advisor_add_policy(struct advisor *a, const struct advise_policy_obs *o)
{
	struct policy_track *t = &a->pol;
	struct reporter_view *v;
	enum policy sp = o->sp != POLICY_UNSET ? o->sp : o->p;
	int key, full, pct;
	bool partial;

	if (o->p == POLICY_UNSET)
		return;
	v = reporter_view(t, o->reporter);
	if (o->day_last > v->day_last)
		v->day_last = o->day_last;
	if (o->pct >= 0 && o->dialect != DIALECT_RFC9990)
		v->pct = o->pct;
	/*
	 * testing exists in RFC 9990 reports only, where it may be left out and
	 * then means "n": a report that omits it says the test mode is over, it
	 * does not leave an earlier report's "y" standing. Reports of the older
	 * schemas say nothing about it.
	 */
	if (o->testing != 0)
		v->testing = o->testing;
	else if (o->dialect == DIALECT_RFC9990)
		v->testing = 'n';
	current_policy(t, o->day_last > t->newest_day ? o->day_last : t->newest_day);
	pct = t->last_pct >= 0 ? t->last_pct : 100;
	partial = pct < 100 || t->last_testing == 'y';
	key = (int)o->p * 2 + partial;
	full = (((key * 4 + (int)sp) * 3 + (o->adkim == 's')) * 2 + (o->aspf == 's')) * 101 + pct;
	if (!t->seen) {
		t->seen = true;
		t->first_day = o->day_first;
		t->since_day = o->day_first;
	} else {
		if (key != t->key)
			t->since_day = o->day_first;
		if (full != t->full_key)
			t->changed_day = o->day_first;
	}
	if (o->day_last > t->newest_day)
		t->newest_day = o->day_last;
	t->key = key;
	t->full_key = full;
	t->last = *o;
	t->last.fo = NULL;
	if (o->fo != NULL) {
		char *fo = strdup(o->fo);

		if (fo != NULL) {
			free(t->fo);
			t->fo = fo;
		}
	}
}

void
advisor_add_day(struct advisor *a, int64_t day, int64_t messages)
{
	if (day <= a->as_of && day > a->as_of - 30)
		advise_add(&a->day_messages[a->as_of - day], messages);
}

void
advisor_set_reporters(struct advisor *a, unsigned reporters)
{
	a->reporters = reporters;
}

/* ---- records into groups ---- */

static bool
in_range(const uint8_t ip[16], const uint8_t lo[16], const uint8_t hi[16])
{
	return memcmp(ip, lo, 16) >= 0 && memcmp(ip, hi, 16) <= 0;
}

static bool
is_pass(const char *result)
{
	return result != NULL && strcmp(result, "pass") == 0;
}

/*
 * The known entry a record belongs to (FORMATS.md "Source classes": cidr, then
 * DKIM d=, then SPF domain), or NULL.
 */
static const struct known *
match_known(const struct advisor *a, const struct advise_record *r)
{
	const struct known *best = NULL;
	size_t i, j;
	int kind;

	for (i = 0; r->family != 0 && i < a->n_known; i++) {
		const struct known *k = &a->known[i];

		if (k->kind == KNOWN_CIDR && in_range(r->ip, k->lo, k->hi) &&
		    (best == NULL || k->prefix > best->prefix))
			best = k;
	}
	for (kind = KNOWN_DKIM_DOMAIN; best == NULL && kind <= KNOWN_SPF_DOMAIN; kind++) {
		const struct advise_auth *auth = kind == KNOWN_DKIM_DOMAIN ? r->dkim : r->spf;
		size_t n = kind == KNOWN_DKIM_DOMAIN ? r->n_dkim : r->n_spf;

		for (i = 0; best == NULL && i < a->n_known; i++) {
			if ((int)a->known[i].kind != kind)
				continue;
			/*
			 * Only a result that passed names the source: anyone can write
			 * the owner's domain into a message that then fails (issue 15,
			 * finding 8); an SPF check of the HELO name is not the envelope's.
			 */
			for (j = 0; j < n && best == NULL; j++)
				if (is_pass(auth[j].result) && !auth[j].helo &&
				    advise_domain_under(auth[j].domain, a->known[i].value))
					best = &a->known[i];
		}
	}
	return best;
}

void
advise_add(int64_t *sum, int64_t n)
{
	*sum = num_add_sat_i64(*sum, n);
}

void
advise_counts_add(struct advise_counts *to, const struct advise_counts *c)
{
	advise_add(&to->messages, c->messages);
	advise_add(&to->pass, c->pass);
	advise_add(&to->dkim_aligned, c->dkim_aligned);
	advise_add(&to->spf_aligned, c->spf_aligned);
	advise_add(&to->fail_enforced, c->fail_enforced);
	advise_add(&to->fail_handled, c->fail_handled);
	advise_add(&to->fail_indirect, c->fail_indirect);
	advise_add(&to->fail_unaligned, c->fail_unaligned);
	advise_add(&to->fail_noauth, c->fail_noauth);
	advise_add(&to->fail_list, c->fail_list);
}

/*
 * What a record says about authentication, beyond policy_evaluated
 * (FORMATS.md "Reading a record").
 */
struct evidence {
	bool raw_pass, indirect, list, explained, enforced;
	const char *identity; /* an unaligned (registrable) domain it authenticates as */
	const char *shown;    /* ... in full */
	bool identity_dkim;
};

/*
 * The registrable part of a domain, as a suffix of it, by the Public
 * Suffix List (libpsl's built-in copy: no file or network read, the same
 * answer on every run): mail65.suw43.mcdlv.net and bounce.mcdlv.net are
 * one service, mcdlv.net; em.abc.io and bounce.abc.io are abc.io;
 * a.github.io and b.github.io are two owners. A public suffix itself, an
 * address literal or a name the list cannot place is its own identity.
 */
static const char *
org_suffix(const char *d)
{
	unsigned char addr[16];
	const char *r;

	if (inet_pton(AF_INET, d, addr) == 1 || inet_pton(AF_INET6, d, addr) == 1)
		return d;
	r = psl_registrable_domain(psl_builtin(), d);
	return r != NULL ? r : d;
}

static bool
forward_reason(const char *type)
{
	return strcmp(type, "forwarded") == 0 || strcmp(type, "trusted_forwarder") == 0 ||
	    strcmp(type, "mailing_list") == 0;
}

static void
gather(const struct advisor *a, const struct advise_record *r, struct evidence *ev)
{
	const char *from = r->header_from != NULL ? r->header_from : a->domain;
	size_t i;

	memset(ev, 0, sizeof *ev);
	for (i = 0; i < r->n_dkim; i++) {
		const struct advise_auth *d = &r->dkim[i];
		bool related = advise_domain_under(d->domain, a->domain) ||
		    advise_domain_under(d->domain, from) || advise_domain_under(from, d->domain);

		if (is_pass(d->result)) {
			ev->raw_pass = true;
			if (!related && d->domain != NULL && ev->identity == NULL) {
				ev->identity = org_suffix(d->domain);
				ev->shown = d->domain;
				ev->identity_dkim = true;
			}
		} else if (related && d->result != NULL &&
		    (strcmp(d->result, "fail") == 0 || strcmp(d->result, "permerror") == 0 ||
		        strcmp(d->result, "neutral") == 0)) {
			ev->indirect = true; /* a signature of ours broken in transit */
		}
	}
	for (i = 0; i < r->n_spf; i++) {
		const struct advise_auth *s = &r->spf[i];

		if (!is_pass(s->result) || s->helo)
			continue;
		ev->raw_pass = true;
		if (ev->identity == NULL && s->domain != NULL &&
		    !advise_domain_under(s->domain, a->domain) &&
		    !advise_domain_under(s->domain, from)) {
			ev->identity = org_suffix(s->domain);
			ev->shown = s->domain;
		}
	}
	for (i = 0; i < r->n_reasons; i++) {
		ev->explained = true;
		if (forward_reason(r->reasons[i]))
			ev->indirect = true;
		if (strcmp(r->reasons[i], "mailing_list") == 0)
			ev->list = true;
	}
	ev->enforced = r->disposition != NULL &&
	    (strcmp(r->disposition, "quarantine") == 0 || strcmp(r->disposition, "reject") == 0);
}

static void
count_into(struct advise_counts *c, const struct advise_record *r, const struct evidence *ev)
{
	bool pass = r->dkim_aligned || r->spf_aligned;

	advise_add(&c->messages, r->count);
	if (pass)
		advise_add(&c->pass, r->count);
	if (r->dkim_aligned)
		advise_add(&c->dkim_aligned, r->count);
	if (r->spf_aligned)
		advise_add(&c->spf_aligned, r->count);
	if (pass)
		return;
	if (ev->enforced)
		advise_add(&c->fail_enforced, r->count);
	if (ev->enforced || ev->explained)
		advise_add(&c->fail_handled, r->count);
	if (ev->indirect)
		advise_add(&c->fail_indirect, r->count);
	if (ev->list)
		advise_add(&c->fail_list, r->count);
	if (ev->raw_pass)
		advise_add(&c->fail_unaligned, r->count);
	else
		advise_add(&c->fail_noauth, r->count);
}

/* The key of a record's group: its confirmed entry, else its network and identity. */
static void
key_of(const struct advisor *a, const struct advise_record *r, const struct evidence *ev,
    struct group_key *key)
{
	const struct known *k = match_known(a, r);
	unsigned i;

	memset(key, 0, sizeof *key);
	if (k != NULL) {
		key->known_id = k->id;
		return;
	}
	/* the /24 of an IPv4 address, the /48 of an IPv6 one */
	key->prefix = r->family == 4 ? 120 : r->family == 6 ? 48 : 0;
	key->family = r->family;
	memcpy(key->net, r->ip, 16);
	for (i = key->prefix; i < 128; i++)
		key->net[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	key->identity = ev->identity;
	key->shown = ev->shown;
	key->identity_dkim = ev->identity_dkim;
}

int
advisor_add_record(struct advisor *a, const struct advise_record *r, struct errbuf *e)
{
	struct group_key key;
	struct evidence ev;
	struct group *g;
	int p;

	if (r->day > a->as_of ||
	    (r->day < advise_period_start(a, PERIOD_WINDOW) &&
	        r->day < advise_period_start(a, PERIOD_30)))
		return 0;
	gather(a, r, &ev);
	key_of(a, r, &ev, &key);
	if ((g = advise_group_find(a, &key)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	if (g->shown != NULL && key.shown != NULL && strcasecmp(g->shown, key.shown) != 0)
		g->mixed = true;
	if (g->service == NULL && r->service != NULL && (g->service = strdup(r->service)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	for (p = 0; p < PERIOD_COUNT; p++)
		if (r->day >= advise_period_start(a, (enum advise_period)p))
			count_into(&g->c[p], r, &ev);
	if (r->day >= advise_period_start(a, PERIOD_WINDOW) && r->header_from != NULL &&
	    strcasecmp(r->header_from, a->domain) != 0 &&
	    advise_domain_under(r->header_from, a->domain)) {
		if (g->sub_name == NULL &&
		    (g->sub_name = advise_lower_dup(r->header_from)) == NULL) {
			errbuf_set(e, "out of memory");
			return -1;
		}
		advise_add(&g->sub_messages, r->count);
		if (r->dkim_aligned || r->spf_aligned)
			advise_add(&g->sub_pass, r->count);
	}
	if (r->day != g->last_day)
		g->days++;
	if (r->day < g->first_day)
		g->first_day = r->day;
	if (r->day > g->last_day)
		g->last_day = r->day;
	return 0;
}

/* ---- the result ---- */

/* A sender's place in the listing: most window mail first, then first met. */
struct order {
	int64_t messages;
	size_t i;
};

static int
by_messages(const void *x, const void *y)
{
	const struct order *a = x, *b = y;

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Describes the ADVISE_SENDERS_SHOWN senders with the most mail; sums the others by class. */
static int
list_senders(const struct advisor *a, struct advice *out, struct errbuf *e)
{
	struct order *order;
	size_t i, shown = 0;

	out->n_senders_total = a->n_senders;
	if (a->n_senders == 0)
		return 0;
	order = malloc(a->n_senders * sizeof *order);
	out->senders =
	    calloc(a->n_senders < ADVISE_SENDERS_SHOWN ? a->n_senders : ADVISE_SENDERS_SHOWN,
	        sizeof *out->senders);
	if (order == NULL || out->senders == NULL) {
		free(order);
		errbuf_set(e, "out of memory");
		return -1;
	}
	for (i = 0; i < a->n_senders; i++)
		order[i] = (struct order){ a->senders[i].c[PERIOD_WINDOW].messages, i };
	qsort(order, a->n_senders, sizeof *order, by_messages);
	for (i = 0; i < a->n_senders; i++) {
		const struct sender_acc *s = &a->senders[order[i].i];

		if (shown < ADVISE_SENDERS_SHOWN && (order[i].messages > 0 || s->known_id > 0)) {
			struct advise_sender *d = &out->senders[shown++];

			advise_sender_describe(a, s, d);
			d->share = advise_ratio(d->c[PERIOD_WINDOW].messages, out->totals.messages);
		} else {
			advise_counts_add(&out->others[s->cls], &s->c[PERIOD_WINDOW]);
		}
	}
	out->n_senders = shown;
	free(order);
	return 0;
}

int
advisor_finish(struct advisor *a, advise_first_day_fn first_day, void *ctx, struct advice *out,
    struct errbuf *e)
{
	size_t i;

	memset(out, 0, sizeof *out);
	snprintf(out->domain, sizeof out->domain, "%s", a->domain);
	out->as_of_day = a->as_of;
	out->today = a->today;
	out->newest_day = a->pol.newest_day;
	out->window_days = a->cfg.window_days;
	if (advise_senders(a, first_day, ctx, e) == -1)
		return -1;
	for (i = 0; i < a->n_senders; i++) {
		advise_counts_add(&out->totals, &a->senders[i].c[PERIOD_WINDOW]);
		advise_add(&out->subdomain_messages, a->senders[i].sub_messages);
	}
	out->has_data = a->pol.seen;
	if (list_senders(a, out, e) == -1)
		return -1;
	advise_judge(a, out);
	if (a->overflowed && out->n_notes < ADVISE_NOTES_MAX)
		snprintf(out->notes[out->n_notes++], ADVISE_TEXT_MAX,
		    "more than %d source networks: those of the least mail are summed as one "
		    "\"smaller sources\" row, counted as unauthorized",
		    ADVISE_GROUPS_MAX);
	return 0;
}
