/*
 * libFuzzer target: the DNS answers of reverse DNS (enrich/rdns_answer.c),
 * bytes that whoever runs a reverse zone chooses. The input is one answer,
 * read by every parser: the PTR walk for 1.2.0.192.in-addr.arpa, the
 * negative TTL, and the A and AAAA match against 192.0.2.1 and 2001:db8::1.
 * Checked: kept names are host names as rdns.h defines them, within their
 * bound; a bad name is NUL-terminated within RDNS_NAME_MAX and holds only
 * host bytes, dots and \DDD escapes; counts and TTLs stay within range.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "rdns_answer.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

#define FUZZ_QNAME "1.2.0.192.in-addr.arpa"
#define FUZZ_TTL_MAX 0x7fffffffu /* RFC 2181 8: a TTL with the top bit set reads as 0 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
host_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* A kept name: labels of 1..63 lower-case host bytes joined by dots, 1..253 bytes. */
static void
check_host_name(const char *buf, size_t size)
{
	const char *nul = memchr(buf, '\0', size);
	size_t len, i, label = 0;

	CHECK(nul != NULL);
	len = (size_t)(nul - buf);
	CHECK(len >= 1 && len <= 253);
	for (i = 0; i < len; i++) {
		if (buf[i] == '.') {
			CHECK(label >= 1);
			label = 0;
			continue;
		}
		CHECK(host_byte((unsigned char)buf[i]));
		CHECK(++label <= 63);
	}
	CHECK(label >= 1);
}

/* A bad name, for display: host bytes, dots and \DDD (000..255), NUL-terminated in size. */
static void
check_escaped(const char *buf, size_t size)
{
	const char *nul = memchr(buf, '\0', size);
	size_t len, i;

	CHECK(nul != NULL);
	len = (size_t)(nul - buf);
	CHECK(len >= 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (host_byte(c) || c == '.')
			continue;
		CHECK(c == '\\' && len - i > 3);
		CHECK(buf[i + 1] >= '0' && buf[i + 1] <= '2');
		CHECK(buf[i + 2] >= '0' && buf[i + 2] <= '9');
		CHECK(buf[i + 3] >= '0' && buf[i + 3] <= '9');
		CHECK(
		    (buf[i + 1] - '0') * 100 + (buf[i + 2] - '0') * 10 + (buf[i + 3] - '0') <= 255);
		i += 3;
	}
}

static void
fuzz_ptr(const unsigned char *abuf, int alen)
{
	struct rdns_answer_ptr *p = malloc(sizeof *p);
	unsigned i;

	CHECK(p != NULL);
	/* garbage in every byte: a missing NUL or an unset field shows */
	memset(p, 0xa5, sizeof *p);
	/* an answer that does not parse leaves what came before: it must hold as well */
	(void)rdns_answer_ptr(abuf, alen, FUZZ_QNAME, p);
	CHECK(p->nnames <= BOUND_RDNS_PTR_NAMES);
	for (i = 0; i < p->nnames; i++)
		check_host_name(p->names[i], sizeof p->names[i]);
	if (p->bad)
		check_escaped(p->bad_name, sizeof p->bad_name);
	else
		CHECK(p->bad_name[0] == '\0');
	CHECK(p->ttl <= FUZZ_TTL_MAX || p->ttl == UINT32_MAX);
	CHECK(p->ttl != UINT32_MAX || (p->nnames == 0 && !p->bad));
	free(p);
}

static void
fuzz_addr(const unsigned char *abuf, int alen, bool v4, const uint8_t ip[16])
{
	uint32_t ttl = UINT32_MAX, zero = 0;
	bool match;

	match = rdns_answer_has_addr(abuf, alen, v4, ip, &ttl);
	/* the same answer, the same verdict; a TTL only ever goes down */
	CHECK(rdns_answer_has_addr(abuf, alen, v4, ip, &zero) == match);
	CHECK(zero == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t v4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		1 };
	int alen;

	/* c-ares hands answers of at most 64 KiB (a TCP message's length field) */
	if (size > 65535)
		return 0;
	alen = (int)size;
	fuzz_ptr(data, alen);
	CHECK(rdns_answer_negative_ttl(data, alen) <= FUZZ_TTL_MAX);
	fuzz_addr(data, alen, true, v4);
	fuzz_addr(data, alen, false, v6);
	return 0;
}
