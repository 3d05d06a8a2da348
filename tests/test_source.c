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

	cr_assert_eq(source_open(paths, 1, 1024, NULL, NULL, &s, &e), 0, "%s", e.msg);
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

	cr_assert_eq(source_open(paths, 1, 1024, NULL, NULL, &s, &e), -1);
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
	cr_assert_eq(source_open(paths, 1, 1024, NULL, NULL, &s, &e), 0);
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
	cr_assert_eq(source_maildir_ack(path, &e), 0, "%s", e.msg);
	snprintf(path, sizeof path, "%s/cur/10.M1.host:2,S", md);
	cr_expect_eq(stat(path, &sb), 0, "new mail not moved to %s", path);

	snprintf(path, sizeof path, "%s/cur/11.M2.host:2,FT", md);
	cr_assert_eq(source_maildir_ack(path, &e), 0, "%s", e.msg);
	snprintf(path, sizeof path, "%s/cur/11.M2.host:2,FST", md);
	cr_expect_eq(stat(path, &sb), 0, "flags not kept in order: %s", path);
	free(root);
}

/* What the skip function was told, one "path-after-root: why" per line. */
struct skips {
	const char *root;
	char text[4096];
};

static void
record_skip(void *arg, const char *path, const char *why)
{
	struct skips *sk = arg;
	size_t len = strlen(sk->text);

	snprintf(sk->text + len, sizeof sk->text - len, "%s: %s\n", path + strlen(sk->root), why);
}

/* Every input of the walk as "kind location-after-root bytes", one per line. */
static void
walk(const char *root, const char *path, struct skips *sk, char *got, size_t size)
{
	const char *paths[1] = { path };
	struct source *s;
	struct source_item it;
	struct errbuf e;
	size_t len = 0;
	int rc;

	sk->root = root;
	sk->text[0] = '\0';
	got[0] = '\0';
	cr_assert_eq(source_open(paths, 1, 1024, record_skip, sk, &s, &e), 0, "%s", e.msg);
	while ((rc = source_next(s, &it, &e)) == 1) {
		snprintf(got + len, size - len, "%s %s %.*s\n", it.kind, it.location + strlen(root),
		    (int)it.len, (const char *)it.data);
		len = strlen(got);
	}
	cr_assert_eq(rc, 0, "%s", e.msg);
	source_free(s);
}

static void
link_to(const char *target, const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(symlink(target, path), 0, "%s", path);
}

static void
fifo(const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(mkfifo(path, 0600), 0, "%s", path);
}

/*
 * Issue 12: a symbolic link in a Maildir that root ingests stored any file
 * root can read, and a FIFO hung the run. Inside a walk only regular files
 * are inputs; the rest is skipped, never opened, and told.
 */
Test(source, walks_take_regular_files_only, .timeout = 20)
{
	char *root = tu_scratch_dir();
	char walked[512], md[600], reports[600], secret[512], elsewhere[512], got[2048];
	struct skips sk;

	snprintf(secret, sizeof secret, "%s/secret", root);
	tu_write_file(secret, "TOPSECRET", 9);
	snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", root);
	cr_assert_eq(mkdir(elsewhere, 0700), 0);
	put(elsewhere, "x.xml", "<not walked/>");
	snprintf(walked, sizeof walked, "%s/walked", root);
	cr_assert_eq(mkdir(walked, 0700), 0);
	snprintf(md, sizeof md, "%s/Maildir", walked);
	make_maildir(md);
	put(md, "new/1.M1.host", "good mail");
	link_to(secret, md, "new/2.M2.host");
	fifo(md, "new/3.M3.host");
	link_to(secret, md, "cur/4.M4.host:2,F");
	snprintf(reports, sizeof reports, "%s/reports", walked);
	cr_assert_eq(mkdir(reports, 0700), 0);
	put(reports, "a.xml", "<a/>");
	link_to(secret, reports, "b.xml");
	fifo(reports, "c.xml");
	link_to(elsewhere, reports, "d");

	walk(walked, walked, &sk, got, sizeof got);
	cr_expect_str_eq(got,
	    "maildir /Maildir/new/1.M1.host good mail\n"
	    "file /reports/a.xml <a/>\n");
	cr_expect_str_eq(sk.text,
	    "/Maildir/new/2.M2.host: a symbolic link: not followed inside a directory or Maildir\n"
	    "/Maildir/new/3.M3.host: a FIFO: not a regular file\n"
	    "/Maildir/cur/4.M4.host:2,F: a symbolic link: not followed inside a directory or "
	    "Maildir\n"
	    "/reports/b.xml: a symbolic link: not followed inside a directory or Maildir\n"
	    "/reports/c.xml: a FIFO: not a regular file\n"
	    "/reports/d: a symbolic link: not followed inside a directory or Maildir\n");
	free(root);
}

