/*
 * Tests for enrich/catalogue.c: the built-in file (every service complete,
 * every listed domain found again as its own service's), the matching
 * rules (label boundaries, strength, longest domain, catalogue order), the
 * config's overrides, the parser's errors, the bounds and the hash; and,
 * when ../shared is present, the identities of the real corpus and the
 * generator's senders.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "testutil.h"

#define SERVICES_CONF TESTS_DIR "/../data/services.conf"

static struct catalogue *
builtin(void)
{
	struct errbuf e = { { 0 } };
	struct catalogue *c = catalogue_builtin(&e);

	cr_assert_not_null(c, "the built-in catalogue: %s", e.msg);
	return c;
}

/* A catalogue of text alone; the test fails when it does not parse. */
static struct catalogue *
parsed(const char *text)
{
	struct errbuf e = { { 0 } };
	struct catalogue *c = catalogue_new(&e);

	cr_assert_not_null(c);
	cr_assert_eq(catalogue_parse(c, text, strlen(text), "t.conf", &e), 0, "%s", e.msg);
	return c;
}

static struct catalogue_match
match1(const struct catalogue *c, enum evidence ev, const char *name)
{
	struct catalogue_facts f = { 0 };
	struct catalogue_match m;

	if (ev == EVIDENCE_DKIM) {
		f.dkim = &name;
		f.ndkim = 1;
	} else if (ev == EVIDENCE_SPF) {
		f.spf = &name;
		f.nspf = 1;
	} else if (ev == EVIDENCE_PTR) {
		f.ptr = name;
	} else {
		f.asn = (uint32_t)strtoul(name, NULL, 10);
	}
	catalogue_match(c, &f, &m);
	return m;
}

/* The key of the service name matches by ev, or "" for none. */
static const char *
who(const struct catalogue *c, enum evidence ev, const char *name)
{
	static char key[128];
	struct catalogue_match m = match1(c, ev, name);

	snprintf(key, sizeof key, "%s", m.service != NULL ? m.service->key : "");
	if (m.service != NULL)
		cr_assert_eq(m.evidence, ev, "%s matched by %s", name, evidence_name(m.evidence));
	return key;
}

/* The next token of *p delimited by any of seps (NUL-terminated in place), or NULL at the end. */
static char *
token(char **p, const char *seps)
{
	char *t = *p + strspn(*p, seps);

	if (*t == '\0')
		return NULL;
	*p = t + strcspn(t, seps);
	if (**p != '\0')
		*(*p)++ = '\0';
	return t;
}

static bool
is_category(const char *s)
{
	size_t i;

	for (i = 0; catalogue_categories[i] != NULL; i++)
		if (strcmp(catalogue_categories[i], s) == 0)
			return true;
	return false;
}

Test(catalogue, builtin_services_are_complete)
{
	struct catalogue *c = builtin();
	size_t i, j;

	cr_assert_geq(catalogue_count(c), 150, "only %zu services", catalogue_count(c));
	for (i = 0; i < catalogue_count(c); i++) {
		const struct service *s = catalogue_at(c, i);

		cr_assert_gt(strlen(s->name), 0, "%s: no name", s->key);
		cr_assert(is_category(s->category), "%s: category %s", s->key, s->category);
		cr_assert_gt(strlen(s->fix), 20, "%s: no fix", s->key);
		cr_assert_eq(strncmp(s->doc, "https://", 8), 0, "%s: doc %s", s->key, s->doc);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(catalogue_at(c, j)->key, s->key);
	}
	cr_assert_null(catalogue_at(c, catalogue_count(c)));
	/* the big ones come first, as the brief of the file says */
	cr_assert_str_eq(catalogue_at(c, 0)->key, "google-workspace");
	cr_assert_str_eq(catalogue_at(c, 0)->name, "Google Workspace");
	catalogue_free(c);
}

/*
 * Reads data/services.conf line by line, apart from the parser: every
 * service has evidence, every domain and AS number it lists is matched to
 * it again, and no domain is listed by two services.
 */
