/*
 * geo: network owner and country from .mmdb files with libmaxminddb
 * (geo.h). A database is a stranger's file: every value read from it is
 * checked for its type and range, and every string is cleaned, before it
 * reaches a geo_answer.
 */
#include "geo.h"

#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

struct geo {
	MMDB_s asn;
	MMDB_s country;
	bool has_asn;
	bool has_country;
};

/* libmaxminddb cleans up before it returns an I/O error, which may change errno: ask again. */
static const char *
io_reason(const char *path, int status)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return strerror(errno);
	if (S_ISDIR(st.st_mode))
		return "is a directory";
	if (st.st_size == 0)
		return "empty file, not a MaxMind database (.mmdb)";
	return MMDB_strerror(status);
}

static int
open_db(MMDB_s *db, const char *path, const char *what, struct errbuf *e)
{
	int status = MMDB_open(path, MMDB_MODE_MMAP, db);

	if (status == MMDB_SUCCESS)
		return 0;
	if (status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR)
		errbuf_set(e, "%s %s: %s", what, path, io_reason(path, status));
	else if (status == MMDB_INVALID_METADATA_ERROR ||
	    status == MMDB_UNKNOWN_DATABASE_FORMAT_ERROR)
		errbuf_set(e, "%s %s: not a MaxMind database (.mmdb): %s", what, path,
		    MMDB_strerror(status));
	else
		errbuf_set(e, "%s %s: %s", what, path, MMDB_strerror(status));
	return -1;
}

struct geo *
geo_open(const char *asn_db, const char *country_db, struct errbuf *e)
{
	struct geo *g = calloc(1, sizeof(*g));

	if (g == NULL) {
		errbuf_set(e, "geo: out of memory");
		return NULL;
	}
	if (asn_db != NULL && asn_db[0] != '\0') {
		if (open_db(&g->asn, asn_db, "asn_db", e) == -1)
			goto fail;
		g->has_asn = true;
	}
	if (country_db != NULL && country_db[0] != '\0') {
		if (open_db(&g->country, country_db, "country_db", e) == -1)
			goto fail;
		g->has_country = true;
	}
	return g;
fail:
	geo_close(g);
	return NULL;
}

/*
 * An IPv4 address goes in as AF_INET: libmaxminddb then starts at the
 * database's IPv4 subtree (::/96), so an IPv6 database that does not alias
 * ::ffff:0:0/96 still answers it, and an IPv4-only database can.
 */
static bool
lookup(const MMDB_s *db, const uint8_t ip[16], MMDB_entry_s *entry)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct sockaddr_storage ss;
	MMDB_lookup_result_s res;
	int mmdb_error = MMDB_SUCCESS;

	memset(&ss, 0, sizeof(ss));
	if (memcmp(ip, mapped, sizeof(mapped)) == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ip + 12, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip, 16);
	}
	/* MMDB_lookup_sockaddr only reads the handle; its prototype predates const. */
	res = MMDB_lookup_sockaddr((MMDB_s *)db, (const struct sockaddr *)&ss, &mmdb_error);
	if (mmdb_error != MMDB_SUCCESS || !res.found_entry)
		return false;
	*entry = res.entry;
	return true;
}

/* The value at a NULL-terminated path, or false when absent or unreadable. */
static bool
get(MMDB_entry_s *entry, MMDB_entry_data_s *data, const char *const *path)
{
	if (MMDB_aget_value(entry, data, path) != MMDB_SUCCESS)
		return false;
	return data->has_data;
}

