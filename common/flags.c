#include "flags.h"

#include <string.h>

static const struct {
	uint64_t bit;
	const char *name;
} flag_names[] = {
	{ W_MIME_MISMATCH, "W_MIME_MISMATCH" },
	{ W_TRAILING_GARBAGE, "W_TRAILING_GARBAGE" },
	{ W_ENCODING_REPAIRED, "W_ENCODING_REPAIRED" },
	{ W_XML_REPAIRED, "W_XML_REPAIRED" },
	{ W_DUP_ELEMENT, "W_DUP_ELEMENT" },
	{ W_ENUM_CASE, "W_ENUM_CASE" },
	{ W_ENUM_UNKNOWN, "W_ENUM_UNKNOWN" },
	{ W_ORG_FALLBACK, "W_ORG_FALLBACK" },
	{ W_REPORT_ID_SYNTH, "W_REPORT_ID_SYNTH" },
	{ W_DATE_FROM_FILENAME, "W_DATE_FROM_FILENAME" },
	{ W_TS_MILLIS, "W_TS_MILLIS" },
	{ W_DATE_REVERSED, "W_DATE_REVERSED" },
	{ W_DATE_IMPLAUSIBLE, "W_DATE_IMPLAUSIBLE" },
	{ W_SPAN_LONG, "W_SPAN_LONG" },
	{ W_NO_RECORDS, "W_NO_RECORDS" },
	{ W_FILENAME_MISMATCH, "W_FILENAME_MISMATCH" },
	{ W_COUNT_HUGE, "W_COUNT_HUGE" },
	{ W_COUNT_ZERO, "W_COUNT_ZERO" },
	{ W_IP_MAPPED, "W_IP_MAPPED" },
	{ W_IP_INVALID, "W_IP_INVALID" },
	{ W_PE_INCOMPLETE, "W_PE_INCOMPLETE" },
	{ W_HFROM_MISSING, "W_HFROM_MISSING" },
	{ W_HFROM_OUTSIDE_DOMAIN, "W_HFROM_OUTSIDE_DOMAIN" },
	{ W_DKIM_NO_SELECTOR, "W_DKIM_NO_SELECTOR" },
	{ W_SPF_MULTI, "W_SPF_MULTI" },
	{ W_RECORD_DROPPED, "W_RECORD_DROPPED" },
	{ W_TEXT_TRUNCATED, "W_TEXT_TRUNCATED" },
	{ W_LIMIT_TRUNCATED, "W_LIMIT_TRUNCATED" },
	{ W_IP_NORMALIZED, "W_IP_NORMALIZED" },
	{ W_DOMAIN_NORMALIZED, "W_DOMAIN_NORMALIZED" },
	{ W_NUMBER_FORMAT, "W_NUMBER_FORMAT" },
	{ W_RFC9990_DEVIATION, "W_RFC9990_DEVIATION" },
	{ W_POLICY_PUBLISHED_MISSING, "W_POLICY_PUBLISHED_MISSING" },
};

char *
flags_describe(uint64_t flags, char *buf, size_t size)
{
	size_t len = 0, i, n;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
		if ((flags & flag_names[i].bit) == 0)
			continue;
		n = strlen(flag_names[i].name);
		if (n + 2 > size - len)
			break;
		if (len > 0)
			buf[len++] = ',';
		memcpy(buf + len, flag_names[i].name, n + 1);
		len += n;
	}
	return buf;
}