Test(catalogue, builtin_claims_are_their_services)
{
	struct catalogue *c = builtin();
	size_t len, nclaims = 0, nseen = 0, nsections = 0, i;
	char *text = (char *)tu_read_file(SERVICES_CONF, &len);
	char section[128] = "", *line, *rest;
	static char seen[4096][128], owner[4096][128];
	bool evidence = true;

	rest = text;
	while ((line = token(&rest, "\n")) != NULL) {
		enum evidence ev = EVIDENCE_NONE;
		char *item, *items;

		if (sscanf(line, "[service %127[a-z0-9-]]", section) == 1) {
			cr_assert(evidence, "a service before %s has no evidence", section);
			evidence = false;
			nsections++;
			continue;
		}
		/* the clouds' AS numbers name no service (catalogue_cloud's test) */
		if (strncmp(line, "[cloud ", 7) == 0) {
			cr_assert(evidence, "a service before %s has no evidence", line);
			section[0] = '\0';
			continue;
		}
		if (section[0] == '\0')
			continue;
		if (strncmp(line, "dkim = ", 7) == 0)
			ev = EVIDENCE_DKIM;
		else if (strncmp(line, "spf = ", 6) == 0)
			ev = EVIDENCE_SPF;
		else if (strncmp(line, "ptr = ", 6) == 0)
			ev = EVIDENCE_PTR;
		else if (strncmp(line, "asn = ", 6) == 0)
			ev = EVIDENCE_ASN;
		if (ev == EVIDENCE_NONE)
			continue;
		evidence = true;
		items = strchr(line, '=') + 2;
		while ((item = token(&items, ", ")) != NULL) {
			char sub[300];

			cr_assert_str_eq(who(c, ev, item), section, "%s %s", evidence_name(ev),
			    item);
			nclaims++;
			if (ev == EVIDENCE_ASN)
				continue;
			/* and every name under it, on a label boundary */
			snprintf(sub, sizeof sub, "x-1.%s", item);
			cr_assert_str_eq(who(c, ev, sub), section, "%s %s", evidence_name(ev), sub);
			for (i = 0; i < nseen; i++)
				if (strcmp(seen[i], item) == 0)
					cr_assert_str_eq(owner[i], section,
					    "%s is listed by %s and %s", item, owner[i], section);
			cr_assert_lt(nseen, 4096);
			snprintf(seen[nseen], sizeof seen[nseen], "%s", item);
			snprintf(owner[nseen], sizeof owner[nseen], "%s", section);
			nseen++;
		}
	}
	cr_assert(evidence, "the last service has no evidence");
	cr_assert_eq(nsections, catalogue_count(c));
	cr_assert_gt(nclaims, 300, "only %zu claims", nclaims);
	free(text);
	catalogue_free(c);
}

