/*
 * Senders: groups merged by what they are (a confirmed entry, or the domain
 * they authenticate as without alignment), then classified with the suggestion
 * rules of FORMATS.md "Source classes".
 */
#include "advise_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIRST_DAY_LOOKUPS 5000  /* callbacks for all-time first days, per run */
#define SCATTERED_PER_NETWORK 5 /* fewer messages per network than this: scattered */
#define STEADY_DAYS 3           /* ... or, under min_service_messages, on fewer days */

static const struct known *
known_by_id(const struct advisor *a, int64_t id)
{
	size_t i;

	for (i = 0; i < a->n_known; i++)
		if (a->known[i].id == id)
			return &a->known[i];
	return NULL;
}

static uint64_t
text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)(*s | 0x20)) * 1099511628211ull;
	return h;
}

static void
join(struct advisor *a, size_t sender, size_t gi)
{
	struct sender_acc *s = &a->senders[sender];
	struct group *g = &a->groups[gi];
	int p;

	g->sender = sender;
	if (s->n_groups == 0) {
		s->shown = g->shown;
		s->mixed = g->mixed;
	} else if (g->mixed || s->shown == NULL || g->shown == NULL ||
	    strcasecmp(s->shown, g->shown) != 0) {
		s->mixed = true;
	}
	g->next = s->first_group;
	s->first_group = gi;
	s->n_groups++;
	for (p = 0; p < PERIOD_COUNT; p++)
		advise_counts_add(&s->c[p], &g->c[p]);
	advise_add(&s->sub_messages, g->sub_messages);
	advise_add(&s->sub_pass, g->sub_pass);
	if (s->sub_name == NULL)
		s->sub_name = g->sub_name;
	if (g->first_day < s->first_day)
		s->first_day = g->first_day;
	if (g->last_day > s->last_day)
		s->last_day = g->last_day;
	if (g->days > s->days)
		s->days = g->days;
}

static size_t
new_sender(struct advisor *a)
{
	struct sender_acc *s = &a->senders[a->n_senders];

	memset(s, 0, sizeof *s);
	s->first_group = SIZE_MAX;
	s->first_day = INT64_MAX;
	s->last_day = INT64_MIN;
	s->first_ever = -1;
	return a->n_senders++;
}

/*
 * Whether group g belongs to sender o: the same confirmed entry, the same
 * identity domain, or (neither) the same known service.
 */
static bool
same_sender(const struct sender_acc *o, const struct group *g)
{
	if (g->known_id != 0)
		return o->known_id == g->known_id;
	if (o->known_id != 0)
		return false;
	if (g->identity != NULL)
		return o->identity != NULL && strcasecmp(o->identity, g->identity) == 0;
	return o->by_service && o->identity == NULL && strcmp(o->service, g->service) == 0;
}

/*
 * Groups to senders: one per confirmed entry, one per identity domain, one
 * per known service for the mail that authenticates as no other domain,
 * else one per network. An identity is one sender wherever it sends from
 * (issue 15, finding 1): a helpdesk signing with its own d= from 40
 * networks is one helpdesk, not 40 scattered strangers.
 */
static int
merge(struct advisor *a, struct errbuf *e)
{
	size_t n_slots = 16, i, slot;
	uint32_t *slots;

	while (n_slots < a->n_groups * 2 + 2)
		n_slots *= 2;
	a->senders = calloc(a->n_groups ? a->n_groups : 1, sizeof *a->senders);
	slots = calloc(n_slots, sizeof *slots);
	if (a->senders == NULL || slots == NULL) {
		free(slots);
		errbuf_set(e, "out of memory");
		return -1;
	}
	for (i = 0; i < a->n_groups; i++) {
		const struct group *g = &a->groups[i];
		const char *key = g->known_id != 0 ? NULL :
		    g->identity != NULL            ? g->identity :
		                                     g->service;
		char idkey[32];
		size_t s = SIZE_MAX;

		if (g->known_id > 0) {
			snprintf(idkey, sizeof idkey, "#%lld", (long long)g->known_id);
			key = idkey;
		}
		if (key != NULL) {
			for (slot = text_hash(key) & (n_slots - 1); slots[slot] != 0;
			     slot = (slot + 1) & (n_slots - 1))
				if (same_sender(&a->senders[slots[slot] - 1], g))
					break;
			if (slots[slot] != 0) {
				s = slots[slot] - 1;
			} else {
				s = new_sender(a);
				slots[slot] = (uint32_t)(s + 1);
			}
		} else {
			s = new_sender(a);
		}
		if (a->senders[s].n_groups == 0) {
			const struct known *k = known_by_id(a, g->known_id);

			a->senders[s].known_id = g->known_id;
			a->senders[s].known_status = k != NULL ? k->status : KNOWN_AUTHORIZED;
			a->senders[s].identity = g->known_id == 0 ? g->identity : NULL;
			a->senders[s].identity_dkim = g->identity_dkim;
			a->senders[s].by_service =
			    g->known_id == 0 && g->identity == NULL && g->service != NULL;
		}
		if (a->senders[s].service == NULL)
			a->senders[s].service = g->service;
		join(a, s, i);
	}
	free(slots);
	return 0;
}

