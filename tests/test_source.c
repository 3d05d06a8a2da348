/* ingest/source.c: walking files, directories and Maildirs; acknowledging mail. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "testutil.h"

static void
make_maildir(const char *dir)
{
	char path[512];

	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/cur", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/new", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/tmp", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
}

static void
put(const char *dir, const char *name, const char *text)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	tu_write_file(path, text, strlen(text));
}

Test(source, walks_directories_and_maildirs_in_name_order)
{
	char *root = tu_scratch_dir();
	char md[512], sub[512];
	const char *paths[1] = { root };
	struct source *s;
	struct source_item it;
	struct errbuf e;
	char got[16][512];
	size_t n = 0;
	int rc;

	snprintf(sub, sizeof sub, "%s/reports", root);
	cr_assert_eq(mkdir(sub, 0700), 0);
	put(sub, "b.xml", "<b/>");
	put(sub, "a.xml.gz", "gz");
	put(sub, ".hidden", "skip me");
	snprintf(md, sizeof md, "%s/Maildir", root);
	make_maildir(md);
	put(md, "new/1.M1.host", "mail one");
	put(md, "cur/2.M2.host:2,S", "seen: skipped");
	put(md, "cur/3.M3.host:2,F", "flagged, unseen");
	put(md, "tmp/4.M4.host", "being delivered: skipped");

	cr_assert_eq(source_open(paths, 1, 1024, &s, &e), 0, "%s", e.msg);
	cr_expect_eq(source_count(s), 4);
	while ((rc = source_next(s, &it, &e)) == 1) {
		snprintf(got[n], sizeof got[n], "%s %s %.*s", it.kind, it.location + strlen(root),
		    (int)it.len, (const char *)it.data);
		n++;
	}
	cr_assert_eq(rc, 0);
	cr_assert_eq(n, 4);
	cr_expect_str_eq(got[0], "maildir /Maildir/new/1.M1.host mail one");
	cr_expect_str_eq(got[1], "maildir /Maildir/cur/3.M3.host:2,F flagged, unseen");
	cr_expect_str_eq(got[2], "file /reports/a.xml.gz gz");
	cr_expect_str_eq(got[3], "file /reports/b.xml <b/>");
	source_free(s);
	free(root);
}

Test(source, missing_path_is_an_error_with_its_name)
{
	const char *paths[1] = { "/nonexistent/dmarcd-test" };
	struct source *s = NULL;
	struct errbuf e;

	cr_assert_eq(source_open(paths, 1, 1024, &s, &e), -1);
	cr_expect_not_null(strstr(e.msg, "/nonexistent/dmarcd-test"));
	cr_expect_null(s);
}

Test(source, empty_file_is_an_input_of_length_zero)
{
	char *root = tu_scratch_dir();
	char path[512];
	const char *paths[1] = { path };
	struct source *s;
	struct source_item it;
	struct errbuf e;

	snprintf(path, sizeof path, "%s/empty.xml", root);
	tu_write_file(path, "", 0);
	cr_assert_eq(source_open(paths, 1, 1024, &s, &e), 0);
	cr_assert_eq(source_next(s, &it, &e), 1);
	cr_expect_eq(it.len, 0);
	cr_expect_eq(source_next(s, &it, &e), 0);
	source_free(s);
	free(root);
}

Test(source, maildir_ack_moves_to_cur_with_the_seen_flag)
{
	char *root = tu_scratch_dir();
	char md[512], path[600];
	struct errbuf e;
	struct stat sb;

	snprintf(md, sizeof md, "%s/Maildir", root);
	make_maildir(md);
	put(md, "new/10.M1.host", "x");
	put(md, "cur/11.M2.host:2,FT", "y");

	snprintf(path, sizeof path, "%s/new/10.M1.host", md);
	cr_assert_eq(maildir_ack(path, &e), 0, "%s", e.msg);
	snprintf(path, sizeof path, "%s/cur/10.M1.host:2,S", md);
	cr_expect_eq(stat(path, &sb), 0, "new mail not moved to %s", path);

	snprintf(path, sizeof path, "%s/cur/11.M2.host:2,FT", md);
	cr_assert_eq(maildir_ack(path, &e), 0, "%s", e.msg);
	snprintf(path, sizeof path, "%s/cur/11.M2.host:2,FST", md);
	cr_expect_eq(stat(path, &sb), 0, "flags not kept in order: %s", path);
	free(root);
}
