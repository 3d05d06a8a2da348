/*
 * The next DMARC record: the user's current record (or, when unknown, the
 * policy the reports show) with p=, pct= and t= set for the next step and
 * every other tag kept in its order. v=DMARC1 comes first and p= second,
 * as RFC 7489 requires.
 */
#include "advise_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define TAGS_MAX 24
#define TAG_NAME_MAX 16
#define TAG_VALUE_MAX 400

struct tag {
	char name[TAG_NAME_MAX];
	char value[TAG_VALUE_MAX];
};

struct tags {
	struct tag t[TAGS_MAX];
	size_t n;
};

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static struct tag *
find(struct tags *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->t[i].name, name) == 0)
			return &t->t[i];
	return NULL;
}

static void
set(struct tags *t, const char *name, const char *value)
{
	struct tag *x = find(t, name);

	if (x == NULL) {
		if (t->n == TAGS_MAX)
			return;
		x = &t->t[t->n++];
		snprintf(x->name, sizeof x->name, "%s", name);
	}
	snprintf(x->value, sizeof x->value, "%s", value);
}

static void
drop(struct tags *t, const char *name)
{
	struct tag *x = find(t, name);

	if (x == NULL)
		return;
	memmove(x, x + 1, (size_t)(&t->t[t->n] - (x + 1)) * sizeof *x);
	t->n--;
}

/* "v=DMARC1; p=none; rua=mailto:a@b" into tags; unparsable pieces are left out. */
static void
parse(const char *record, struct tags *t)
{
	const char *s = record;

	while (*s != '\0') {
		const char *end = strchr(s, ';'), *eq;
		size_t len = end != NULL ? (size_t)(end - s) : strlen(s), nlen, vlen;
		const char *name, *value;

		eq = memchr(s, '=', len);
		if (eq != NULL) {
			name = s;
			nlen = (size_t)(eq - s);
			value = eq + 1;
			vlen = len - nlen - 1;
			trim(&name, &nlen);
			trim(&value, &vlen);
			if (nlen > 0 && nlen < TAG_NAME_MAX && vlen < TAG_VALUE_MAX &&
			    t->n < TAGS_MAX) {
				struct tag *x = &t->t[t->n++];

				memcpy(x->name, name, nlen);
				x->name[nlen] = '\0';
				memcpy(x->value, value, vlen);
				x->value[vlen] = '\0';
			}
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
}

/* The record the reports imply: what policy_published shows. */
static void
from_reports(const struct advisor *a, struct tags *t)
{
	const struct policy_track *p = &a->pol;

	set(t, "v", "DMARC1");
	set(t, "p", policy_name(p->last.p != POLICY_UNSET ? p->last.p : POLICY_NONE));
	if (p->last.sp != POLICY_UNSET && p->last.sp != p->last.p)
		set(t, "sp", policy_name(p->last.sp));
	if (p->last.np != POLICY_UNSET && p->last.np != p->last.sp)
		set(t, "np", policy_name(p->last.np));
	if (p->last.adkim == 's')
		set(t, "adkim", "s");
	if (p->last.aspf == 's')
		set(t, "aspf", "s");
	if (p->fo != NULL && strcmp(p->fo, "0") != 0 && p->fo[0] != '\0')
		set(t, "fo", p->fo);
	if (a->cfg.rua != NULL && a->cfg.rua[0] != '\0')
		set(t, "rua", a->cfg.rua);
}

enum policy
advise_record_policy(const struct advisor *a, const char *tag)
{
	struct tags t = { .n = 0 };
	struct tag *x;

	if (a->record == NULL)
		return POLICY_UNSET;
	parse(a->record, &t);
	x = find(&t, tag);
	return x == NULL ? POLICY_UNSET : policy_parse(x->value);
}

void
advise_next_record(const struct advisor *a, const struct advise_step *st, struct advice *out)
{
	struct tags t = { .n = 0 };
	char pct[16];
	size_t i, len = 0;
	const char *first[] = { "v", "p" };
	struct tag *x;

	if (a->record != NULL)
		parse(a->record, &t);
	if (find(&t, "p") == NULL)
		from_reports(a, &t);
	set(&t, "v", "DMARC1");
	set(&t, "p", policy_name(st->p));
	if (st->sp != POLICY_UNSET)
		set(&t, "sp", policy_name(st->sp));
	if (st->np != POLICY_UNSET)
		set(&t, "np", policy_name(st->np));
	if (st->pct < 100) {
		snprintf(pct, sizeof pct, "%d", st->pct);
		set(&t, "pct", pct);
	} else {
		drop(&t, "pct");
	}
	if (st->testing)
		set(&t, "t", "y");
	else
		drop(&t, "t");
	out->record_complete = find(&t, "rua") != NULL;
	if (!out->record_complete)
		set(&t, "rua", "mailto:YOUR-RUA-ADDRESS");
	out->next_record[0] = '\0';
	for (i = 0; i < 2; i++) {
		x = find(&t, first[i]);
		len += (size_t)snprintf(out->next_record + len, sizeof out->next_record - len,
		    "%s%s=%s", i ? "; " : "", x->name, x->value);
	}
	for (i = 0; i < t.n && len < sizeof out->next_record; i++) {
		if (strcasecmp(t.t[i].name, "v") == 0 || strcasecmp(t.t[i].name, "p") == 0)
			continue;
		len += (size_t)snprintf(out->next_record + len, sizeof out->next_record - len,
		    "; %s=%s", t.t[i].name, t.t[i].value);
	}
}