Test(catalogue, label_boundary)
{
	struct catalogue *c = builtin();
	static const struct {
		const char *name, *key;
	} cases[] = {
		{ "sendgrid.net", "sendgrid" },
		{ "o1.ptr1234.sendgrid.net", "sendgrid" },
		{ "SendGrid.NET.", "sendgrid" },
		{ "em123.SENDGRID.net", "sendgrid" },
		{ "notsendgrid.net", "" },
		{ "sendgrid.net.example.com", "" },
		{ "xsendgrid.net", "" },
		{ "net", "" },
		{ "", "" },
		{ ".", "" },
		{ "sendgrid..net", "" },
		{ "contoso.onmicrosoft.com", "microsoft-365" },
		{ "onmicrosoft.com.evil.example", "" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_assert_str_eq(who(c, EVIDENCE_DKIM, cases[i].name), cases[i].key, "%s",
		    cases[i].name);
	cr_assert_str_eq(
	    who(c, EVIDENCE_PTR, "mail-db8eur05on2100.outbound.protection.outlook.com"),
	    "microsoft-365");
	cr_assert_str_eq(who(c, EVIDENCE_PTR, "protection.outlook.com"), "");
	catalogue_free(c);
}

Test(catalogue, strongest_evidence_wins)
{
	struct catalogue *c = builtin();
	const char *dkim[] = { "example.org", "sendgrid.net" };
	const char *spf[] = { "mail12.suw13.mcdlv.net" };
	struct catalogue_facts f = { .ptr = "mail-am6eur05on2061.outbound.protection.outlook.com",
		.asn = 11377,
		.dkim = dkim,
		.ndkim = 2,
		.spf = spf,
		.nspf = 1 };
	struct catalogue_match m;

	catalogue_match(c, &f, &m);
	cr_assert_str_eq(m.service->key, "sendgrid");
	cr_assert_eq(m.evidence, EVIDENCE_DKIM);
	cr_assert_str_eq(m.value, "sendgrid.net");
	cr_assert_str_eq(evidence_name(m.evidence), "dkim");

	f.ndkim = 1; /* example.org alone: no service */
	catalogue_match(c, &f, &m);
	cr_assert_str_eq(m.service->key, "microsoft-365");
	cr_assert_eq(m.evidence, EVIDENCE_PTR);
	cr_assert_str_eq(m.value, "mail-am6eur05on2061.outbound.protection.outlook.com");

	f.ptr = "mail.example.org";
	catalogue_match(c, &f, &m);
	cr_assert_str_eq(m.service->key, "mailchimp");
	cr_assert_eq(m.evidence, EVIDENCE_SPF);
	cr_assert_str_eq(m.value, "mail12.suw13.mcdlv.net");

	f.nspf = 0;
	catalogue_match(c, &f, &m);
	cr_assert_str_eq(m.service->key, "sendgrid");
	cr_assert_eq(m.evidence, EVIDENCE_ASN);
	cr_assert_str_eq(m.value, "AS11377");

	f.asn = 15169; /* left out on purpose: Google's AS carries far more than mail */
	catalogue_match(c, &f, &m);
	cr_assert_null(m.service);
	cr_assert_eq(m.evidence, EVIDENCE_NONE);
	cr_assert_str_eq(m.value, "");
	cr_assert_str_eq(evidence_name(m.evidence), "");
	catalogue_free(c);
}

Test(catalogue, empty_and_null_facts)
{
	struct catalogue *c = builtin();
	const char *dkim[] = { NULL, "mandrillapp.com" };
	struct catalogue_facts none = { 0 }, f = { .dkim = dkim, .ndkim = 2 };
	struct catalogue_match m;

	catalogue_match(c, &none, &m);
	cr_assert_null(m.service);
	catalogue_match(c, &f, &m);
	cr_assert_str_eq(m.service->key, "mandrill");
	catalogue_free(c);
}

Test(catalogue, longest_domain_then_order)
{
	struct catalogue *c = parsed("[service broad]\n"
	                             "name = Broad\n"
	                             "category = hosting\n"
	                             "dkim = example.net, aa.example\n"
	                             "[service narrow]\n"
	                             "name = Narrow\n"
	                             "category = transactional\n"
	                             "dkim = mail.example.net, bb.example\n");
	const char *both[] = { "x.mail.example.net", "y.example.net" };
	const char *same[] = { "bb.example", "aa.example" };
	struct catalogue_facts f = { .dkim = both, .ndkim = 2 };
	struct catalogue_match m;

	/* one name: its longest suffix in the catalogue */
	cr_assert_str_eq(who(c, EVIDENCE_DKIM, "a.b.mail.example.net"), "narrow");
	cr_assert_str_eq(who(c, EVIDENCE_DKIM, "a.b.example.net"), "broad");
	/* several names: the longest claim, whatever their order */
	catalogue_match(c, &f, &m);
	cr_assert_str_eq(m.service->key, "narrow");
	cr_assert_str_eq(m.value, "x.mail.example.net");
	both[0] = "y.example.net";
	both[1] = "x.mail.example.net";
	catalogue_match(c, &f, &m);
	cr_assert_str_eq(m.service->key, "narrow");
	/* claims of one length: the earlier service */
	f.dkim = same;
	catalogue_match(c, &f, &m);
	cr_assert_str_eq(m.service->key, "broad");
	cr_assert_str_eq(m.value, "aa.example");
	catalogue_free(c);
}

Test(catalogue, config_overrides_and_adds)
{
	struct catalogue *c = builtin();
	struct errbuf e = { { 0 } };
	size_t n = catalogue_count(c), i;
	uint64_t h = catalogue_hash(c);
	const struct service *s = NULL;

	cr_assert_eq(catalogue_set(c, "sendgrid", "name", "SendGrid (ours)", &e), 0, "%s", e.msg);
	cr_assert_eq(
	    catalogue_set(c, "sendgrid", "dkim", "mail.example.org, mail2.example.org", &e), 0,
	    "%s", e.msg);
	cr_assert_eq(catalogue_count(c), n);
	for (i = 0; i < n; i++)
		if (strcmp(catalogue_at(c, i)->key, "sendgrid") == 0)
			s = catalogue_at(c, i);
	cr_assert_not_null(s);
	cr_assert_str_eq(s->name, "SendGrid (ours)");
	cr_assert_str_eq(s->category, "transactional"); /* the keys not set are kept */
	cr_assert_str_eq(who(c, EVIDENCE_DKIM, "x.mail2.example.org"), "sendgrid");
	cr_assert_str_eq(who(c, EVIDENCE_DKIM, "o1.sendgrid.net"), "sendgrid");
	cr_assert_neq(catalogue_hash(c), h);

	/* a new service: named by its key until told otherwise */
	cr_assert_eq(catalogue_set(c, "our-relay", "ptr", "relay.example.org", &e), 0, "%s", e.msg);
	cr_assert_eq(catalogue_count(c), n + 1);
	s = catalogue_at(c, n);
	cr_assert_str_eq(s->key, "our-relay");
	cr_assert_str_eq(s->name, "our-relay");
	cr_assert_str_eq(s->category, "saas");
	cr_assert_eq(catalogue_set(c, "our-relay", "category", "hosting", &e), 0, "%s", e.msg);
	cr_assert_str_eq(s->category, "hosting");
	cr_assert_str_eq(who(c, EVIDENCE_PTR, "out1.relay.example.org"), "our-relay");

	/* a domain of another service is refused, and nothing changes */
	h = catalogue_hash(c);
	cr_assert_eq(catalogue_set(c, "our-relay", "spf", "relay2.example.org, amazonses.com", &e),
	    -1);
	cr_assert(strstr(e.msg, "amazonses.com is already claimed by service amazon-ses") != NULL,
	    "%s", e.msg);
	cr_assert_str_eq(who(c, EVIDENCE_SPF, "relay2.example.org"), "");
	cr_assert_eq(catalogue_hash(c), h);
	cr_assert_eq(catalogue_set(c, "newcomer", "dkim", "sendgrid.net", &e), -1);
	cr_assert_eq(catalogue_count(c), n + 1, "a refused service is not created");
	catalogue_free(c);
}

Test(catalogue, set_refusals)
{
	struct catalogue *c = catalogue_new(NULL);
	static const struct {
		const char *service, *key, *value, *msg;
	} cases[] = {
		{ "Big", "name", "x", "a service's name is 1 to 64" },
		{ "a_b", "name", "x", "a service's name is 1 to 64" },
		{ "", "name", "x", "a service's name is 1 to 64" },
		{ "svc", "colour", "red", "service svc: unknown key \"colour\"" },
		{ "svc", "category", "bank", "unknown category \"bank\"" },
		{ "svc", "name", "", "an empty name" },
		{ "svc", "name", "a\tb", "a control character" },
		{ "svc", "doc", "ftp://x", "a link starts with https://" },
		{ "svc", "dkim", "com", "\"com\" is not a domain name of two labels" },
		{ "svc", "dkim", "-a.com", "\"-a.com\" is not a domain name" },
		{ "svc", "dkim", "a-.com", "\"a-.com\" is not a domain name" },
		{ "svc", "dkim", "a..com", "\"a..com\" is not a domain name" },
		{ "svc", "dkim", "a.com,", "an empty item" },
		{ "svc", "ptr", "a.com b.com", "is not a domain name" },
		{ "svc", "spf", "_spf.a.com", "is not a domain name" },
		{ "svc", "asn", "0", "\"0\" is not the AS number of a public network" },
		{ "svc", "asn", "64512", "\"64512\" is not the AS number" },
		{ "svc", "asn", "4294967296", "is not the AS number" },
		{ "svc", "asn", "AS15169", "\"AS15169\" is not the AS number" },
	};
	struct errbuf e;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		errbuf_clear(&e);
		cr_assert_eq(catalogue_set(c, cases[i].service, cases[i].key, cases[i].value, &e),
		    -1, "%s %s", cases[i].key, cases[i].value);
		cr_assert(strstr(e.msg, cases[i].msg) != NULL, "%s = %s: %s", cases[i].key,
		    cases[i].value, e.msg);
	}
	cr_assert_eq(catalogue_count(c), 0, "a refused value creates no service");
	catalogue_free(c);
	catalogue_free(NULL);
}

Test(catalogue, bounds)
{
	struct catalogue *c = catalogue_new(NULL);
	struct errbuf e;
	char list[4096] = "", longval[2048], label[80];
	size_t i, n = 0;

	for (i = 0; i <= 64; i++)
		n += (size_t)snprintf(list + n, sizeof list - n, "%sd%zu.example", i ? "," : "", i);
	cr_assert_eq(catalogue_set(c, "svc", "dkim", list, &e), -1);
	cr_assert(strstr(e.msg, "more than 64 dkim values") != NULL, "%s", e.msg);
	memset(longval, 'a', sizeof longval - 1);
	longval[sizeof longval - 1] = '\0';
	cr_assert_eq(catalogue_set(c, "svc", "fix", longval, &e), -1);
	cr_assert(strstr(e.msg, "longer than 1024 bytes") != NULL, "%s", e.msg);
	memset(label, 'a', 64);
	memcpy(label + 64, ".com", 5);
	cr_assert_eq(catalogue_set(c, "svc", "dkim", label, &e), -1, "a label of 64");
	memcpy(label + 63, ".com", 5);
	cr_assert_eq(catalogue_set(c, "svc", "dkim", label, &e), 0, "a label of 63: %s", e.msg);
	memset(longval, 'k', 65);
	longval[65] = '\0';
	cr_assert_eq(catalogue_set(c, longval, "name", "x", &e), -1);
	catalogue_free(c);
}

Test(catalogue, parse_errors_name_the_line)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "# c\n\nname = x\n", "t.conf:3: a key before the first [service NAME] section" },
		{ "[service a]\nname = A\ncategory = saas\ndkim = a.example\ncolour = red\n",
		    "t.conf:5: service a: unknown key \"colour\"" },
		{ "[service a]\nname = A\ncategory = bank\n",
		    "t.conf:3: service a: category: unknown" },
		{ "[servic a]\n", "t.conf:1: a section is [service NAME] or [cloud NAME]" },
		{ "[cloud a]\nname = A\ndkim = a.example\n",
		    "t.conf:3: cloud a: unknown key \"dkim\"" },
		{ "[cloud a]\nname = A\n[service b]\n",
		    "t.conf:1: cloud a: a new cloud needs a name and an asn" },
		{ "[cloud a]\nname = A\nasn = 64000\n[cloud a]\n",
		    "t.conf:4: cloud a: a second [cloud a] section" },
		{ "[cloud a]\nname = A\nasn = 64000, x\n",
		    "t.conf:3: cloud a: asn: \"x\" is not the AS number of a public network" },
		{ "[cloud a]\nname = A\nasn = 64000\n[cloud b]\nname = B\nasn = 64000\n",
		    "t.conf:6: cloud b: asn: AS64000 is already claimed by cloud a" },
		{ "[service a]\nname = A\ncategory = saas\nasn = 64000\n[cloud b]\nname = B\n"
		  "asn = 64000\n",
		    "t.conf:7: cloud b: asn: AS64000 is already claimed by service a" },
		{ "[cloud b]\nname = B\nasn = 64000\n[service a]\nname = A\ncategory = saas\n"
		  "asn = 1, 64000\n",
		    "t.conf:7: service a: asn: AS64000 is the shared cloud B" },
		{ "[service A]\n", "t.conf:1: \"A\": a service's name" },
		{ "[service a\n", "t.conf:1: a section is [service NAME]" },
		{ "[service a]\njust words\n", "t.conf:2: a line is [service NAME], key = value" },
		{ "[service a]\nname = A\nname = B\n", "t.conf:3: service a: name set twice" },
		{ "[service a]\nname = A\ncategory = saas\ndkim = a.example\n\n[service a]\n",
		    "t.conf:6: service a: a second [service a] section" },
		{ "\n[service a]\nname = A\ndkim = a.example\n[service b]\n",
		    "t.conf:2: service a: a new service needs a name and a category" },
		{ "[service a]\nname = A\ncategory = saas\n",
		    "t.conf:1: service a: a new service needs one of dkim, spf, ptr or asn" },
		{ "[service a]\nname = A\ncategory = saas\ndkim = x.example\n"
		  "[service b]\nname = B\ncategory = saas\nspf = mail.x.example, x.example\n",
		    "t.conf:8: service b: spf: x.example is already claimed by service a" },
		{ "[service a]\nname = A\x01\n", "t.conf:2: service a: name: a control character" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct catalogue *c = catalogue_new(NULL);
		struct errbuf e = { { 0 } };

		cr_assert_eq(catalogue_parse(c, cases[i].text, strlen(cases[i].text), "t.conf", &e),
		    -1, "case %zu parsed", i);
		cr_assert(strncmp(e.msg, cases[i].msg, strlen(cases[i].msg)) == 0,
		    "case %zu: \"%s\", not \"%s\"", i, e.msg, cases[i].msg);
		catalogue_free(c);
	}
}

