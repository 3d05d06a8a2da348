#include "json.h"

#include <inttypes.h>
#include <math.h>

int
json_write_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (fputc('"', out) == EOF)
		return -1;
	for (; *p != '\0'; p++) {
		int rc;

		if (*p == '"' || *p == '\\')
			rc = fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&' || *p == 0x7f)
			rc = fprintf(out, "\\u%04x", *p);
		else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			rc = fprintf(out, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
			p += 2;
		} else
			rc = fputc(*p, out) == EOF ? -1 : 1;
		if (rc < 0)
			return -1;
	}
	return fputc('"', out) == EOF ? -1 : 0;
}

int
json_write_cell(FILE *out, const struct cell *c)
{
	switch (c->type) {
	case CELL_INT:
		return fprintf(out, "%" PRId64, c->i) < 0 ? -1 : 0;
	case CELL_REAL:
		if (!isfinite(c->r))
			break;
		return fprintf(out, "%.6g", c->r) < 0 ? -1 : 0;
	case CELL_TEXT:
		return json_write_string(out, c->s);
	case CELL_NULL:
		break;
	}
	return fputs("null", out) == EOF ? -1 : 0;
}

int
json_write_object(FILE *out, size_t n, const char *const *names, const struct cell *cells)
{
	size_t i;

	if (fputc('{', out) == EOF)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0 && fputc(',', out) == EOF)
			return -1;
		if (json_write_string(out, names[i]) == -1 || fputc(':', out) == EOF ||
		    json_write_cell(out, &cells[i]) == -1)
			return -1;
	}
	return fputc('}', out) == EOF ? -1 : 0;
}
