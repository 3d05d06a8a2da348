/*
 * libFuzzer target: one Authentication-Results value (RFC 8601) from a
 * stranger, as a NUL-terminated string of at most AR_MAX bytes, read by
 * carrier_auth_results() (ingest/carrier.h) without an authserv-id, with a
 * fixed one and with the value's own first token (so that its results are
 * always read), into a roomy and a one-byte dmarc buffer; then by
 * arf_norm's readers (arf_auth_result for spf, dkim and dmarc,
 * arf_ar_header_from). Checked: no more signatures than CARRIER_SIGS, each
 * domain lower case and NUL-terminated, the dmarc result NUL-terminated
 * within its buffer and lower case, as are the arf readers' answers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arf_norm.h"
#include "carrier.h"

#define AR_MAX 16384 /* past any header line a receiver would keep */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_lower(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		__builtin_trap();
	while (n-- > 0)
		if (s[n] >= 'A' && s[n] <= 'Z')
			__builtin_trap();
}

static void
read_carrier(const char *ar, const char *authserv_id, size_t dmarc_size)
{
	struct carrier_auth a = { .mail = true };
	char dmarc[16];
	unsigned i;
	bool mine;

	memset(dmarc, 'x', sizeof dmarc);
	dmarc[0] = '\0';
	mine = carrier_auth_results(&a, ar, authserv_id, dmarc, dmarc_size);
	if (a.n > CARRIER_SIGS || (!mine && (a.n != 0 || a.verified)) || (mine && !a.verified))
		__builtin_trap();
	for (i = 0; i < a.n; i++)
		check_lower(a.sig[i].domain, sizeof a.sig[i].domain);
	check_lower(dmarc, dmarc_size);
}

static void
read_arf(const char *ar)
{
	static const char *const methods[] = { "spf", "dkim", "dmarc" };
	char *v;
	size_t i;

	for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		v = arf_auth_result(ar, methods[i]);
		if (v != NULL)
			check_lower(v, AR_MAX + 1);
		free(v);
	}
	v = arf_ar_header_from(ar);
	if (v != NULL)
		check_lower(v, AR_MAX + 1);
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ar, id[64];
	const char *p;
	size_t len;

	if (size > AR_MAX)
		size = AR_MAX;
	if ((ar = malloc(size + 1)) == NULL)
		return 0;
	memcpy(ar, data, size);
	ar[size] = '\0';
	/* the value's first token, as a receiver naming itself would write it ("" when too long) */
	p = ar + strspn(ar, " \t\r\n");
	len = strcspn(p, " \t\r\n;(");
	if (len >= sizeof id)
		len = 0;
	memcpy(id, p, len);
	id[len] = '\0';
	read_carrier(ar, NULL, 16);
	read_carrier(ar, "", 16);
	read_carrier(ar, "mx.example.org", 16);
	read_carrier(ar, id, 16);
	read_carrier(ar, id, 1);
	read_arf(ar);
	free(ar);
	return 0;
}