Test(catalogue, parse_format)
{
	/* CRLF, blanks, comments, lists over several lines, a NUL-free text without final newline
	 */
	struct catalogue *c = parsed("; top\r\n"
	                             "  # indented comment\r\n"
	                             "[ service  acme-1 ]\r\n"
	                             "name =  Acme Mail  \r\n"
	                             "category=transactional\r\n"
	                             "dkim = acme.example,mail.acme.example\r\n"
	                             "dkim = ACME-mail.example.\r\n"
	                             "fix = Use a key of yours; really # not a comment\r\n"
	                             "asn = 64000, 396982");
	const struct service *s = catalogue_at(c, 0);

	cr_assert_eq(catalogue_count(c), 1);
	cr_assert_str_eq(s->key, "acme-1");
	cr_assert_str_eq(s->name, "Acme Mail");
	cr_assert_str_eq(s->category, "transactional");
	cr_assert_str_eq(s->fix, "Use a key of yours; really # not a comment");
	cr_assert_str_eq(s->doc, "");
	cr_assert_str_eq(who(c, EVIDENCE_DKIM, "x.acme-mail.example"), "acme-1");
	cr_assert_str_eq(who(c, EVIDENCE_ASN, "396982"), "acme-1");
	cr_assert_str_eq(match1(c, EVIDENCE_ASN, "64000").value, "AS64000");
	cr_assert_str_eq(who(c, EVIDENCE_SPF, "acme.example"), "", "claims are per kind");
	catalogue_free(c);
}

