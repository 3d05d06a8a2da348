#include "tu_table.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tu_table *
tu_table_new(void)
{
	struct tu_table *t = calloc(1, sizeof *t);

	cr_assert_not_null(t);
	return t;
}

int
tu_table_collect(void *ctx, size_t ncols, const char *const *names, const struct cell *cells)
{
	struct tu_table *t = ctx;
	char buf[64];
	size_t i;

	cr_assert_lt(t->nrows, TU_TABLE_ROWS);
	cr_assert_leq(ncols, TU_TABLE_COLS);
	t->ncols = ncols;
	t->names = names;
	for (i = 0; i < ncols; i++) {
		switch (cells[i].type) {
		case CELL_NULL:
			snprintf(buf, sizeof buf, "NULL");
			break;
		case CELL_INT:
			snprintf(buf, sizeof buf, "%lld", (long long)cells[i].i);
			break;
		case CELL_REAL:
			snprintf(buf, sizeof buf, "%.4f", cells[i].r);
			break;
		case CELL_TEXT:
			break;
		}
		t->cells[t->nrows][i] = strdup(cells[i].type == CELL_TEXT ? cells[i].s : buf);
	}
	t->nrows++;
	return 0;
}

const char *
tu_table_cell(const struct tu_table *t, size_t row, const char *name)
{
	size_t i;

	cr_assert_lt(row, t->nrows, "row %zu of %zu", row, t->nrows);
	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->names[i], name) == 0)
			return t->cells[row][i];
	cr_assert_fail("no column %s", name);
	return NULL;
}

void
tu_table_free(struct tu_table *t)
{
	size_t r, c;

	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			free(t->cells[r][c]);
	free(t);
}
