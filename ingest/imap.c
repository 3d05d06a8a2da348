/* imap: one libcurl easy handle per session, so one connection and one login. */
#include "imap.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_utf7.h"
#include "loopback.h"

#define IMAP_URL_MAX 1024
#define IMAP_UID_MAX UINT32_MAX /* RFC 3501: UIDs are 32-bit */

/* What the server sent back for the current request, bounded. */
struct reply {
	unsigned char *buf;
	size_t len, cap, max;
	bool over;
};

struct imap {
	CURL *curl;
	char base[IMAP_URL_MAX];      /* scheme://host[:port]/ */
	char box[IMAP_URL_MAX];       /* base + the escaped folder */
	char folder[IMAP_FOLDER_MAX]; /* UTF-8, as the config names it */
	char wire[IMAP_FOLDER_MAX];   /* in modified UTF-7, as IMAP sends it */
	char account[IMAP_URL_MAX];
	char *password;
	char curl_err[CURL_ERROR_SIZE];
	struct reply reply;
	bool has_move, has_uidplus;
	bool (*cancel)(void *ctx);
	void *cancel_ctx;
};

static size_t
on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct reply *r = arg;
	size_t n = size * nmemb, cap;
	unsigned char *grown;

	if (n > r->max - r->len) {
		r->over = true;
		return 0;
	}
	if (r->len + n > r->cap) {
		cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n)
			cap = cap > r->max / 2 ? r->max : cap * 2;
		if ((grown = realloc(r->buf, cap)) == NULL)
			return 0;
		r->buf = grown;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	return n;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct imap *c = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return c->cancel(c->cancel_ctx) ? 1 : 0;
}

/* Describes a failed request in e without anything secret. */
static int
fail_curl(struct imap *c, CURLcode rc, const char *what, struct errbuf *e)
{
	const char *hint = "";

	switch (rc) {
	case CURLE_LOGIN_DENIED:
		hint = " (wrong user name or password, or the folder does not exist)";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		hint = " (the server's certificate is not trusted: check ca_file)";
		break;
	case CURLE_USE_SSL_FAILED:
		hint = " (the server offers no STARTTLS)";
		break;
	case CURLE_WRITE_ERROR:
		if (c->reply.over)
			hint = " (reply over the size limit)";
		break;
	case CURLE_FILESIZE_EXCEEDED:
		hint = " (mail over the size limit)";
		break;
	default:
		break;
	}
	errbuf_set(e, "%s: %s: %s%s%s%s", c->base, what, curl_easy_strerror(rc), hint,
	    c->curl_err[0] != '\0' ? ": " : "", c->curl_err);
	return -1;
}

/* Runs one request at url (command NULL: a URL fetch) into c->reply. */
static CURLcode
perform(struct imap *c, const char *url, const char *command, size_t max)
{
	c->reply.len = 0;
	c->reply.max = max;
	c->reply.over = false;
	c->curl_err[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, command);
	curl_easy_setopt(c->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(command ? 0 : max));
	return curl_easy_perform(c->curl);
}

/* Runs command at url; what names it in an error (NULL: the command itself). */
static int
request(struct imap *c, const char *url, const char *command, const char *what, struct errbuf *e)
{
	CURLcode rc = perform(c, url, command, IMAP_RESPONSE_MAX);

	if (rc != CURLE_OK)
		return fail_curl(c, rc, what != NULL ? what : command, e);
	return 0;
}

/* Next line of the reply from *pos: 1 with [*line, *len), 0 at the end. */
static int
next_line(const struct reply *r, size_t *pos, const char **line, size_t *len)
{
	const unsigned char *nl;

	if (*pos >= r->len)
		return 0;
	*line = (const char *)r->buf + *pos;
	nl = memchr(r->buf + *pos, '\n', r->len - *pos);
	*len = nl != NULL ? (size_t)(nl - (r->buf + *pos)) : r->len - *pos;
	*pos += *len + (nl != NULL);
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 1;
}