/* An AS number of any integer type, in 1..4294967295; 0 when absent or out of range. */
static uint32_t
read_asn(MMDB_entry_s *entry)
{
	static const char *const path[] = { "autonomous_system_number", NULL };
	MMDB_entry_data_s d;
	uint64_t v;

	if (!get(entry, &d, path))
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		v = d.uint16;
		break;
	case MMDB_DATA_TYPE_UINT32:
		v = d.uint32;
		break;
	case MMDB_DATA_TYPE_UINT64:
		v = d.uint64;
		break;
	case MMDB_DATA_TYPE_INT32:
		if (d.int32 < 0)
			return 0;
		v = (uint64_t)d.int32;
		break;
	default:
		return 0;
	}
	if (v == 0 || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

/*
 * Length of the well-formed UTF-8 character at s (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF) and its code point in *cp;
 * 0 when the bytes are not one.
 */
static size_t
utf8_char(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Characters that would let a name rewrite a terminal or a log line, or
 * reorder or hide the text around it: C0 and C1 controls, DEL, the
 * bidirectional controls, zero-width and line/paragraph separators.
 */
static bool
unprintable(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0xfeff;
}

/*
 * Copies the printable UTF-8 of s into out (size cap, cap >= 1): bytes that
 * are not UTF-8 are dropped, an unprintable character becomes one space,
 * spaces are collapsed and trimmed, and the text is cut before the first
 * character that would not fit whole. Markup stays: it is escaped where it
 * is shown (web/).
 */
static void
clean_string(const unsigned char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0, i = 0;
	bool space = false;
	uint32_t c;

	while (i < len) {
		size_t n = utf8_char(s + i, len - i, &c);

		if (n == 0) {
			i++;
			continue;
		}
		if (unprintable(c) || c == ' ') {
			space = o > 0;
			i += n;
			continue;
		}
		if (space) {
			if (o >= cap - 1)
				break;
			out[o++] = ' ';
			space = false;
		}
		if (n > cap - 1 - o)
			break;
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
}

static void
read_org(MMDB_entry_s *entry, char *out, size_t cap)
{
	static const char *const path[] = { "autonomous_system_organization", NULL };
	MMDB_entry_data_s d;

	if (get(entry, &d, path) && d.type == MMDB_DATA_TYPE_UTF8_STRING)
		clean_string((const unsigned char *)d.utf8_string, d.data_size, out, cap);
}

/* Two ASCII letters, upper-cased into out[3]; false otherwise. */
static bool
read_code(MMDB_entry_s *entry, const char *const *path, char out[3])
{
	MMDB_entry_data_s d;
	char a, b;

	if (!get(entry, &d, path) || d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
		return false;
	a = d.utf8_string[0], b = d.utf8_string[1];
	if (!((a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z')) ||
	    !((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')))
		return false;
	out[0] = (char)(a & ~0x20);
	out[1] = (char)(b & ~0x20);
	out[2] = '\0';
	return true;
}

/*
 * The layouts read, first match wins: MaxMind's GeoLite2/GeoIP2 Country
 * (country, then registered_country when the network has no country of
 * use), and ip-location-db's (a top-level country_code).
 */
static void
read_country(MMDB_entry_s *entry, char out[3])
{
	static const char *const paths[][3] = {
		{ "country", "iso_code", NULL },
		{ "registered_country", "iso_code", NULL },
		{ "country_code", NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (read_code(entry, paths[i], out))
			return;
}

void
geo_lookup(const struct geo *g, const uint8_t ip[16], struct geo_answer *out)
{
	MMDB_entry_s entry;

	memset(out, 0, sizeof(*out));
	if (g == NULL)
		return;
	if (g->has_asn && lookup(&g->asn, ip, &entry)) {
		out->asn = read_asn(&entry);
		read_org(&entry, out->as_org, sizeof(out->as_org));
	}
	if (g->has_country && lookup(&g->country, ip, &entry))
		read_country(&entry, out->country);
}

static int64_t
built(const MMDB_s *db)
{
	uint64_t t = db->metadata.build_epoch;

	return t > INT64_MAX ? INT64_MAX : (int64_t)t;
}

int64_t
geo_built(const struct geo *g)
{
	int64_t a = 0, c = 0;

	if (g == NULL)
		return 0;
	if (g->has_asn)
		a = built(&g->asn);
	if (g->has_country)
		c = built(&g->country);
	return a > c ? a : c;
}

void
geo_close(struct geo *g)
{
	if (g == NULL)
		return;
	if (g->has_asn)
		MMDB_close(&g->asn);
	if (g->has_country)
		MMDB_close(&g->country);
	free(g);
}
