/*
 * libFuzzer target: the bytes as a config file's text through config_parse.
 * A parsed config must hold what the key table promises (values in their
 * ranges, required keys set, never "delete" for refused mail); a refusal
 * must name the file as "file:line: message" or "file: message".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

#define NAME "fuzz.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every byte of s, so that ASan sees a string that is not terminated. */
static void
check_string(const char *s)
{
	if (s != NULL)
		CHECK(strlen(s) < (1u << 20));
}

static void
check_name(const char *s)
{
	size_t n = strlen(s);

	CHECK(n >= 1 && n <= CONFIG_NAME_MAX);
	CHECK(strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n);
}

static void
check_config(const struct config *c)
{
	size_t i;

	CHECK(strcmp(c->file, NAME) == 0);
	CHECK(c->interval >= 1 && c->interval <= 86400);
	CHECK(c->batch >= 1 && c->batch <= 1000);
	CHECK(c->bounds.max_input >= 4096 && c->bounds.max_input <= (1ULL << 30));
	CHECK(c->bounds.max_ratio >= 10 && c->bounds.max_ratio <= 100000);
	CHECK(c->retention_days >= 1 && c->retention_days <= 36500);
	CHECK(c->log_level >= 0 && c->log_level <= 3);
	CHECK(c->web_threads <= 64);
	CHECK(c->n_imap + c->n_maildir <= 64);
	CHECK(!c->has_web || (c->listen != NULL && c->base_path != NULL));
	check_string(c->db_path);
	check_string(c->listen);
	check_string(c->base_path);
	check_string(c->auth_user);
	check_string(c->auth_hash_file);
	check_string(c->server_name);
	for (i = 0; i < c->n_imap; i++) {
		const struct config_imap *im = &c->imap[i];

		check_name(im->name);
		CHECK(im->url != NULL && im->user != NULL);
		CHECK(strncmp(im->url, "imap://", 7) == 0 || strncmp(im->url, "imaps://", 8) == 0);
		CHECK(im->password == NULL || im->password_file == NULL);
		CHECK(im->after >= CONFIG_AFTER_MOVE && im->after <= CONFIG_AFTER_NONE);
		CHECK(im->after_invalid != CONFIG_AFTER_DELETE);
		CHECK(im->timeout >= 5 && im->timeout <= 3600);
		CHECK(im->archive_folder != NULL && im->invalid_folder != NULL);
		check_string(im->password);
		check_string(im->password_file);
		check_string(im->ca_file);
		check_string(im->source_address);
	}
	for (i = 0; i < c->n_maildir; i++) {
		check_name(c->maildir[i].name);
		CHECK(c->maildir[i].path != NULL);
		check_string(c->maildir[i].path);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL;
	struct errbuf e;
	char *text;

	/* an exact-size copy: a read past the end is caught even without a NUL */
	if ((text = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	errbuf_clear(&e);
	if (config_parse(NAME, text, size, &c, &e) == 0) {
		CHECK(c != NULL);
		check_config(c);
		config_free(c);
	} else {
		CHECK(strncmp(e.msg, NAME ":", strlen(NAME) + 1) == 0);
	}
	free(text);
	return 0;
}
