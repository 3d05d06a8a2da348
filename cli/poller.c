/* poller: sources, batches, actions after the commit, backoff, stopping. */
#include "poller.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "carrier_check.h"
#include "cli.h"
#include "digest.h"
#include "imap.h"
#include "log.h"
#include "pipeline.h"
#include "privdrop.h"
#include "refusal.h"
#include "source.h"

#define POLLER_LOCATION_MAX 1024
#define POLLER_BACKOFF_FIRST 30 /* seconds, or the interval when shorter */
#define POLLER_BACKOFF_MAX 900  /* or the interval when longer */
#define POLLER_PRUNE_EVERY 86400

/* When a source is next due, and how many polls of it failed in a row. */
struct due {
	time_t next;
	unsigned failures;
};

struct poller {
	const struct config *c;
	struct store *st;
	struct carrier_check *check; /* the report mails' DKIM verifier, NULL when off */
	struct due *due;             /* the IMAP sources, then the Maildirs */
	time_t next_prune;
	bool stopping;
};

/* One IMAP folder being polled. */
struct folder_poll {
	struct poller *p;
	const struct config_imap *im;
	struct imap *imap;
	struct store_imap_folder state;
	bool store_failed; /* the pipeline failed: its batch must not be committed */
};

/* What the pipeline's record hook needs for one mail. */
struct mail_record {
	struct store *st;
	int64_t folder_id;
	uint64_t uid;
};

/* The pending actions of a folder, split by the action that applies. */
struct uid_list {
	uint64_t *uids;
	size_t n, cap;
};

struct pending {
	struct uid_list done, refused;
};

static sigset_t
stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	return set;
}

int
poller_block_signals(void)
{
	sigset_t set = stop_signals();

	return pthread_sigmask(SIG_BLOCK, &set, NULL) == 0 ? 0 : -1;
}

/* True once SIGTERM or SIGINT is pending (they are blocked: nothing consumes them). */
static bool
stop_pending(void *arg)
{
	struct poller *p = arg;
	sigset_t pend;

	if (!p->stopping && sigpending(&pend) == 0 &&
	    (sigismember(&pend, SIGTERM) == 1 || sigismember(&pend, SIGINT) == 1)) {
		log_info("stopping: finishing the current mail");
		p->stopping = true;
	}
	return p->stopping;
}

static int
list_add(struct uid_list *l, uint64_t uid)
{
	uint64_t *grown;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((grown = reallocarray(l->uids, l->cap, sizeof *grown)) == NULL)
			return -1;
		l->uids = grown;
	}
	l->uids[l->n++] = uid;
	return 0;
}

static int
collect_pending(void *arg, uint64_t uid, bool refused)
{
	struct pending *pd = arg;

	return list_add(refused ? &pd->refused : &pd->done, uid);
}

/* Applies action a to the UIDs of l, then forgets them in the store. */
static int
act(struct folder_poll *fp, const struct uid_list *l, int a, const char *folder, const char *flags,
    const char *what, struct errbuf *e)
{
	int rc = 0;

	if (l->n == 0)
		return 0;
	switch (a) {
	case CONFIG_AFTER_MOVE:
		rc = imap_move(fp->imap, l->uids, l->n, folder, e);
		break;
	case CONFIG_AFTER_FLAG:
		rc = imap_flag(fp->imap, l->uids, l->n, flags, e);
		break;
	case CONFIG_AFTER_DELETE:
		rc = imap_delete(fp->imap, l->uids, l->n, e);
		break;
	default:
		break;
	}
	if (rc == -1 || store_imap_clear(fp->p->st, fp->state.id, l->uids, l->n, e) == -1)
		return -1;
	if (a == CONFIG_AFTER_MOVE)
		log_info("imap %s: moved %zu %s mail(s) to %s", fp->im->name, l->n, what, folder);
	else if (a != CONFIG_AFTER_NONE)
		log_info("imap %s: %s %zu %s mail(s)", fp->im->name,
		    a == CONFIG_AFTER_FLAG ? "flagged" : "deleted", l->n, what);
	return 0;
}

