/*
 * testutil: helpers shared by the Criterion suites: fixture paths, whole
 * file reads, scratch directories, and the shared corpus when present.
 */
#ifndef DMARCD_TESTUTIL_H
#define DMARCD_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* Reads a whole file into a malloc'd, NUL-terminated buffer; aborts the test on failure. */
unsigned char *tu_read_file(const char *path, size_t *len);

/* Path of a fixture under tests/fixtures (static buffer, overwritten by the next call). */
const char *tu_fixture(const char *name);

/* Path of a file under ../shared (static buffer, overwritten by the next call), or NULL
 * when ../shared is absent. */
const char *tu_shared(const char *relpath);

/*
 * Skips the current test with a clear message when ../shared is absent
 * (a user's clone): the shared-corpus cases run in CI, where it is present.
 */
/* clang-format off */
#define TU_REQUIRE_SHARED()                                                          \
	do {                                                                        \
		if (tu_shared("") == NULL)                                          \
			cr_skip_test("../shared is absent: shared-corpus case skipped"); \
	} while (0)
/* clang-format on */

/* Creates a fresh scratch directory and returns its path (malloc'd). */
char *tu_scratch_dir(void);

/*
 * Runs a shell command line (printf-style) and returns its exit status
 * (-1 when it did not exit); *out, when out is not NULL, gets its standard
 * output (malloc'd, NUL-terminated).
 */
int tu_run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes len bytes to path; aborts the test on failure. */
void tu_write_file(const char *path, const void *buf, size_t len);

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
