#include "failure.h"

#include <stdlib.h>
#include <string.h>

#include "flags.h"

struct failure_report *
failure_new(void)
{
	struct failure_report *f = calloc(1, sizeof *f);

	if (f == NULL)
		return NULL;
	f->arrival_ts = -1;
	f->source_port = -1;
	f->incidents = 1;
	return f;
}

static void
free_strings(struct failure_report *f)
{
	char **strs[] = {
		&f->reporter,
		&f->feedback_type,
		&f->user_agent,
		&f->version,
		&f->auth_failure,
		&f->identity_alignment,
		&f->delivery_result,
		&f->delivery_result_raw,
		&f->arrival_raw,
		&f->source_ip_raw,
		&f->reported_domain,
		&f->original_mail_from,
		&f->original_rcpt_to,
		&f->original_envelope_id,
		&f->reporting_mta,
		&f->auth_results,
		&f->dkim_domain,
		&f->dkim_identity,
		&f->dkim_selector,
		&f->spf_dns,
		&f->spf_result,
		&f->dkim_result,
		&f->dmarc_result,
		&f->spf_alignment,
		&f->dkim_alignment,
		&f->sample_from,
		&f->header_from,
		&f->sample_to,
		&f->sample_subject,
		&f->sample_date,
		&f->sample_message_id,
		&f->sample_dkim_domain,
		&f->sample_dkim_selector,
		&f->sample_headers,
	};
	size_t i;

	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(*strs[i]);
}

void
failure_free(struct failure_report *f)
{
	size_t i;

	if (f == NULL)
		return;
	free_strings(f);
	for (i = 0; i < f->n_fields; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
	}
	free(f->fields);
	free(f->sample_body);
	free(f);
}

const char *
failure_kind_name(enum failure_kind k)
{
	return k == FAILURE_DMARC ? "dmarc" : "other";
}

const char *
failure_format_name(enum failure_format fmt)
{
	switch (fmt) {
	case FAILURE_FORMAT_ARF:
		return "arf";
	case FAILURE_FORMAT_ARF_NONSTANDARD:
		return "arf-nonstandard";
	case FAILURE_FORMAT_PLAINTEXT:
		break;
	}
	return "plaintext";
}

const char *
failure_sample_name(enum failure_sample s)
{
	switch (s) {
	case FAILURE_SAMPLE_HEADERS:
		return "headers";
	case FAILURE_SAMPLE_MESSAGE:
		return "message";
	case FAILURE_SAMPLE_NONE:
		break;
	}
	return "none";
}

static void
append(char *buf, size_t size, size_t *len, const char *name)
{
	size_t n = strlen(name);

	if (n + 2 > size - *len)
		return;
	if (*len > 0)
		buf[(*len)++] = ',';
	memcpy(buf + *len, name, n + 1);
	*len += n;
}

char *
failure_flags_describe(uint64_t flags, char *buf, size_t size)
{
	size_t len;

	if (size == 0)
		return buf;
	flags_describe(flags & ~(W_FEEDBACK_TYPE_MISSING | W_ARF_FIELD_MISSING), buf, size);
	len = strlen(buf);
	if (flags & W_FEEDBACK_TYPE_MISSING)
		append(buf, size, &len, "W_FEEDBACK_TYPE_MISSING");
	if (flags & W_ARF_FIELD_MISSING)
		append(buf, size, &len, "W_ARF_FIELD_MISSING");
	return buf;
}