/* Runs the actions whose mail is committed (call with no batch open). */
static int
apply_pending(struct folder_poll *fp, struct errbuf *e)
{
	struct pending pd = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	int rc = -1;

	if (store_imap_each_pending(fp->p->st, fp->state.id, collect_pending, &pd, e) == -1)
		goto out;
	if (act(fp, &pd.done, fp->im->after, fp->im->archive_folder, "\\Seen", "processed", e) ==
	        -1 ||
	    act(fp, &pd.refused, fp->im->after_invalid, fp->im->invalid_folder, "\\Seen \\Flagged",
	        "refused", e) == -1)
		goto out;
	rc = 0;
out:
	free(pd.done.uids);
	free(pd.refused.uids);
	return rc;
}

/* The pipeline's hook: the mail's UID advances in the commit that holds its data. */
static int
record_mail(void *arg, enum store_input_status status, struct errbuf *e)
{
	struct mail_record *r = arg;

	return store_imap_done(r->st, r->folder_id, r->uid, status == STORE_INPUT_REFUSED, e);
}

/* Records a mail over the size limit without downloading it. */
static int
skip_mail(struct folder_poll *fp, uint64_t uid, uint64_t size, const char *location,
    struct errbuf *e)
{
	char key[POLLER_LOCATION_MAX + 64], reason[256];
	uint8_t sha[32];
	int n;

	/* No bytes to hash: the key names the mail at its server, so it is recorded once. */
	n = snprintf(key, sizeof key, "imap-skipped\n%s\n%s\n%llu\n%llu", imap_account(fp->imap),
	    imap_folder(fp->imap), (unsigned long long)fp->state.uidvalidity,
	    (unsigned long long)uid);
	digest_sha256(key, n > 0 && (size_t)n < sizeof key ? (size_t)n : strlen(key), sha);
	snprintf(reason, sizeof reason,
	    "mail of %llu bytes is over max_input (%llu bytes): "
	    "not downloaded",
	    (unsigned long long)size, (unsigned long long)fp->p->c->bounds.max_input);
	if (store_imap_skip(fp->p->st, fp->state.id, uid, sha, size, location,
	        refusal_code(REFUSE_SIZE_LIMIT), reason, e) == -1)
		return -1;
	log_warn("%s: refused: %s", location, reason);
	return 0;
}

/* Fetches and ingests one mail into the pipeline's batch. */
static int
ingest_mail(struct folder_poll *fp, struct pipeline *pl, uint64_t uid, uint64_t size,
    struct errbuf *e)
{
	char location[POLLER_LOCATION_MAX];
	struct mail_record rec = { fp->p->st, fp->state.id, uid };
	struct pipeline_input in = { 0 };
	unsigned char *data = NULL;
	size_t len;
	int rc;

	snprintf(location, sizeof location, "imap %s %s UID %llu", fp->im->name,
	    imap_folder(fp->imap), (unsigned long long)uid);
	if (size == 0) {
		log_info("%s: gone from the server before it was fetched", location);
		return 0;
	}
	if (size > fp->p->c->bounds.max_input)
		return skip_mail(fp, uid, size, location, e);
	if ((rc = imap_fetch(fp->imap, uid, (size_t)fp->p->c->bounds.max_input, &data, &len, e)) <=
	    0) {
		if (rc == 0)
			log_info("%s: gone from the server before it was fetched", location);
		return rc;
	}
	in.source = "imap";
	in.location = location;
	in.data = data;
	in.len = len;
	in.record = record_mail;
	in.record_arg = &rec;
	if ((rc = pipeline_ingest(pl, &in, e)) == -1)
		fp->store_failed = true;
	free(data);
	return rc;
}