Test(catalogue, hash_follows_content)
{
	const char *base = "[service a]\nname = A\ncategory = saas\ndkim = a.example\n";
	const char *variants[] = {
		"[service a]\nname = A2\ncategory = saas\ndkim = a.example\n",
		"[service a]\nname = A\ncategory = hosting\ndkim = a.example\n",
		"[service a]\nname = A\ncategory = saas\ndkim = b.example\n",
		"[service a]\nname = A\ncategory = saas\nspf = a.example\n",
		"[service a]\nname = A\ncategory = saas\ndkim = a.example\nfix = x\n",
		"[service b]\nname = A\ncategory = saas\ndkim = a.example\n",
	};
	struct catalogue *c = parsed(base), *d = parsed(base), *b1 = builtin(), *b2 = builtin();
	uint64_t h = catalogue_hash(c);
	size_t i;

	cr_assert_eq(catalogue_hash(d), h, "the same text, the same hash");
	cr_assert_eq(catalogue_hash(b1), catalogue_hash(b2));
	cr_assert_neq(catalogue_hash(b1), h);
	for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
		struct catalogue *v = parsed(variants[i]);

		cr_assert_neq(catalogue_hash(v), h, "variant %zu", i);
		catalogue_free(v);
	}
	catalogue_free(c);
	catalogue_free(d);
	catalogue_free(b1);
	catalogue_free(b2);
}

