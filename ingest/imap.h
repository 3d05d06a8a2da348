/*
 * imap: an IMAP client session over libcurl, for one mailbox folder. It
 * yields mails by UID and performs the actions asked of it afterwards
 * (move, flag, delete); it knows nothing of the store: the caller decides
 * what to fetch and acts only after its data is committed.
 *
 * Security: imaps:// verifies the server's certificate (against ca_file
 * when given); imap:// requires STARTTLS unless starttls is off, which is
 * refused for any host but a loopback literal (loopback_host: 127.0.0.0/8,
 * ::1, localhost; never a name such as "127.example"). Credentials are never put in a URL
 * and never appear in an error message.
 */
#ifndef DMARCD_IMAP_H
#define DMARCD_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

#define IMAP_RESPONSE_MAX (16u * 1024 * 1024) /* SEARCH/FETCH-size/STATUS replies */
#define IMAP_COMMAND_MAX 4096                 /* one command line, UID sets included */
#define IMAP_FOLDER_MAX 512                   /* a folder name */

struct imap_options {
	const char *url; /* imaps://host[:port]/FOLDER or imap://host[:port]/FOLDER */
	const char *user;
	const char *password;       /* copied; wiped when the session closes */
	const char *ca_file;        /* PEM bundle to verify the server with; NULL: system CAs */
	bool starttls;              /* imap://: require STARTTLS (plaintext: loopback only) */
	const char *source_address; /* local address to connect from, or NULL */
	unsigned timeout;           /* seconds: connect, server reply, stalled transfer */
	/* polled during transfers; returning true aborts the request; may be NULL */
	bool (*cancel)(void *ctx);
	void *cancel_ctx;
};

struct imap;

/*
 * Opens a session: checks the URL, connects and logs in, and learns the
 * server's capabilities. Returns 0 and *out, or -1 (e: "connect", "login
 * denied", "certificate", ...).
 */
int imap_open(const struct imap_options *o, struct imap **out, struct errbuf *e);

/* Logs out and frees c; NULL is a no-op. */
void imap_close(struct imap *c);

/* "user@host": the account, stable across URL schemes and ports. */
const char *imap_account(const struct imap *c);

/* The folder polled, decoded from the URL ("INBOX" when the URL has none). */
const char *imap_folder(const struct imap *c);

/* The folder's UIDVALIDITY (STATUS). Returns 0 or -1 (e). */
int imap_uidvalidity(struct imap *c, uint64_t *uidvalidity, struct errbuf *e);

/*
 * The UIDs of the folder at or above first, ascending, in a malloc'd array
 * (*n may be 0; free *uids). Returns 0 or -1 (e).
 */
int imap_search(struct imap *c, uint64_t first, uint64_t **uids, size_t *n, struct errbuf *e);

/*
 * The RFC822.SIZE of each of n UIDs into sizes (0 for a mail that is gone),
 * in one round trip. Returns 0 or -1 (e).
 */
int imap_sizes(struct imap *c, const uint64_t *uids, size_t n, uint64_t *sizes, struct errbuf *e);

/*
 * Downloads mail uid (at most max bytes) into a malloc'd buffer. Servers
 * mark the mail \Seen. Returns 1 with *data and *len, 0 when the mail is gone,
 * or -1 (e; also when it is larger than max).
 */
int imap_fetch(struct imap *c, uint64_t uid, size_t max, unsigned char **data, size_t *len,
    struct errbuf *e);

/*
 * Moves n UIDs to folder, creating it when missing: UID MOVE, or UID COPY,
 * \Deleted and (UID) EXPUNGE when the server lacks MOVE. UIDs that are
 * gone are no error. Returns 0 or -1 (e).
 */
int imap_move(struct imap *c, const uint64_t *uids, size_t n, const char *folder, struct errbuf *e);

/* Adds flags (e.g. "\\Seen \\Flagged") to n UIDs. Returns 0 or -1 (e). */
int imap_flag(struct imap *c, const uint64_t *uids, size_t n, const char *flags, struct errbuf *e);

/* Deletes n UIDs: \Deleted, then UID EXPUNGE (EXPUNGE without UIDPLUS). 0 or -1 (e). */
int imap_delete(struct imap *c, const uint64_t *uids, size_t n, struct errbuf *e);

#endif