/* One batch of UIDs: sizes, fetch, ingest, commit, then the actions. */
static int
poll_batch(struct folder_poll *fp, const uint64_t *uids, size_t n, struct errbuf *e)
{
	struct pipeline_options popt = { .verbose = true,
		.keep_failure_bodies = fp->p->c->keep_body,
		.dkim = carrier_check_dkim(fp->p->check),
		.require_verified = fp->p->c->require_verified,
		.authserv_id = fp->p->c->authserv_id };
	struct pipeline *pl = NULL;
	uint64_t *sizes;
	struct errbuf flush_err;
	size_t i;
	int rc = -1;

	if ((sizes = calloc(n, sizeof *sizes)) == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	if (imap_sizes(fp->imap, uids, n, sizes, e) == -1 ||
	    pipeline_new(fp->p->st, &fp->p->c->bounds, &popt, &pl, e) == -1)
		goto out;
	for (i = 0; i < n && !stop_pending(fp->p); i++) {
		if (ingest_mail(fp, pl, uids[i], sizes[i], e) == -1) {
			/* Keep what is done when the server failed; a store error loses the batch.
			 */
			if (!fp->store_failed && pipeline_flush(pl, &flush_err) == -1)
				log_error("%s", flush_err.msg);
			goto out;
		}
	}
	if (pipeline_flush(pl, e) == -1)
		goto out;
	rc = apply_pending(fp, e);
out:
	pipeline_free(pl);
	free(sizes);
	return rc;
}

static int
poll_folder(struct folder_poll *fp, struct errbuf *e)
{
	uint64_t uidvalidity, *uids = NULL;
	size_t n, i, chunk;
	bool reset;
	int rc = -1;

	if (imap_uidvalidity(fp->imap, &uidvalidity, e) == -1 ||
	    store_imap_folder(fp->p->st, imap_account(fp->imap), imap_folder(fp->imap), uidvalidity,
	        &fp->state, &reset, e) == -1)
		return -1;
	if (reset)
		log_warn("imap %s: UIDVALIDITY of %s changed: reading the folder again "
		         "(mail already stored counts as duplicate)",
		    fp->im->name, imap_folder(fp->imap));
	/* Actions left over by a crash or a lost connection first. */
	if (apply_pending(fp, e) == -1 ||
	    imap_search(fp->imap, fp->state.last_uid + 1, &uids, &n, e) == -1)
		return -1;
	if (n > 0)
		log_info("imap %s: %zu new mail(s) in %s", fp->im->name, n, imap_folder(fp->imap));
	for (i = 0; i < n && !stop_pending(fp->p); i += chunk) {
		chunk = n - i < fp->p->c->batch ? n - i : (size_t)fp->p->c->batch;
		if (poll_batch(fp, uids + i, chunk, e) == -1)
			goto out;
	}
	rc = 0;
out:
	free(uids);
	return rc;
}

static int
poll_imap(struct poller *p, const struct config_imap *im, struct errbuf *e)
{
	char password[CONFIG_PASSWORD_MAX];
	struct folder_poll fp = { p, im, NULL, { 0, 0, 0 }, false };
	struct imap_options o = { 0 };
	int rc;

	if (config_imap_password(p->c, im, password, sizeof password, e) == -1)
		return -1;
	o.url = im->url;
	o.user = im->user;
	o.password = password;
	o.ca_file = im->ca_file;
	o.starttls = im->starttls;
	o.source_address = im->source_address;
	o.timeout = (unsigned)im->timeout;
	o.cancel = stop_pending;
	o.cancel_ctx = p;
	rc = imap_open(&o, &fp.imap, e);
	explicit_bzero(password, sizeof password);
	if (rc == 0)
		rc = poll_folder(&fp, e);
	imap_close(fp.imap);
	if (rc == -1)
		errbuf_prefix(e, "imap %s", im->name);
	return rc;
}

/* An entry of the Maildir that is not mail (a symbolic link, a FIFO): said, not an error. */
static void
log_skip(void *arg, const char *path, const char *why)
{
	const struct config_maildir *md = arg;

	log_warn("maildir %s: %s: skipped: %s", md->name, path, why);
}

static int
poll_maildir(struct poller *p, const struct config_maildir *md, struct errbuf *e)
{
	struct pipeline_options popt = { .verbose = true,
		.keep_failure_bodies = p->c->keep_body,
		.parse_ahead = true,
		.dkim = carrier_check_dkim(p->check),
		.require_verified = p->c->require_verified,
		.authserv_id = p->c->authserv_id };
	struct pipeline_input in = { 0 };
	const char *paths[1] = { md->path };
	struct source *src = NULL;
	struct pipeline *pl = NULL;
	struct source_item it;
	int rc = -1, got;

	if (source_open(paths, 1, (size_t)p->c->bounds.max_input, log_skip, (void *)md, &src, e) ==
	        -1 ||
	    pipeline_new(p->st, &p->c->bounds, &popt, &pl, e) == -1)
		goto out;
	while (!stop_pending(p) && (got = source_next(src, &it, e)) != 0) {
		if (got == -1) {
			log_error("maildir %s: %s", md->name, e->msg);
			continue;
		}
		in.source = it.kind;
		in.location = it.location;
		in.data = it.data;
		in.len = it.len;
		in.ack = it.is_maildir ? source_maildir_ack : NULL;
		in.ack_arg = it.location;
		if (pipeline_ingest(pl, &in, e) == -1)
			goto out;
	}
	rc = pipeline_flush(pl, e);
out:
	pipeline_free(pl);
	source_free(src);
	if (rc == -1)
		errbuf_prefix(e, "maildir %s", md->name);
	return rc;
}

/* "imap NAME" or "maildir NAME" of source i (the IMAP ones first). */
static void
source_name(const struct poller *p, size_t i, char *buf, size_t size)
{
	if (i < p->c->n_imap)
		snprintf(buf, size, "imap %s", p->c->imap[i].name);
	else
		snprintf(buf, size, "maildir %s", p->c->maildir[i - p->c->n_imap].name);
}

/* Polls source i; logs a failure. */
static int
poll_source(struct poller *p, size_t i)
{
	struct errbuf e;
	int rc;

	errbuf_clear(&e);
	if (i < p->c->n_imap)
		rc = poll_imap(p, &p->c->imap[i], &e);
	else
		rc = poll_maildir(p, &p->c->maildir[i - p->c->n_imap], &e);
	if (rc == -1 && p->stopping)
		log_info("%s (stopping)", e.msg);
	else if (rc == -1)
		log_error("%s", e.msg);
	return rc;
}

/* Checks that the password of every IMAP source can be read (by the current user). */
static int
check_passwords(const struct config *c, struct errbuf *e)
{
	char password[CONFIG_PASSWORD_MAX];
	size_t i;

	for (i = 0; i < c->n_imap; i++) {
		if (config_imap_password(c, &c->imap[i], password, sizeof password, e) == -1)
			return -1;
		explicit_bzero(password, sizeof password);
	}
	return 0;
}

/*
 * Gives up root for [service] user before the first poll: the store, the
 * log and the dashboard's socket are open by then. Logs; 0 or -1.
 */
static int
drop_root(struct poller *p)
{
	struct errbuf e;

	if (p->c->user == NULL) {
		if (geteuid() == 0)
			log_warn("running as root: set [service] user in %s to run as an "
			         "unprivileged user",
			    p->c->file);
		return 0;
	}
	if (privdrop_switch(p->c->user, cli_db_path(p->c->db_path), &e) == -1 ||
	    check_passwords(p->c, &e) == -1) {
		log_error("%s: [service] %s", p->c->file, e.msg);
		return -1;
	}
	log_info("running as user %s", p->c->user);
	return 0;
}

int
poller_new(const struct config *c, struct store *st, struct poller **out, struct errbuf *e)
{
	struct poller *p;

	if (check_passwords(c, e) == -1)
		return -1;
	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->due = calloc(c->n_imap + c->n_maildir + 1, sizeof *p->due)) == NULL) {
		free(p);
		errbuf_set(e, "out of memory");
		return -1;
	}
	p->c = c;
	p->st = st;
	if (carrier_check_open(c, &p->check, e) == -1) {
		poller_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void
poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	carrier_check_close(p->check);
	free(p->due);
	free(p);
}