/* A decimal number at s[*i] (at most max); advances *i. */
static int
number(const char *s, size_t len, size_t *i, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	while (*i < len && isdigit((unsigned char)s[*i])) {
		if (v > (max - (uint64_t)(s[*i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[*i] - '0');
		(*i)++;
	}
	if (*i == start)
		return -1;
	*out = v;
	return 0;
}

/* The number following the word name (e.g. "UIDVALIDITY 7") in s; -1 when absent. */
static int
item(const char *s, size_t len, const char *name, uint64_t max, uint64_t *out)
{
	size_t nlen = strlen(name), i;

	for (i = 0; i + nlen < len; i++) {
		if ((i == 0 || s[i - 1] == ' ' || s[i - 1] == '(') &&
		    strncasecmp(s + i, name, nlen) == 0 && s[i + nlen] == ' ') {
			i += nlen + 1;
			return number(s, len, &i, max, out);
		}
	}
	return -1;
}

static bool
starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && strncasecmp(s, prefix, n) == 0;
}

static bool
has_word(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word), i;

	for (i = 0; i + n <= len; i++)
		if ((i == 0 || s[i - 1] == ' ') && strncasecmp(s + i, word, n) == 0 &&
		    (i + n == len || s[i + n] == ' '))
			return true;
	return false;
}

/* Checks the URL and fills base, box, folder and account. */
static int
parse_url(struct imap *c, const struct imap_options *o, bool *tls, struct errbuf *e)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL, *esc = NULL;
	const char *folder;
	size_t i;
	int rc = -1;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, o->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK) {
		errbuf_set(e, "imap: '%s' is not a URL", o->url);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		errbuf_set(e, "imap: put the user name in 'user', not in the URL");
		goto out;
	}
	if (strcmp(scheme, "imaps") != 0 && strcmp(scheme, "imap") != 0) {
		errbuf_set(e, "imap: '%s': the URL must start with imaps:// or imap://", o->url);
		goto out;
	}
	*tls = strcmp(scheme, "imaps") == 0 || o->starttls;
	if (!*tls && !loopback_host(host)) {
		errbuf_set(e,
		    "imap: plaintext IMAP (no STARTTLS) is allowed only to loopback, "
		    "not to %s",
		    host);
		goto out;
	}
	folder = path[0] == '/' ? path + 1 : path;
	if (folder[0] == '\0')
		folder = "INBOX";
	if (strchr(folder, ';') != NULL) {
		errbuf_set(e, "imap: the folder in '%s' must not hold ';'", o->url);
		goto out;
	}
	if ((i = strlen(folder)) >= sizeof c->folder) {
		errbuf_set(e, "imap: the folder in '%s' is too long", o->url);
		goto out;
	}
	if (imap_utf7_encode(folder, c->wire, sizeof c->wire, e) == -1)
		goto out;
	if ((esc = curl_easy_escape(NULL, c->wire, 0)) == NULL) {
		errbuf_set(e, "imap: out of memory");
		goto out;
	}
	memcpy(c->folder, folder, i + 1);
	if ((size_t)snprintf(c->base, sizeof c->base, "%s://%s%s%s/", scheme, host,
	        port != NULL ? ":" : "", port != NULL ? port : "") >= sizeof c->base ||
	    (size_t)snprintf(c->box, sizeof c->box, "%s%s", c->base, esc) >= sizeof c->box ||
	    (size_t)snprintf(c->account, sizeof c->account, "%s@%s", o->user, host) >=
	        sizeof c->account) {
		errbuf_set(e, "imap: '%s' is too long", o->url);
		goto out;
	}
	for (i = strlen(o->user) + 1; c->account[i] != '\0'; i++)
		c->account[i] = (char)tolower((unsigned char)c->account[i]);
	rc = 0;
out:
	curl_free(esc);
	curl_free(user);
	curl_free(path);
	curl_free(port);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