/* Passing identities that real reports show, and the service each must be named. */
static const struct {
	const char *domain, *key;
} known[] = {
	{ "amazonses.com", "amazon-ses" },
	{ "gmail.com", "gmail" },
	{ "google.com", "google-workspace" },
	{ "onmicrosoft.com", "microsoft-365" },
	{ "outlook.com", "outlook-com" },
	{ "sendgrid.net", "sendgrid" },
	{ "sendgrid.info", "sendgrid" },
	{ "mcsv.net", "mailchimp" },
	{ "mcdlv.net", "mailchimp" },
	{ "rsgsv.net", "mailchimp" },
	{ "mandrillapp.com", "mandrill" },
	{ "mailgun.org", "mailgun" },
	{ "mtasv.net", "postmark" },
	{ "sparkpostmail.com", "sparkpost" },
	{ "yahoo.com", "yahoo" },
	{ "fastmail.com", "fastmail" },
	{ "googlegroups.com", "google-groups" },
};

static const char *
known_key(const char *domain)
{
	size_t i, n = strlen(domain);

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		size_t k = strlen(known[i].domain);

		if (n == k ? strcmp(domain, known[i].domain) == 0 :
		             n > k && domain[n - k - 1] == '.' &&
		            strcmp(domain + n - k, known[i].domain) == 0)
			return known[i].key;
	}
	return NULL;
}