int
poller_once(struct poller *p)
{
	size_t i, n = p->c->n_imap + p->c->n_maildir;
	int rc = 0;

	if (drop_root(p) == -1)
		return -1;
	for (i = 0; i < n && !stop_pending(p); i++)
		if (poll_source(p, i) == -1)
			rc = -1;
	return rc;
}

/* Clears failure-report samples past their retention, once a day. */
static void
maybe_prune(struct poller *p, time_t now)
{
	struct errbuf e;
	uint64_t cleared = 0;

	if (now < p->next_prune)
		return;
	p->next_prune = now + POLLER_PRUNE_EVERY;
	if (store_prune(p->st, (int64_t)now - (int64_t)p->c->retention_days * 86400, &cleared,
	        &e) == -1)
		log_error("%s", e.msg);
	else if (cleared > 0)
		log_info("cleared %llu failure-report sample(s) older than %llu days",
		    (unsigned long long)cleared, (unsigned long long)p->c->retention_days);
}

/* When a source that failed f times in a row is tried again. */
static time_t
backoff(const struct poller *p, unsigned f)
{
	time_t first =
	    p->c->interval < POLLER_BACKOFF_FIRST ? (time_t)p->c->interval : POLLER_BACKOFF_FIRST;
	time_t cap =
	    p->c->interval > POLLER_BACKOFF_MAX ? (time_t)p->c->interval : POLLER_BACKOFF_MAX;
	time_t d = first;

	while (f-- > 1 && d < cap)
		d *= 2;
	return d < cap ? d : cap;
}