static int
setup(struct imap *c, const struct imap_options *o, bool tls, struct errbuf *e)
{
	long t = (long)o->timeout;
	CURLcode rc = CURLE_OK;

	rc |= curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_err);
	rc |= curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	rc |= curl_easy_setopt(c->curl, CURLOPT_USERNAME, o->user);
	rc |= curl_easy_setopt(c->curl, CURLOPT_PASSWORD, c->password);
	rc |= curl_easy_setopt(c->curl, CURLOPT_USE_SSL,
	    (long)(tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
	if (o->ca_file != NULL)
		rc |= curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->ca_file);
	if (o->source_address != NULL)
		rc |= curl_easy_setopt(c->curl, CURLOPT_INTERFACE, o->source_address);
	rc |= curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, t);
	rc |= curl_easy_setopt(c->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, t);
	rc |= curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	rc |= curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, t);
	rc |= curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	rc |= curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_write);
	rc |= curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->reply);
	if (o->cancel != NULL) {
		rc |= curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
		rc |= curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
		rc |= curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	}
	if (rc != CURLE_OK) {
		errbuf_set(e, "imap: this libcurl lacks an option dmarcd needs");
		return -1;
	}
	return 0;
}

int
imap_open(const struct imap_options *o, struct imap **out, struct errbuf *e)
{
	struct imap *c = NULL;
	size_t pos = 0, len;
	const char *line;
	bool tls;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		errbuf_set(e, "imap: cannot initialise libcurl");
		return -1;
	}
	if ((c = calloc(1, sizeof *c)) == NULL || (c->password = strdup(o->password)) == NULL) {
		errbuf_set(e, "imap: out of memory");
		goto fail;
	}
	c->cancel = o->cancel;
	c->cancel_ctx = o->cancel_ctx;
	if (parse_url(c, o, &tls, e) == -1)
		goto fail;
	if ((c->curl = curl_easy_init()) == NULL) {
		errbuf_set(e, "imap: cannot create a libcurl handle");
		goto fail;
	}
	if (setup(c, o, tls, e) == -1)
		goto fail;
	/* The first request connects and logs in. */
	if (request(c, c->base, "CAPABILITY", "connecting and logging in", e) == -1)
		goto fail;
	while (next_line(&c->reply, &pos, &line, &len)) {
		if (starts(line, len, "* CAPABILITY ")) {
			c->has_move = c->has_move || has_word(line, len, "MOVE");
			c->has_uidplus = c->has_uidplus || has_word(line, len, "UIDPLUS");
		}
	}
	*out = c;
	return 0;
fail:
	imap_close(c);
	if (c == NULL)
		curl_global_cleanup();
	return -1;
}

void
imap_close(struct imap *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->reply.buf);
	free(c);
	curl_global_cleanup();
}

const char *
imap_account(const struct imap *c)
{
	return c->account;
}

const char *
imap_folder(const struct imap *c)
{
	return c->folder;
}

