/*
 * imap_utf7: mailbox names as IMAP sends them. IMAP4rev1 (RFC 3501 5.1.3)
 * writes a name in "modified UTF-7": printable ASCII stands for itself,
 * '&' is "&-", and any other run of characters is their UTF-16 in base64
 * (',' for '/', no padding) between '&' and '-': "Entwürfe" is
 * "Entw&APw-rfe". Configs name folders in UTF-8; the wire gets this.
 */
#ifndef DMARCD_IMAP_UTF7_H
#define DMARCD_IMAP_UTF7_H

#include <stddef.h>

#include "errbuf.h"

/*
 * Encodes the UTF-8 name into out (size bytes, NUL-terminated). Returns 0,
 * or -1 (e) when name is not valid UTF-8, holds a control character, or
 * does not fit.
 */
int imap_utf7_encode(const char *name, char *out, size_t size, struct errbuf *e);

#endif
