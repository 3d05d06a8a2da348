/*
 * config_int: what the files of the config module share: small-file
 * reading (the config itself, password files, the web hash) and the
 * wiping of secrets.
 */
#ifndef DMARCD_CONFIG_INT_H
#define DMARCD_CONFIG_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"

#define CONFIG_FILE_MAX (1024 * 1024)

/*
 * Reads the regular file at path, at most max bytes, into a malloc'd
 * NUL-terminated buffer (*out, *len bytes), with its mode. 0 or -1 (e).
 */
int config_read_small_file(const char *path, size_t max, char **out, size_t *len, mode_t *mode,
    struct errbuf *e);

/* Wipes and frees a secret string; NULL is a no-op. */
void config_free_secret(char *s);

#endif