/* A Maildir whose new/ is a symbolic link is no Maildir, and the link is not followed. */
Test(source, a_linked_maildir_directory_is_not_followed, .timeout = 20)
{
	char *root = tu_scratch_dir();
	char md[512], path[600], elsewhere[512], got[2048];
	struct skips sk;

	snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", root);
	cr_assert_eq(mkdir(elsewhere, 0700), 0);
	put(elsewhere, "1.M1.host", "not mine");
	snprintf(md, sizeof md, "%s/Maildir", root);
	make_maildir(md);
	snprintf(path, sizeof path, "%s/new", md);
	cr_assert_eq(rmdir(path), 0);
	link_to(elsewhere, md, "new");

	walk(root, md, &sk, got, sizeof got);
	cr_expect_str_eq(got, "");
	cr_expect_str_eq(sk.text,
	    "/Maildir/new: a symbolic link: not followed inside a directory or Maildir\n");
	free(root);
}

/* What the listing saw may change before it is read: a link or a FIFO swapped in is skipped. */
Test(source, an_entry_swapped_after_the_listing_is_skipped, .timeout = 20)
{
	char *root = tu_scratch_dir();
	char dir[512], sub[600], real[700], secret[512], path[700], got[2048];
	const char *paths[1] = { dir };
	struct source *s;
	struct source_item it;
	struct errbuf e;
	struct skips sk = { .root = dir };
	size_t len = 0;
	int rc;

	snprintf(secret, sizeof secret, "%s/secret", root);
	tu_write_file(secret, "TOPSECRET", 9);
	snprintf(dir, sizeof dir, "%s/in", root);
	cr_assert_eq(mkdir(dir, 0700), 0);
	put(dir, "a.xml", "a");
	put(dir, "b.xml", "b");
	put(dir, "c.xml", "c");
	snprintf(sub, sizeof sub, "%s/sub", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	put(sub, "d.xml", "d");
	put(root, "d.xml", "TOPSECRET");
	cr_assert_eq(source_open(paths, 1, 1024, record_skip, &sk, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(source_count(s), 4);

	snprintf(path, sizeof path, "%s/a.xml", dir);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(symlink(secret, path), 0);
	snprintf(path, sizeof path, "%s/b.xml", dir);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(mkfifo(path, 0600), 0);
	/* a directory above the file becomes a link to one holding the same name */
	snprintf(real, sizeof real, "%s/sub.real", dir);
	cr_assert_eq(rename(sub, real), 0);
	cr_assert_eq(symlink(root, sub), 0);

	got[0] = '\0';
	while ((rc = source_next(s, &it, &e)) == 1) {
		snprintf(got + len, sizeof got - len, "%s %.*s\n", it.location + strlen(dir),
		    (int)it.len, (const char *)it.data);
		len = strlen(got);
	}
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_expect_str_eq(got, "/c.xml c\n");
	cr_expect_str_eq(sk.text,
	    "/a.xml: a symbolic link: not followed inside a directory or Maildir\n"
	    "/b.xml: a FIFO: not a regular file\n"
	    "/sub/d.xml: a directory above it is no longer a directory: not followed\n");
	source_free(s);
	free(root);
}

/* A path the user names is followed (as cat would); a FIFO named is not read. */
Test(source, a_named_link_is_followed_a_named_fifo_skipped, .timeout = 20)
{
	char *root = tu_scratch_dir();
	char target[512], dirlink[512], got[2048];
	struct skips sk;

	snprintf(target, sizeof target, "%s/real", root);
	cr_assert_eq(mkdir(target, 0700), 0);
	put(target, "r.xml", "<r/>");
	link_to(target, root, "linked");
	link_to("real/r.xml", root, "file.xml");
	fifo(root, "pipe");

	snprintf(dirlink, sizeof dirlink, "%s/linked", root);
	walk(root, dirlink, &sk, got, sizeof got);
	cr_expect_str_eq(got, "file /linked/r.xml <r/>\n");
	cr_expect_str_eq(sk.text, "");
	snprintf(dirlink, sizeof dirlink, "%s/file.xml", root);
	walk(root, dirlink, &sk, got, sizeof got);
	cr_expect_str_eq(got, "file /file.xml <r/>\n");
	snprintf(dirlink, sizeof dirlink, "%s/pipe", root);
	walk(root, dirlink, &sk, got, sizeof got);
	cr_expect_str_eq(got, "");
	cr_expect_str_eq(sk.text, "/pipe: a FIFO: not read (- reads standard input)\n");
	free(root);
}

/* A cur/ swapped for a link elsewhere must not take the mail there. */
Test(source, maildir_ack_does_not_move_mail_through_a_link)
{
	char *root = tu_scratch_dir();
	char md[512], path[600], elsewhere[512];
	struct errbuf e;
	struct stat sb;

	snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", root);
	cr_assert_eq(mkdir(elsewhere, 0700), 0);
	snprintf(md, sizeof md, "%s/Maildir", root);
	make_maildir(md);
	put(md, "new/10.M1.host", "x");
	snprintf(path, sizeof path, "%s/cur", md);
	cr_assert_eq(rmdir(path), 0);
	link_to(elsewhere, md, "cur");

	snprintf(path, sizeof path, "%s/new/10.M1.host", md);
	cr_expect_eq(source_maildir_ack(path, &e), -1);
	cr_expect_eq(stat(path, &sb), 0, "the mail left new/");
	snprintf(path, sizeof path, "%s/10.M1.host:2,S", elsewhere);
	cr_expect_neq(stat(path, &sb), 0, "the mail went through the link");
	free(root);
}