/* Sleeps until deadline or a stop signal. */
static void
sleep_until(struct poller *p, time_t deadline)
{
	sigset_t set = stop_signals();
	struct timespec ts = { 0, 0 };
	time_t now = time(NULL);

	if (deadline > now)
		ts.tv_sec = deadline - now;
	if (sigtimedwait(&set, NULL, &ts) > 0) {
		log_info("stopping");
		p->stopping = true;
	}
}

int
poller_loop(struct poller *p)
{
	size_t i, n = p->c->n_imap + p->c->n_maildir;
	char name[CONFIG_NAME_MAX + 16];
	time_t now, wake;

	if (drop_root(p) == -1)
		return -1;
	log_info("polling %zu source(s) every %llu s", n, (unsigned long long)p->c->interval);
	while (!stop_pending(p)) {
		now = time(NULL);
		maybe_prune(p, now);
		wake = now + (time_t)p->c->interval;
		for (i = 0; i < n && !stop_pending(p); i++) {
			if (p->due[i].next > now) {
				wake = p->due[i].next < wake ? p->due[i].next : wake;
				continue;
			}
			if (poll_source(p, i) == 0) {
				p->due[i].failures = 0;
				p->due[i].next = time(NULL) + (time_t)p->c->interval;
			} else {
				p->due[i].failures++;
				p->due[i].next = time(NULL) + backoff(p, p->due[i].failures);
				source_name(p, i, name, sizeof name);
				log_warn("%s: trying again in %lld s", name,
				    (long long)(p->due[i].next - time(NULL)));
			}
			wake = p->due[i].next < wake ? p->due[i].next : wake;
		}
		if (!p->stopping)
			sleep_until(p, wake);
	}
	return 0;
}
