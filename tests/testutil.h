/*
 * testutil: helpers shared by the Criterion suites: fixture paths, whole
 * file reads, scratch directories, the shared corpus when present, and
 * running the dmarcd binary. Knows only common/: the helpers of a layer
 * are in their own library (CMakeLists.txt), so that a test links only
 * the layers it tests.
 */
#ifndef DMARCD_TESTUTIL_H
#define DMARCD_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