/* folder as an IMAP quoted string into buf; -1 when it does not fit. */
static int
quote(const char *folder, char *buf, size_t size)
{
	size_t n = 0, i;

	if (size < 3)
		return -1;
	buf[n++] = '"';
	for (i = 0; folder[i] != '\0'; i++) {
		if ((unsigned char)folder[i] < 0x20 || (unsigned char)folder[i] > 0x7e ||
		    n + 4 >= size)
			return -1;
		if (folder[i] == '"' || folder[i] == '\\')
			buf[n++] = '\\';
		buf[n++] = folder[i];
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return 0;
}

int
imap_uidvalidity(struct imap *c, uint64_t *uidvalidity, struct errbuf *e)
{
	char q[IMAP_FOLDER_MAX * 2 + 3], cmd[IMAP_COMMAND_MAX];
	size_t pos = 0, len;
	const char *line;

	if (quote(c->wire, q, sizeof q) == -1) {
		errbuf_set(e, "imap: bad folder name");
		return -1;
	}
	snprintf(cmd, sizeof cmd, "STATUS %s (UIDVALIDITY)", q);
	if (request(c, c->base, cmd, NULL, e) == -1)
		return -1;
	while (next_line(&c->reply, &pos, &line, &len))
		if (starts(line, len, "* STATUS ") &&
		    item(line, len, "UIDVALIDITY", IMAP_UID_MAX, uidvalidity) == 0)
			return 0;
	errbuf_set(e, "%s: STATUS: no UIDVALIDITY in the reply", c->base);
	return -1;
}

static int
cmp_uid(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
imap_search(struct imap *c, uint64_t first, uint64_t **uids, size_t *n, struct errbuf *e)
{
	char cmd[64];
	size_t pos = 0, len, i, cap = 0;
	const char *line;
	uint64_t *list = NULL, *grown, uid;

	*n = 0;
	*uids = NULL;
	snprintf(cmd, sizeof cmd, "UID SEARCH UID %llu:*", (unsigned long long)first);
	if (request(c, c->box, cmd, NULL, e) == -1)
		return -1;
	while (next_line(&c->reply, &pos, &line, &len)) {
		if (!starts(line, len, "* SEARCH"))
			continue;
		for (i = 8; i < len; i++) {
			if (line[i] == ' ')
				continue;
			if (number(line, len, &i, IMAP_UID_MAX, &uid) == -1)
				break;
			/* "n:*" also matches the highest UID when it is below n */
			if (uid < first)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				if ((grown = realloc(list, cap * sizeof *list)) == NULL) {
					free(list);
					errbuf_set(e, "imap: out of memory");
					return -1;
				}
				list = grown;
			}
			list[(*n)++] = uid;
		}
	}
	if (*n > 0)
		qsort(list, *n, sizeof *list, cmp_uid);
	*uids = list;
	return 0;
}

/*
 * Writes a UID set ("1:4,7") for uids[*i...] into buf, as many as fit,
 * and advances *i past them. uids are ascending.
 */
static void
uid_set(const uint64_t *uids, size_t n, size_t *i, char *buf, size_t size)
{
	size_t len = 0, j;
	int w;

	buf[0] = '\0';
	while (*i < n) {
		for (j = *i; j + 1 < n && uids[j + 1] == uids[j] + 1; j++)
			;
		if (j > *i)
			w = snprintf(buf + len, size - len, "%s%llu:%llu", len ? "," : "",
			    (unsigned long long)uids[*i], (unsigned long long)uids[j]);
		else
			w = snprintf(buf + len, size - len, "%s%llu", len ? "," : "",
			    (unsigned long long)uids[*i]);
		if (w < 0 || (size_t)w >= size - len) {
			buf[len] = '\0';
			return;
		}
		len += (size_t)w;
		*i = j + 1;
	}
}

/* Room for a command around a UID set: the set gets what the command text leaves. */
#define IMAP_SET_MAX (IMAP_COMMAND_MAX - IMAP_FOLDER_MAX * 2 - 64)

int
imap_sizes(struct imap *c, const uint64_t *uids, size_t n, uint64_t *sizes, struct errbuf *e)
{
	char set[IMAP_SET_MAX], cmd[IMAP_COMMAND_MAX];
	size_t i = 0, pos, len, k;
	const char *line, *paren;
	uint64_t uid, size;
	const uint64_t *hit;

	memset(sizes, 0, n * sizeof *sizes);
	while (i < n) {
		uid_set(uids, n, &i, set, sizeof set);
		snprintf(cmd, sizeof cmd, "UID FETCH %s (UID RFC822.SIZE)", set);
		if (request(c, c->box, cmd, NULL, e) == -1)
			return -1;
		pos = 0;
		while (next_line(&c->reply, &pos, &line, &len)) {
			if (!starts(line, len, "* ") || !has_word(line, len, "FETCH"))
				continue;
			if ((paren = memchr(line, '(', len)) == NULL)
				continue;
			k = (size_t)(paren - line);
			if (item(line + k, len - k, "UID", IMAP_UID_MAX, &uid) == -1 ||
			    item(line + k, len - k, "RFC822.SIZE", UINT64_MAX, &size) == -1)
				continue;
			hit = bsearch(&uid, uids, n, sizeof *uids, cmp_uid);
			if (hit != NULL)
				sizes[hit - uids] = size;
		}
	}
	return 0;
}

int
imap_fetch(struct imap *c, uint64_t uid, size_t max, unsigned char **data, size_t *len,
    struct errbuf *e)
{
	char url[IMAP_URL_MAX + 32];
	CURLcode rc;

	*data = NULL;
	*len = 0;
	snprintf(url, sizeof url, "%s/;UID=%llu", c->box, (unsigned long long)uid);
	rc = perform(c, url, NULL, max);
	if (rc != CURLE_OK) {
		char what[48];

		snprintf(what, sizeof what, "fetching UID %llu", (unsigned long long)uid);
		return fail_curl(c, rc, what, e);
	}
	if (c->reply.len == 0)
		return 0;
	if ((*data = malloc(c->reply.len)) == NULL) {
		errbuf_set(e, "imap: out of memory");
		return -1;
	}
	memcpy(*data, c->reply.buf, c->reply.len);
	*len = c->reply.len;
	return 1;
}

/* "UID COPY|MOVE set folder", creating the folder and retrying once when it is missing. */
static int
transfer(struct imap *c, const char *verb, const char *set, const char *q, struct errbuf *e)
{
	char cmd[IMAP_COMMAND_MAX];
	CURLcode rc;

	snprintf(cmd, sizeof cmd, "UID %s %s %s", verb, set, q);
	if ((rc = perform(c, c->box, cmd, IMAP_RESPONSE_MAX)) == CURLE_QUOTE_ERROR) {
		char create[IMAP_COMMAND_MAX];

		/* A NO: most likely [TRYCREATE]. An existing folder makes CREATE fail: harmless. */
		snprintf(create, sizeof create, "CREATE %s", q);
		perform(c, c->base, create, IMAP_RESPONSE_MAX);
		rc = perform(c, c->box, cmd, IMAP_RESPONSE_MAX);
	}
	if (rc != CURLE_OK)
		return fail_curl(c, rc, cmd, e);
	return 0;
}

static int
expunge(struct imap *c, const char *set, struct errbuf *e)
{
	char cmd[IMAP_COMMAND_MAX];

	snprintf(cmd, sizeof cmd, "UID STORE %s +FLAGS.SILENT (\\Deleted)", set);
	if (request(c, c->box, cmd, NULL, e) == -1)
		return -1;
	/* Without UIDPLUS, EXPUNGE also removes other mail already marked \Deleted. */
	if (c->has_uidplus)
		snprintf(cmd, sizeof cmd, "UID EXPUNGE %s", set);
	else
		snprintf(cmd, sizeof cmd, "EXPUNGE");
	return request(c, c->box, cmd, NULL, e);
}

int
imap_move(struct imap *c, const uint64_t *uids, size_t n, const char *folder, struct errbuf *e)
{
	char set[IMAP_SET_MAX], wire[IMAP_FOLDER_MAX], q[IMAP_FOLDER_MAX * 2 + 3];
	size_t i = 0;

	if (imap_utf7_encode(folder, wire, sizeof wire, e) == -1)
		return -1;
	if (quote(wire, q, sizeof q) == -1) {
		errbuf_set(e, "imap: folder '%s' is too long", folder);
		return -1;
	}
	while (i < n) {
		uid_set(uids, n, &i, set, sizeof set);
		if (c->has_move) {
			if (transfer(c, "MOVE", set, q, e) == -1)
				return -1;
		} else if (transfer(c, "COPY", set, q, e) == -1 || expunge(c, set, e) == -1) {
			return -1;
		}
	}
	return 0;
}

int
imap_flag(struct imap *c, const uint64_t *uids, size_t n, const char *flags, struct errbuf *e)
{
	char set[IMAP_SET_MAX], cmd[IMAP_COMMAND_MAX];
	size_t i = 0;

	while (i < n) {
		uid_set(uids, n, &i, set, sizeof set);
		snprintf(cmd, sizeof cmd, "UID STORE %s +FLAGS.SILENT (%s)", set, flags);
		if (request(c, c->box, cmd, NULL, e) == -1)
			return -1;
	}
	return 0;
}

int
imap_delete(struct imap *c, const uint64_t *uids, size_t n, struct errbuf *e)
{
	char set[IMAP_SET_MAX];
	size_t i = 0;

	while (i < n) {
		uid_set(uids, n, &i, set, sizeof set);
		if (expunge(c, set, e) == -1)
			return -1;
	}
	return 0;
}
