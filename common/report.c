#include "report.h"

#include <strings.h>

bool
agg_record_dmarc_pass(const struct agg_record *rec)
{
	return rec->pe_dkim == DMARC_PASS || rec->pe_spf == DMARC_PASS;
}

const char *
dialect_name(enum report_dialect d)
{
	switch (d) {
	case DIALECT_RFC7489:
		return "rfc7489";
	case DIALECT_RFC9990:
		return "rfc9990";
	case DIALECT_DRAFT:
		break;
	}
	return "draft";
}

const char *
policy_name(enum policy p)
{
	static const char *const names[] = { NULL, "none", "quarantine", "reject" };

	return (unsigned)p < 4 ? names[p] : NULL;
}

enum policy
policy_parse(const char *s)
{
	enum policy p;

	for (p = POLICY_NONE; s != NULL && p <= POLICY_REJECT; p++)
		if (strcasecmp(s, policy_name(p)) == 0)
			return p;
	return POLICY_UNSET;
}

const char *
disposition_name(enum disposition d)
{
	static const char *const names[] = { NULL, "none", "pass", "quarantine", "reject" };

	return (unsigned)d < 5 ? names[d] : NULL;
}

const char *
dmarc_result_name(enum dmarc_result r)
{
	static const char *const names[] = { NULL, "pass", "fail" };

	return (unsigned)r < 3 ? names[r] : NULL;
}

const char *
auth_result_name(enum auth_result r)
{
	static const char *const names[] = { NULL, "none", "pass", "fail", "softfail", "neutral",
		"policy", "temperror", "permerror" };

	return (unsigned)r < 9 ? names[r] : NULL;
}

const char *
override_name(enum override_type t)
{
	static const char *const names[] = { "other", "forwarded", "sampled_out",
		"trusted_forwarder", "mailing_list", "local_policy", "policy_test_mode" };

	return (unsigned)t < 7 ? names[t] : "other";
}

const char *
spf_scope_name(enum spf_scope s)
{
	static const char *const names[] = { NULL, "mfrom", "helo" };

	return (unsigned)s < 3 ? names[s] : NULL;
}
