#include "export.h"

#include "csv.h"
#include "json.h"

struct export_out {
	FILE *out;
	bool json;
	bool first;
};

static int
write_row(void *ctx, size_t n, const char *const *names, const struct cell *cells)
{
	struct export_out *eo = ctx;
	bool first = eo->first;

	eo->first = false;
	if (eo->json) {
		if (fputs(first ? "[\n" : ",\n", eo->out) == EOF)
			return -1;
		return json_write_object(eo->out, n, names, cells);
	}
	if (first && csv_write_header(eo->out, n, names) == -1)
		return -1;
	return csv_write_row(eo->out, n, cells);
}

int
export_write(FILE *out, struct store *st, enum export_kind kind, bool json,
    const struct export_filter *f, struct errbuf *e)
{
	struct export_out eo = { out, json, true };
	const char *const *names;
	size_t n;
	int rc;

	if (store_export(st, kind, f, write_row, &eo, e) == -1)
		return -1;
	if (!eo.first)
		rc = json ? (fputs("\n]\n", out) == EOF ? -1 : 0) : 0;
	else if (json)
		rc = fputs("[]\n", out) == EOF ? -1 : 0;
	else {
		store_export_columns(kind, &n, &names);
		rc = csv_write_header(out, n, names);
	}
	if (rc == -1 || fflush(out) == EOF) {
		errbuf_set(e, "export: write failed");
		return -1;
	}
	return 0;
}
