/*
 * api: the dashboard's JSON/CSV API under /api/v1/, one answer per call,
 * rendered from the store_dash queries, and the policy advisor's advice
 * (advice.h) (README.md documents every route).
 * The exports (/api/v1/export/KIND.csv) are streamed instead: see stream.h.
 */
#ifndef DMARCD_API_H
#define DMARCD_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advise.h"
#include "query.h"
#include "store.h"

struct api_reply {
	unsigned status; /* HTTP status */
	const char *content_type;
	char *body; /* malloc'd; the caller frees it */
	size_t len;
	char filename[64];       /* download name (Content-Disposition), "" for none */
	char error[ERRBUF_SIZE]; /* set with a 5xx: the reason, for the log */
};

/*
 * Answers route (the path after "/api/v1/") with the parameters arg gives,
 * today being the current UTC day; advise holds the advisor's thresholds
 * (NULL: the defaults). A bad parameter is a 400, an unknown route or id a
 * 404, a database error a 500, each with a JSON {"error": "..."} body.
 * Returns 0, or -1 when out of memory.
 */
int api_handle(struct store *st, const char *route, query_arg_fn arg, void *ctx, int64_t today,
    const struct advise_config *advise, struct api_reply *r);

/* True when route is export/KIND.csv or export/KIND.json; sets *kind and *json. */
bool api_export_route(const char *route, enum export_kind *kind, bool *json);

/* Fills r with a JSON {"error": msg} body and the status. 0, or -1 out of memory. */
int api_error(struct api_reply *r, unsigned status, const char *msg);

#endif
