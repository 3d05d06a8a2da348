#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>

unsigned char *
tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (f == NULL)
		cr_assert_fail("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		cr_assert_fail("short read on %s", path);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

const char *
tu_fixture(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof path, "%s/%s", FIXTURES_DIR, name);
	return path;
}

const char *
tu_shared(const char *relpath)
{
	static char path[4096];
	struct stat sb;

	if (stat(SHARED_DIR "/corpus/MANIFEST.tsv", &sb) != 0)
		return NULL;
	snprintf(path, sizeof path, "%s/%s", SHARED_DIR, relpath);
	return path;
}

char *
tu_scratch_dir(void)
{
	char tmpl[] = "/tmp/dmarcd-test-XXXXXX";
	char *dir = mkdtemp(tmpl);

	cr_assert_not_null(dir, "mkdtemp failed");
	return strdup(dir);
}

void
tu_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "cannot create %s", path);
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

int
tu_run(char **out, const char *fmt, ...)
{
	char cmd[4096], chunk[4096];
	size_t len = 0, n;
	char *buf = calloc(1, 1);
	va_list ap;
	FILE *p;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "popen %s", cmd);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
		buf = realloc(buf, len + n + 1);
		cr_assert_not_null(buf);
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	status = pclose(p);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