/*
 * The suggestion rules (FORMATS.md "Source classes"), on the window's counts of
 * a sender made of n_networks networks. A service or a forwarder sends steadily
 * from few networks; spoofing is scattered: a few messages from each of many.
 * Shape is a guess for mail that shows no identity only: a consistent one
 * (a domain it passes for, or a known service) is never guessed spoofing,
 * however many networks it is spread over (issue 15, finding 1).
 */
static enum source_class
suggest(const struct advise_config *cfg, const struct advise_counts *c, unsigned n_networks,
    bool consistent)
{
	int64_t fail = c->messages - c->pass;
	bool service = c->messages >= 0 && (uint64_t)c->messages >= cfg->min_service_messages &&
	    c->messages >= (int64_t)n_networks * SCATTERED_PER_NETWORK;

	if (c->messages > 0 && (double)c->pass >= cfg->source_pass * (double)c->messages)
		return CLASS_ALIGNED;
	if (consistent)
		return c->fail_indirect * 2 >= fail && fail > 0 ? CLASS_FORWARDER :
		                                                  CLASS_MISALIGNED;
	/* aligned SPF passes: the source is in the domain's SPF record, so it is the owner's */
	if (c->messages > 0 && c->spf_aligned * 4 >= c->messages)
		return CLASS_MISALIGNED;
	if (service && c->fail_indirect * 2 >= fail)
		return CLASS_FORWARDER;
	if (c->pass * 2 >= c->messages && c->messages > 0)
		return CLASS_MISALIGNED;
	if (service && c->fail_unaligned * 2 >= fail)
		return CLASS_MISALIGNED;
	return CLASS_UNAUTHORIZED;
}

static enum source_class
classify(const struct advisor *a, const struct sender_acc *s)
{
	const struct advise_counts *c =
	    s->c[PERIOD_WINDOW].messages > 0 ? &s->c[PERIOD_WINDOW] : &s->c[PERIOD_30];

	if (s->known_id < 0)
		return CLASS_UNAUTHORIZED; /* the smallest sources, folded at the cap */
	if (s->known_id > 0) {
		if (s->known_status == KNOWN_FORWARDER)
			return CLASS_FORWARDER;
		if (s->known_status == KNOWN_UNAUTHORIZED)
			return CLASS_UNAUTHORIZED;
		return c->messages == 0 ||
		        (double)c->pass >= a->cfg.source_pass * (double)c->messages ?
		    CLASS_ALIGNED :
		    CLASS_MISALIGNED;
	}
	return suggest(&a->cfg, c, s->n_groups, s->consistent);
}

/* The all-time first day of a sender's networks, asked of the caller. */
static void
first_ever(struct advisor *a, struct sender_acc *s, advise_first_day_fn fn, void *ctx,
    unsigned *budget)
{
	size_t gi;

	for (gi = s->first_group; gi != SIZE_MAX; gi = a->groups[gi].next) {
		struct group *g = &a->groups[gi];
		int64_t day;

		if (g->known_id != 0 || g->prefix == 0 || fn == NULL || *budget == 0)
			continue;
		(*budget)--;
		day = fn(ctx, g->net, g->prefix);
		if (day >= 0 && (s->first_ever < 0 || day < s->first_ever))
			s->first_ever = day;
	}
	if (s->first_ever < 0 || s->first_day < s->first_ever)
		s->first_ever = s->first_day;
}

int
advise_senders(struct advisor *a, advise_first_day_fn first_day, void *ctx, struct errbuf *e)
{
	int64_t total = 0;
	unsigned budget = FIRST_DAY_LOOKUPS;
	size_t i;

	if (merge(a, e) == -1)
		return -1;
	for (i = 0; i < a->n_senders; i++)
		advise_add(&total, a->senders[i].c[PERIOD_WINDOW].messages);
	for (i = 0; i < a->n_senders; i++) {
		struct sender_acc *s = &a->senders[i];
		int64_t m = s->c[PERIOD_WINDOW].messages;

		s->consistent = s->known_id == 0 && (s->identity != NULL || s->by_service) &&
		    m >= 0 && (uint64_t)m >= a->cfg.min_service_messages;
		s->cls = classify(a, s);
		s->notable = m > 0 &&
		    ((double)m > a->cfg.notable_share * (double)total ||
		        (double)m / a->cfg.window_days > a->cfg.notable_per_day);
		/*
		 * Scattered unauthorized mail is spoofing by its shape: nothing to
		 * review. Steady is 5 messages a network, on 3 days or more unless
		 * there are 20 (a monthly run is steady; a network hit twice by a
		 * spoofer, notable only on a domain that sends little, is not).
		 */
		s->needs_review = s->notable && s->known_id == 0 &&
		    (s->cls == CLASS_MISALIGNED ||
		        (s->cls == CLASS_UNAUTHORIZED &&
		            m >= (int64_t)s->n_groups * SCATTERED_PER_NETWORK &&
		            (s->days >= STEADY_DAYS ||
		                (uint64_t)m >= a->cfg.min_service_messages)));
		if (s->notable || s->known_id > 0)
			first_ever(a, s, first_day, ctx, &budget);
		else
			s->first_ever = s->first_day;
		s->is_new = s->first_ever > a->as_of - (int64_t)a->cfg.new_source_days;
	}
	return 0;
}

