/*
 * One walk per struct lists its fields once; the cursor's direction makes
 * it write them (pack) or read them back (unpack), so that the two can
 * never disagree. A string is its length + 1 as 4 bytes (0 for NULL), then
 * its bytes and a NUL, so that unpacking points into the block.
 */
#include "report_pack.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	bool packing;
	unsigned char *buf;
	size_t cap, pos; /* packing past cap only counts */
};

static void
put(struct cursor *c, const void *v, size_t n)
{
	if (n > 0 && c->pos <= c->cap && n <= c->cap - c->pos)
		memcpy(c->buf + c->pos, v, n);
	c->pos += n;
}

/* A fixed-size value: copied out or back in. */
static void
field(struct cursor *c, void *v, size_t n)
{
	if (c->packing) {
		put(c, v, n);
		return;
	}
	memcpy(v, c->buf + c->pos, n);
	c->pos += n;
}

static void
field_str(struct cursor *c, char **s)
{
	uint32_t n;

	if (c->packing) {
		n = *s != NULL ? (uint32_t)strlen(*s) + 1 : 0;
		put(c, &n, sizeof n);
		put(c, *s, n);
		return;
	}
	memcpy(&n, c->buf + c->pos, sizeof n);
	c->pos += sizeof n;
	*s = n > 0 ? (char *)c->buf + c->pos : NULL;
	c->pos += n;
}

/* A string held in a char array of size bytes. */
static void
field_chars(struct cursor *c, char *a, size_t size)
{
	char *s = a;
	size_t n;

	field_str(c, &s);
	if (!c->packing) {
		n = strnlen(s, size - 1);
		memcpy(a, s, n);
		a[n] = '\0';
	}
}

/* A count of array entries, capped at max (packing) so that walks stay in bounds. */
static void
field_count(struct cursor *c, size_t *n, size_t max)
{
	if (c->packing && *n > max) {
		size_t capped = max;

		field(c, &capped, sizeof capped);
		return;
	}
	field(c, n, sizeof *n);
}

static void
walk_report(struct cursor *c, struct agg_report *r)
{
	field(c, &r->dialect, sizeof r->dialect);
	field_str(c, &r->xml_namespace);
	field_str(c, &r->xml_version);
	field_str(c, &r->org_name);
	field_str(c, &r->org_key);
	field_str(c, &r->org_email);
	field_str(c, &r->extra_contact);
	field_str(c, &r->generator);
	field_str(c, &r->report_id);
	field(c, &r->begin_ts, sizeof r->begin_ts);
	field(c, &r->end_ts, sizeof r->end_ts);
	field_str(c, &r->errors);
	field_str(c, &r->policy_domain);
	field(c, &r->p, sizeof r->p);
	field(c, &r->sp, sizeof r->sp);
	field(c, &r->np, sizeof r->np);
	field(c, &r->adkim, sizeof r->adkim);
	field(c, &r->aspf, sizeof r->aspf);
	field(c, &r->testing, sizeof r->testing);
	field(c, &r->pct, sizeof r->pct);
	field_str(c, &r->fo);
	field_str(c, &r->discovery_method);
	field(c, r->xml_sha256, sizeof r->xml_sha256);
	field(c, &r->totals, sizeof r->totals);
	field(c, &r->flags, sizeof r->flags);
}

static void
walk_record(struct cursor *c, struct agg_record *rec)
{
	size_t i, n;

	field_str(c, &rec->source_ip_raw);
	field_chars(c, rec->source_ip, sizeof rec->source_ip);
	field(c, &rec->ip_family, sizeof rec->ip_family);
	field(c, &rec->count, sizeof rec->count);
	field(c, &rec->disposition, sizeof rec->disposition);
	field_str(c, &rec->disposition_raw);
	field(c, &rec->pe_dkim, sizeof rec->pe_dkim);
	field(c, &rec->pe_spf, sizeof rec->pe_spf);
	field_str(c, &rec->header_from);
	field_str(c, &rec->envelope_from);
	field_str(c, &rec->envelope_to);
	field_count(c, &rec->n_reasons, BOUND_RECORD_REASONS);
	n = rec->n_reasons < BOUND_RECORD_REASONS ? rec->n_reasons : BOUND_RECORD_REASONS;
	for (i = 0; i < n; i++) {
		struct override_reason *o = &rec->reasons[i];

		field(c, &o->type, sizeof o->type);
		field_str(c, &o->type_raw);
		field_str(c, &o->comment);
	}
	field_count(c, &rec->n_dkim, BOUND_RECORD_DKIM);
	n = rec->n_dkim < BOUND_RECORD_DKIM ? rec->n_dkim : BOUND_RECORD_DKIM;
	for (i = 0; i < n; i++) {
		struct dkim_result *d = &rec->dkim[i];

		field_str(c, &d->domain);
		field_str(c, &d->selector);
		field_str(c, &d->human_result);
		field_str(c, &d->result_raw);
		field(c, &d->result, sizeof d->result);
	}
	field_count(c, &rec->n_spf, BOUND_RECORD_SPF);
	n = rec->n_spf < BOUND_RECORD_SPF ? rec->n_spf : BOUND_RECORD_SPF;
	for (i = 0; i < n; i++) {
		struct spf_result *s = &rec->spf[i];

		field_str(c, &s->domain);
		field_str(c, &s->human_result);
		field_str(c, &s->result_raw);
		field(c, &s->scope, sizeof s->scope);
		field(c, &s->result, sizeof s->result);
	}
	field(c, &rec->flags, sizeof rec->flags);
}

/* Packing only reads the struct: the walk is shared with unpacking, hence the casts. */
size_t
agg_report_pack(const struct agg_report *r, void *buf, size_t cap)
{
	struct cursor c = { true, buf, cap, 0 };

	walk_report(&c, (struct agg_report *)r);
	return c.pos;
}

void
agg_report_unpack(void *buf, struct agg_report *r)
{
	struct cursor c = { false, buf, 0, 0 };

	walk_report(&c, r);
}

size_t
agg_record_pack(const struct agg_record *rec, void *buf, size_t cap)
{
	struct cursor c = { true, buf, cap, 0 };

	walk_record(&c, (struct agg_record *)rec);
	return c.pos;
}

void
agg_record_unpack(void *buf, struct agg_record *rec)
{
	struct cursor c = { false, buf, 0, 0 };

	walk_record(&c, rec);
}
