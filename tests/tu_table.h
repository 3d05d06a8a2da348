/*
 * tu_table: a store query's result as strings, for the store's tests
 * (store_fixture.c, dash_db.c, test_store*.c).
 */
#ifndef DMARCD_TEST_TU_TABLE_H
#define DMARCD_TEST_TU_TABLE_H

#include <stddef.h>

#include "store.h"

/*
 * A store query's result as strings ("NULL" for a null cell, reals with 4
 * decimals): pass tu_table_collect as the row callback and the table as ctx.
 */
#define TU_TABLE_ROWS 64
#define TU_TABLE_COLS 48

struct tu_table {
	size_t nrows, ncols;
	const char *const *names;
	char *cells[TU_TABLE_ROWS][TU_TABLE_COLS];
};

struct tu_table *tu_table_new(void);
int tu_table_collect(void *ctx, size_t ncols, const char *const *names, const struct cell *cells);
/* The cell of column name in row; fails the test when either is missing. */
const char *tu_table_cell(const struct tu_table *t, size_t row, const char *name);
void tu_table_free(struct tu_table *t);

/* clang-format off */
#define ASSERT_CELL(t, row, col, want) \
	cr_assert_str_eq(tu_table_cell((t), (row), (col)), (want), "%s[%d]", (col), (int)(row))
/* clang-format on */

#endif