Test(catalogue, shared_corpus_identities)
{
	struct catalogue *c;
	char *out = NULL, *line, *rest;
	size_t nknown = 0, ndoc = 0;
	bool ses = false;

	TU_REQUIRE_SHARED();
	c = builtin();
	cr_assert_eq(
	    tu_run(&out, "python3 %s/catalogue_corpus.py '%s'", TESTS_DIR, tu_shared("corpus")), 0);
	rest = out;
	while ((line = token(&rest, "\n")) != NULL) {
		char kind[8], domain[256];
		enum evidence ev;
		const char *key;

		cr_assert_eq(sscanf(line, "%7s %255s", kind, domain), 2, "%s", line);
		ev = strcmp(kind, "dkim") == 0 ? EVIDENCE_DKIM : EVIDENCE_SPF;
		key = known_key(domain);
		if (key != NULL) {
			cr_assert_str_eq(who(c, ev, domain), key, "%s %s", kind, domain);
			nknown++;
			ses |= strcmp(domain, "amazonses.com") == 0;
		}
		/* documentation names and the corpus's own senders are nobody's service */
		if (strncmp(domain, "example.", 8) == 0 || strncmp(domain, "random.", 7) == 0 ||
		    strcmp(domain, "twlnet.com") == 0 || strcmp(domain, "myserver.com") == 0) {
			cr_assert_str_eq(who(c, ev, domain), "", "%s is nobody's", domain);
			ndoc++;
		}
	}
	cr_assert(ses, "the corpus has Amazon SES's passing results: %s", out);
	cr_assert_geq(nknown, 3, "%s", out);
	cr_assert_geq(ndoc, 4, "%s", out);
	free(out);
	catalogue_free(c);
}

