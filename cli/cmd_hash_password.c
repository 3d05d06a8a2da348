/*
 * dmarcd hash-password: reads a password from standard input (without echo
 * on a terminal) and prints its SHA-512 crypt(3) hash, the line that
 * --auth-hash-file and [web] auth_hash_file hold.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth.h"
#include "cli.h"
#include "log.h"

#define PASSWORD_MAX 1024

/* Reads one line of at most size-1 bytes from stdin, without echo on a terminal. */
static int
read_password(char *buf, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *ok;

	if (tty) {
		fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(buf, (int)size, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (ok == NULL || (strchr(buf, '\n') == NULL && !feof(stdin)))
		return -1; /* nothing, or a line too long: never hash a cut password */
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

int
cmd_hash_password(int argc, char **argv)
{
	char password[PASSWORD_MAX], hash[AUTH_HASH_MAX];
	struct errbuf e;
	int status = EXIT_OPERATIONAL;

	if (argc != 1) {
		fprintf(stderr,
		    "usage: dmarcd hash-password < password-file\n"
		    "  reads the password from standard input and prints its hash, for\n"
		    "  dmarcd serve --auth-user USER --auth-hash-file FILE\n");
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : EXIT_USAGE;
	}
	if (read_password(password, sizeof password) == -1 || password[0] == '\0') {
		log_error(
		    "hash-password: no password on standard input (one line, at most %d bytes)",
		    PASSWORD_MAX - 2);
		goto out;
	}
	if (auth_hash_password(password, hash, sizeof hash, &e) == -1) {
		log_error("hash-password: %s", e.msg);
		goto out;
	}
	printf("%s\n", hash);
	status = fflush(stdout) == EOF ? EXIT_OPERATIONAL : 0;
out:
	explicit_bzero(password, sizeof password);
	return status;
}
