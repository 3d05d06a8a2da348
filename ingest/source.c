#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files up to this size are read into one reused buffer; larger ones are mapped. */
#define SOURCE_SMALL (256 * 1024)

enum entry_kind { ENTRY_FILE, ENTRY_MAILDIR, ENTRY_STDIN };

struct entry {
	char *path;
	enum entry_kind kind;
	/*
	 * path[root_len..] was met in a walk under the path the user named,
	 * path[0..root_len): opened one component at a time, following no
	 * symbolic link. root_len == strlen(path): the user named the file.
	 */
	size_t root_len;
};

struct source {
	struct entry *entries;
	size_t n, cap, next;
	size_t stdin_max;
	source_skip_fn *skip;
	void *skip_arg;
	size_t root_len; /* of the path being listed: what the user named */
	void *map;       /* the current mapping, or NULL */
	size_t map_len;
	unsigned char *heap;  /* the current stdin buffer, or NULL */
	unsigned char *small; /* SOURCE_SMALL bytes for small files, reused */
};

static int
add_entry(struct source *s, const char *path, enum entry_kind kind, struct errbuf *e)
{
	struct entry *grown;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		grown = realloc(s->entries, cap * sizeof *grown);
		if (grown == NULL)
			goto nomem;
		s->entries = grown;
		s->cap = cap;
	}
	s->entries[s->n].path = strdup(path);
	if (s->entries[s->n].path == NULL)
		goto nomem;
	s->entries[s->n].kind = kind;
	s->entries[s->n++].root_len = s->root_len < strlen(path) ? s->root_len : strlen(path);
	return 0;
nomem:
	errbuf_set(e, "out of memory listing inputs");
	return -1;
}

/* Why an entry that is not a regular file or a directory is no input. */
static const char *
not_input(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link: not followed inside a directory or Maildir";
	if (S_ISFIFO(mode))
		return "a FIFO: not a regular file";
	if (S_ISSOCK(mode))
		return "a socket: not a regular file";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device: not a regular file";
	return "not a regular file";
}

static void
skipped(struct source *s, const char *path, const char *why)
{
	if (s->skip != NULL)
		s->skip(s->skip_arg, path, why);
}

/* A real directory: lstat, so that a symbolic link to one is not. */
static bool
is_dir(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* A directory with real cur/, new/ and tmp/ directories (no symbolic link to one). */
static bool
is_maildir(const char *dir)
{
	static const char *const subdirs[] = { "cur", "new", "tmp" };
	char path[4096];
	size_t i;

	for (i = 0; i < 3; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]) >= sizeof path ||
		    !is_dir(path))
			return false;
	}
	return true;
}