/* What ../shared/bench/gen_corpus.py generates for each sending service and forwarder. */
Test(catalogue, shared_generator_senders)
{
	static const struct {
		const char *quoted; /* as the generator writes it */
		enum evidence ev;
		const char *name, *key;
	} senders[] = {
		{ "\".onmicrosoft.com\"", EVIDENCE_DKIM, "contoso.onmicrosoft.com",
		    "microsoft-365" },
		{ "(\"amazonses.com\"", EVIDENCE_DKIM, "amazonses.com", "amazon-ses" },
		{ "else \"amazonses.com\"", EVIDENCE_SPF, "amazonses.com", "amazon-ses" },
		{ "(\"sendgrid.info\"", EVIDENCE_DKIM, "sendgrid.info", "sendgrid" },
		{ "else \"sendgrid.net\"", EVIDENCE_SPF, "sendgrid.net", "sendgrid" },
		{ ".mcdlv.net\"", EVIDENCE_SPF, "mail42.suw17.mcdlv.net", "mailchimp" },
		{ "(\"mcdlv.net\"", EVIDENCE_DKIM, "mcdlv.net", "mailchimp" },
		{ "\"outlook.com\", \"forwarded\"", EVIDENCE_SPF, "outlook.com", "outlook-com" },
		{ "\"googlegroups.com\", \"mailing_list\"", EVIDENCE_SPF, "googlegroups.com",
		    "google-groups" },
		{ "\"googlegroups.com\", \"mailing_list\"", EVIDENCE_DKIM, "googlegroups.com",
		    "google-groups" },
		{ "\"fastmail.com\", \"trusted_forwarder\"", EVIDENCE_SPF, "fastmail.com",
		    "fastmail" },
		{ "\"gmx.net\", \"local_policy\"", EVIDENCE_SPF, "gmx.net", "gmx" },
		/* the generator's own list and its policy domains are nobody's */
		{ "\"lists.example.org\"", EVIDENCE_SPF, "lists.example.org", "" },
		{ "\"contoso.com\"", EVIDENCE_DKIM, "contoso.com", "" },
	};
	struct catalogue *c;
	const char *path;
	char *gen;
	size_t i, len;

	TU_REQUIRE_SHARED();
	path = tu_shared("bench/gen_corpus.py");
	gen = (char *)tu_read_file(path, &len);
	c = builtin();
	for (i = 0; i < sizeof senders / sizeof senders[0]; i++) {
		cr_assert_not_null(strstr(gen, senders[i].quoted),
		    "gen_corpus.py no longer says %s: update this table", senders[i].quoted);
		cr_assert_str_eq(who(c, senders[i].ev, senders[i].name), senders[i].key, "%s %s",
		    evidence_name(senders[i].ev), senders[i].name);
	}
	free(gen);
	catalogue_free(c);
}

Test(catalogue, clouds_are_looked_up_by_as_number_and_name_no_service)
{
	struct catalogue *c = builtin();
	struct errbuf e = { { 0 } };
	static const struct {
		uint32_t asn;
		const char *name;
	} cases[] = {
		{ 16509, "Amazon AWS" },
		{ 14618, "Amazon AWS" },
		{ 396982, "Google Cloud" },
		{ 8075, "Microsoft (Azure and Exchange Online)" },
		{ 24940, "Hetzner" },
		{ 14061, "DigitalOcean" },
		{ 11377, NULL }, /* SendGrid's own network */
		{ 3333, NULL },
		{ 0, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *name = catalogue_cloud(c, cases[i].asn);

		if (cases[i].name == NULL)
			cr_assert_null(name, "AS%u: %s", (unsigned)cases[i].asn, name);
		else
			cr_assert_str_eq(name != NULL ? name : "(none)", cases[i].name, "AS%u",
			    (unsigned)cases[i].asn);
	}
	cr_assert_null(catalogue_cloud(NULL, 16509));
	/* a cloud's address names no service, by AS */
	cr_assert_str_eq(who(c, EVIDENCE_ASN, "16509"), "");
	/* and no service may claim a cloud's AS: a tenant there would pass for it */
	cr_assert_eq(catalogue_set(c, "acme", "asn", "64000, 16509", &e), -1);
	cr_assert_not_null(strstr(e.msg, "AS16509 is the shared cloud Amazon AWS"), "%s", e.msg);
	cr_assert_str_eq(who(c, EVIDENCE_ASN, "64000"), "", "the catalogue is unchanged");
	catalogue_free(c);
}
