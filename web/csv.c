#include "csv.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

/*
 * A spreadsheet may run a cell as a formula when its first byte is one of
 * = + - @ TAB CR, and some skip leading spaces or quotes first (OWASP, CSV
 * injection): look past them.
 */
static bool
formula_start(const char *s)
{
	while (*s == ' ' || *s == '"' || *s == '\'' || *s == '\n' || *s == '\v' || *s == '\f')
		s++;
	return *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
}

int
csv_write_field(FILE *out, const char *s)
{
	bool guard = formula_start(s);
	/* ';' too: the separator of spreadsheets in locales with a decimal comma. */
	bool quote = guard || strpbrk(s, ",;\"\r\n") != NULL;

	if (quote && fputc('"', out) == EOF)
		return -1;
	if (guard && fputc('\'', out) == EOF)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '"' && fputc('"', out) == EOF)
			return -1;
		if (fputc(*s, out) == EOF)
			return -1;
	}
	if (quote && fputc('"', out) == EOF)
		return -1;
	return 0;
}

int
csv_write_header(FILE *out, size_t n, const char *const *names)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 && fputc(',', out) == EOF)
			return -1;
		if (csv_write_field(out, names[i]) == -1)
			return -1;
	}
	return fputs("\r\n", out) == EOF ? -1 : 0;
}

int
csv_write_row(FILE *out, size_t n, const struct cell *cells)
{
	char num[64];
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 && fputc(',', out) == EOF)
			return -1;
		switch (cells[i].type) {
		case CELL_NULL:
			break;
		case CELL_INT:
			snprintf(num, sizeof num, "%" PRId64, cells[i].i);
			if (fputs(num, out) == EOF)
				return -1;
			break;
		case CELL_REAL:
			snprintf(num, sizeof num, "%.4f", cells[i].r);
			if (fputs(num, out) == EOF)
				return -1;
			break;
		case CELL_TEXT:
			if (csv_write_field(out, cells[i].s) == -1)
				return -1;
			break;
		}
	}
	return fputs("\r\n", out) == EOF ? -1 : 0;
}