/* A Maildir file name's info part ":2,FLAGS" says S when the mail was seen. */
static bool
maildir_seen(const char *name)
{
	const char *info = strstr(name, ":2,");

	return info != NULL && strchr(info + 3, 'S') != NULL;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Calls visit for each non-hidden entry of dir, in name order. */
static int
each_sorted(const char *dir, int (*visit)(struct source *, const char *, const char *, void *),
    struct source *s, void *arg, struct errbuf *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0, cap = 0, i;
	int rc = -1;

	if (d == NULL) {
		errbuf_set(e, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(names, cap * sizeof *names);
			if (grown == NULL)
				goto nomem;
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto nomem;
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof *names, compare_names);
	for (i = 0; i < n; i++)
		if (visit(s, dir, names[i], arg) == -1)
			goto fail;
	rc = 0;
	goto out;
nomem:
	errbuf_set(e, "%s: out of memory", dir);
fail:
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int add_dir(struct source *s, const char *path, struct errbuf *e);

/* An entry met in a walk: a regular file, or a real directory to descend; never a link. */
static int
visit_child(struct source *s, const char *dir, const char *name, void *arg)
{
	char path[4096];
	struct stat sb;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		errbuf_set(arg, "%s/%s: path too long", dir, name);
		return -1;
	}
	if (lstat(path, &sb) == -1) {
		errbuf_set(arg, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode))
		return add_dir(s, path, arg);
	if (!S_ISREG(sb.st_mode)) {
		skipped(s, path, not_input(sb.st_mode));
		return 0;
	}
	return add_entry(s, path, ENTRY_FILE, arg);
}

struct maildir_visit {
	bool skip_seen;
	struct errbuf *e;
};

static int
visit_mail(struct source *s, const char *dir, const char *name, void *arg)
{
	struct maildir_visit *mv = arg;
	char path[4096];

	struct stat sb;

	if (mv->skip_seen && maildir_seen(name))
		return 0;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		errbuf_set(mv->e, "%s/%s: path too long", dir, name);
		return -1;
	}
	if (lstat(path, &sb) == -1) {
		errbuf_set(mv->e, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		skipped(s, path, not_input(sb.st_mode));
		return 0;
	}
	return add_entry(s, path, ENTRY_MAILDIR, mv->e);
}

static int
add_maildir(struct source *s, const char *dir, struct errbuf *e)
{
	struct maildir_visit news = { false, e }, curs = { true, e };
	char sub[4096];

	if ((size_t)snprintf(sub, sizeof sub, "%s/new", dir) >= sizeof sub) {
		errbuf_set(e, "%s: path too long", dir);
		return -1;
	}
	if (each_sorted(sub, visit_mail, s, &news, e) == -1)
		return -1;
	snprintf(sub, sizeof sub, "%s/cur", dir);
	return each_sorted(sub, visit_mail, s, &curs, e);
}

static int
add_dir(struct source *s, const char *path, struct errbuf *e)
{
	if (is_maildir(path))
		return add_maildir(s, path, e);
	return each_sorted(path, visit_child, s, e, e);
}

/* A path the user named: followed, as cat would, to a regular file or a directory. */
static int
add_path(struct source *s, const char *path, struct errbuf *e)
{
	struct stat sb;

	if (strcmp(path, "-") == 0)
		return add_entry(s, path, ENTRY_STDIN, e);
	if (stat(path, &sb) == -1) {
		errbuf_set(e, "%s: %s", path, strerror(errno));
		return -1;
	}
	s->root_len = strlen(path);
	if (S_ISDIR(sb.st_mode))
		return add_dir(s, path, e);
	if (!S_ISREG(sb.st_mode)) {
		skipped(s, path,
		    S_ISFIFO(sb.st_mode) ? "a FIFO: not read (- reads standard input)" :
		                           not_input(sb.st_mode));
		return 0;
	}
	return add_entry(s, path, ENTRY_FILE, e);
}

int
source_open(const char *const *paths, size_t n, size_t stdin_max, source_skip_fn *skip,
    void *skip_arg, struct source **out, struct errbuf *e)
{
	struct source *s = calloc(1, sizeof *s);
	size_t i;

	if (s == NULL) {
		errbuf_set(e, "out of memory");
		return -1;
	}
	s->stdin_max = stdin_max;
	s->skip = skip;
	s->skip_arg = skip_arg;
	for (i = 0; i < n; i++) {
		if (add_path(s, paths[i], e) == -1) {
			source_free(s);
			return -1;
		}
	}
	*out = s;
	return 0;
}

static void
release_current(struct source *s)
{
	if (s->map != NULL)
		munmap(s->map, s->map_len);
	s->map = NULL;
	free(s->heap);
	s->heap = NULL;
}

void
source_free(struct source *s)
{
	size_t i;

	if (s == NULL)
		return;
	release_current(s);
	free(s->small);
	for (i = 0; i < s->n; i++)
		free(s->entries[i].path);
	free(s->entries);
	free(s);
}

size_t
source_count(const struct source *s)
{
	return s->n;
}

/* Reads standard input up to max + 1 bytes, so the caller can see it is too big. */
static int
read_stdin(struct source *s, struct source_item *it, struct errbuf *e)
{
	size_t cap = 1 << 16, len = 0, limit = s->stdin_max + 1;
	unsigned char *buf = malloc(cap), *grown;
	ssize_t n;

	if (buf == NULL)
		goto nomem;
	while (len < limit) {
		if (len == cap) {
			cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
			grown = realloc(buf, cap);
			if (grown == NULL)
				goto nomem;
			buf = grown;
		}
		n = read(STDIN_FILENO, buf + len,
		    (cap - len < limit - len) ? cap - len : limit - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			errbuf_set(e, "standard input: %s", strerror(errno));
			free(buf);
			return -1;
		}
		len += (size_t)n;
	}
	s->heap = buf;
	it->data = buf;
	it->len = len;
	return 1;
nomem:
	free(buf);
	errbuf_set(e, "standard input: out of memory");
	return -1;
}

/* Reads a small file whole into s->small: cheaper than a mapping. */
static int
read_small(struct source *s, int fd, size_t size, struct source_item *it)
{
	size_t len = 0;
	ssize_t n;

	if (s->small == NULL && (s->small = malloc(SOURCE_SMALL)) == NULL)
		return -1;
	while (len < size) {
		n = read(fd, s->small + len, size - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len += (size_t)n;
	}
	it->data = s->small;
	it->len = len;
	return 0;
}

/*
 * Opens the entry without blocking (a FIFO swapped in since the listing
 * would hang a plain open), and below the path the user named one
 * component at a time with O_NOFOLLOW, so that no symbolic link swapped in
 * since the listing is followed, in the name or in a directory above it.
 * Returns the descriptor, or -1 (errno; ELOOP: a symbolic link).
 */
static int
open_entry(const struct entry *en)
{
	const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	char part[4096];
	const char *p = en->path + en->root_len + 1, *slash;
	int dir, fd, saved;

	if (en->path[en->root_len] == '\0')
		return open(en->path, flags);
	memcpy(part, en->path, en->root_len);
	part[en->root_len] = '\0';
	if ((dir = open(part, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	while ((slash = strchr(p, '/')) != NULL) {
		memcpy(part, p, (size_t)(slash - p));
		part[slash - p] = '\0';
		fd = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		close(dir);
		if (fd == -1) {
			errno = saved;
			return -1;
		}
		dir = fd;
		p = slash + 1;
	}
	fd = openat(dir, p, flags | O_NOFOLLOW);
	saved = errno;
	close(dir);
	errno = saved;
	return fd;
}

/*
 * Reads or maps the entry's file: 1, or 0 when it turned out not to be a
 * regular file (skipped, told to the skip function), or -1 (e).
 */
static int
map_file(struct source *s, const struct entry *en, struct source_item *it, struct errbuf *e)
{
	static const unsigned char empty[1];
	const char *path = en->path;
	struct stat sb;
	int fd = open_entry(en), fl;

	if (fd == -1 && (errno == ELOOP || errno == ENOTDIR)) {
		skipped(s, path,
		    errno == ELOOP ? not_input(S_IFLNK) :
		                     "a directory above it is no longer a directory: not followed");
		return 0;
	}
	if (fd == -1 || fstat(fd, &sb) == -1) {
		errbuf_set(e, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		skipped(s, path, not_input(sb.st_mode));
		return 0;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		errbuf_set(e, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	it->data = empty;
	it->len = 0;
	if (sb.st_size > 0 && sb.st_size <= SOURCE_SMALL) {
		if (read_small(s, fd, (size_t)sb.st_size, it) == -1) {
			errbuf_set(e, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	} else if (sb.st_size > 0) {
		void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (map == MAP_FAILED) {
			errbuf_set(e, "%s: mmap: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		s->map = map;
		s->map_len = (size_t)sb.st_size;
		it->data = map;
		it->len = s->map_len;
	}
	close(fd);
	return 1;
}

int
source_next(struct source *s, struct source_item *it, struct errbuf *e)
{
	const struct entry *en;
	int rc;

	do {
		release_current(s);
		if (s->next == s->n)
			return 0;
		en = &s->entries[s->next++];
		it->location = en->path;
		it->is_maildir = en->kind == ENTRY_MAILDIR;
		switch (en->kind) {
		case ENTRY_STDIN:
			it->kind = "stdin";
			return read_stdin(s, it, e);
		case ENTRY_MAILDIR:
			it->kind = "maildir";
			break;
		case ENTRY_FILE:
			it->kind = "file";
			break;
		}
	} while ((rc = map_file(s, en, it, e)) == 0);
	return rc;
}

/* Appends S to a flags string kept in ASCII order, as the Maildir spec asks. */
static void
add_seen_flag(const char *flags, char *out, size_t size)
{
	size_t len = 0;
	bool placed = false;

	for (; *flags != '\0' && len + 2 < size; flags++) {
		if (!placed && *flags > 'S') {
			out[len++] = 'S';
			placed = true;
		}
		out[len++] = *flags;
	}
	if (!placed && len + 1 < size)
		out[len++] = 'S';
	out[len] = '\0';
}

/* The Maildir's sub (new/ or cur/) under the open directory md, never through a symbolic link. */
static int
open_sub(int md, const char *sub)
{
	return openat(md, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
source_maildir_ack(const char *path, struct errbuf *e)
{
	char dir[4096], target[4096], flags[64], sub[4];
	const char *slash = strrchr(path, '/'), *name, *info;
	size_t dirlen, baselen;
	int md = -1, from = -1, to = -1, rc = -1;

	if (slash == NULL || slash - path < 3) {
		errbuf_set(e, "%s: not a Maildir mail path", path);
		return -1;
	}
	name = slash + 1;
	dirlen = (size_t)(slash - path) - 3; /* strip "new" or "cur" */
	if (dirlen >= sizeof dir) {
		errbuf_set(e, "%s: path too long", path);
		return -1;
	}
	memcpy(dir, path, dirlen);
	dir[dirlen] = '\0';
	memcpy(sub, path + dirlen, 3);
	sub[3] = '\0';
	info = strstr(name, ":2,");
	if (info != NULL && strchr(info + 3, 'S') != NULL)
		return 0;
	baselen = info != NULL ? (size_t)(info - name) : strlen(name);
	add_seen_flag(info != NULL ? info + 3 : "", flags, sizeof flags);
	if ((size_t)snprintf(target, sizeof target, "%.*s:2,%s", (int)baselen, name, flags) >=
	    sizeof target) {
		errbuf_set(e, "%s: path too long", path);
		return -1;
	}
	/* a new/ or cur/ swapped for a symbolic link must not move mail, as root, elsewhere */
	if ((md = open(dirlen > 0 ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (from = open_sub(md, sub)) == -1 || (to = open_sub(md, "cur")) == -1) {
		errbuf_set(e, "%s: cannot move to cur/: %s", path, strerror(errno));
		goto out;
	}
	if (renameat(from, name, to, target) == -1) {
		errbuf_set(e, "%s: cannot move to cur/: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (to != -1)
		close(to);
	if (from != -1)
		close(from);
	if (md != -1)
		close(md);
	return rc;
}