/* "192.0.2.0/24", "2001:db8:1::/48" or "invalid addresses". */
static void
network_text(const struct group *g, char *out, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (g->prefix == 0)
		snprintf(out, size, "invalid addresses");
	else if (g->family == 4 && inet_ntop(AF_INET, g->net + 12, ip, sizeof ip) != NULL)
		snprintf(out, size, "%s/%u", ip, g->prefix - 96);
	else if (inet_ntop(AF_INET6, g->net, ip, sizeof ip) != NULL)
		snprintf(out, size, "%s/%u", ip, g->prefix);
	else
		snprintf(out, size, "?");
}

const struct advise_service *
advise_service_find(const struct advisor *a, const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < a->n_services; i++)
		if (strcmp(a->services[i].key, key) == 0)
			return &a->services[i];
	return NULL;
}

static void
append(char *out, size_t size, const char *s)
{
	size_t len = strlen(out);

	if (len < size)
		snprintf(out + len, size - len, "%s", s);
}

void
advise_sender_describe(const struct advisor *a, const struct sender_acc *s,
    struct advise_sender *out)
{
	const struct known *k = s->known_id > 0 ? known_by_id(a, s->known_id) : NULL;
	const struct advise_service *sv = advise_service_find(a, s->service);
	char net[64], more[32];
	unsigned shown = 0;
	size_t gi;
	int p;

	memset(out, 0, sizeof *out);
	for (gi = s->first_group; gi != SIZE_MAX; gi = a->groups[gi].next) {
		if (a->groups[gi].known_id != 0)
			continue;
		if (shown == 3) {
			snprintf(more, sizeof more, ", +%u more", s->n_groups - shown);
			append(out->networks, sizeof out->networks, more);
			break;
		}
		network_text(&a->groups[gi], net, sizeof net);
		if (shown++ > 0)
			append(out->networks, sizeof out->networks, ", ");
		append(out->networks, sizeof out->networks, net);
	}
	out->n_networks = s->n_groups;
	if (s->identity != NULL) {
		snprintf(out->identity, sizeof out->identity, "%s",
		    s->mixed || s->shown == NULL ? s->identity : s->shown);
		out->identity_dkim = s->identity_dkim;
	}
	if (k != NULL)
		snprintf(out->label, sizeof out->label, "%s (%s %s)",
		    k->label != NULL ? k->label : known_status_name(k->status),
		    known_kind_name(k->kind), k->value);
	else if (s->known_id < 0)
		snprintf(out->label, sizeof out->label, "smaller sources (%zu networks)",
		    a->groups[s->first_group].folded);
	else if (sv != NULL && s->identity != NULL)
		snprintf(out->label, sizeof out->label, "%s: %s (%s)", sv->name, out->identity,
		    out->networks);
	else if (sv != NULL)
		snprintf(out->label, sizeof out->label, "%s (%s)", sv->name, out->networks);
	else if (s->identity != NULL)
		snprintf(out->label, sizeof out->label, "%s (%s)", out->identity, out->networks);
	else
		snprintf(out->label, sizeof out->label, "%s", out->networks);
	if (sv != NULL) {
		snprintf(out->service, sizeof out->service, "%s", sv->key);
		snprintf(out->service_name, sizeof out->service_name, "%s", sv->name);
		snprintf(out->service_doc, sizeof out->service_doc, "%s", sv->doc);
	}
	out->cls = s->cls;
	out->confirmed = s->known_id > 0;
	out->known_id = s->known_id > 0 ? s->known_id : 0;
	out->needs_review = s->needs_review;
	out->is_new = s->is_new;
	out->first_day = s->first_ever;
	out->last_day = s->last_day;
	for (p = 0; p < PERIOD_COUNT; p++)
		out->c[p] = s->c[p];
	snprintf(out->subdomain, sizeof out->subdomain, "%s",
	    s->sub_name != NULL ? s->sub_name : "");
	out->sub_messages = s->sub_messages;
	out->sub_pass = s->sub_pass;
}
