/*
 * sniff: what a run of bytes is, by its first bytes (magic numbers), never
 * by the declared MIME type or file name (FORMATS.md "Report mails").
 */
#ifndef DMARCD_SNIFF_H
#define DMARCD_SNIFF_H

#include <stddef.h>

enum sniff_kind {
	SNIFF_EMPTY,
	SNIFF_GZIP,
	SNIFF_ZIP,
	SNIFF_XML,
	SNIFF_JSON,
	SNIFF_MAIL,
	SNIFF_OLE, /* TNEF / Outlook .msg: D0 CF 11 E0 */
	SNIFF_OTHER
};

enum sniff_kind sniff(const void *buf, size_t len);
const char *sniff_name(enum sniff_kind k);

#endif
