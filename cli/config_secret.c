/* config: the secrets a config points to (IMAP passwords, the web password hash). */
#include "config_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
config_read_small_file(const char *path, size_t max, char **out, size_t *len, mode_t *mode,
    struct errbuf *e)
{
	struct stat sb;
	char *buf = NULL;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		errbuf_set(e, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max) {
		errbuf_set(e, "%s: not a regular file of at most %zu bytes", path, max);
		goto fail;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		errbuf_set(e, "%s: out of memory", path);
		goto fail;
	}
	*len = 0;
	while (
	    *len < (size_t)sb.st_size && (n = read(fd, buf + *len, (size_t)sb.st_size - *len)) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
	*mode = sb.st_mode;
	*out = buf;
	close(fd);
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

void
config_free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

int
config_secret_file(const char *what, const char *path, char *buf, size_t size, struct errbuf *e)
{
	char *text = NULL;
	size_t len, n = 0;
	mode_t mode;
	int rc = -1;

	if (config_read_small_file(path, CONFIG_PASSWORD_MAX, &text, &len, &mode, e) == -1) {
		errbuf_prefix(e, "%s", what);
		return -1;
	}
	while (n < len && text[n] != '\n' && text[n] != '\r')
		n++;
	if ((mode & 077) != 0)
		errbuf_set(e,
		    "%s %s: mode %03o: must be 0600 or stricter, group and others may not "
		    "read it (chmod 600 %s)",
		    what, path, (unsigned)(mode & 0777), path);
	else if (n == 0)
		errbuf_set(e, "%s %s: its first line is empty", what, path);
	else if (size == 0 || n >= size)
		errbuf_set(e, "%s %s: its first line is longer than %zu bytes", what, path,
		    size > 0 ? size - 1 : 0);
	else {
		memcpy(buf, text, n);
		buf[n] = '\0';
		rc = 0;
	}
	explicit_bzero(text, len);
	free(text);
	return rc;
}

int
config_imap_password(const struct config *c, const struct config_imap *im, char *buf, size_t size,
    struct errbuf *e)
{
	char var[32 + CONFIG_NAME_MAX] = "DMARCD_IMAP_PASSWORD_";
	size_t i, n = strlen(var);
	const char *env;

	if (im->password_file != NULL) {
		if (config_secret_file("password_file", im->password_file, buf, size, e) == 0)
			return 0;
	} else if (im->password != NULL) {
		if (!c->file_private)
			errbuf_set(e,
			    "a password in %s needs the file to be mode 0600 or "
			    "stricter (or use password_file)",
			    c->file);
		else if (strlen(im->password) >= size || im->password[0] == '\0')
			errbuf_set(e, "password: empty or too long");
		else {
			memcpy(buf, im->password, strlen(im->password) + 1);
			return 0;
		}
	} else {
		for (i = 0; im->name[i] != '\0' && n + 1 < sizeof var; i++)
			var[n++] = isalnum((unsigned char)im->name[i]) ?
			    (char)toupper((unsigned char)im->name[i]) :
			    '_';
		var[n] = '\0';
		env = getenv(var);
		if (env != NULL && env[0] != '\0' && strlen(env) < size) {
			memcpy(buf, env, strlen(env) + 1);
			return 0;
		}
		errbuf_set(e, "no password: set password_file, or %s in the environment", var);
	}
	errbuf_prefix(e, "%s:%u: [imap %s]", c->file, im->line, im->name);
	return -1;
}

int
config_web_auth_hash(const struct config *c, char *buf, size_t size, struct errbuf *e)
{
	if (c->auth_hash_file == NULL) {
		errbuf_set(e, "%s: [web] auth_user needs auth_hash_file", c->file);
		return -1;
	}
	if (config_secret_file("auth_hash_file", c->auth_hash_file, buf, size, e) == -1) {
		errbuf_prefix(e, "%s: [web]", c->file);
		return -1;
	}
	return 0;
}
