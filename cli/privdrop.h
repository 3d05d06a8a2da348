/*
 * privdrop: the long-running commands (dmarcd serve, dmarcd run) started
 * as root give root up once what needs it is open (the listening socket,
 * the database, the log): the whole process, every thread included, takes
 * the identity of an unprivileged user for good.
 */
#ifndef DMARCD_PRIVDROP_H
#define DMARCD_PRIVDROP_H

#include "errbuf.h"

/*
 * Switches the process to user (a name of the password database): its
 * supplementary groups (initgroups), its group, then its user id (real,
 * effective and saved), and checks that root cannot be regained. First,
 * as root, a database db only root can use (owned by root, mode 0600: as
 * store_open creates it) is given to the user, with its -wal and -shm
 * (never through a symbolic link, never a file of several links). Then,
 * when db is not NULL, checks that the user can still read the database
 * by its path (the dashboard notices new data by the file's size and
 * time). Not running as root, it succeeds only when user is already the
 * current user. Refuses a user whose id is 0. Returns 0, or -1 (e): the
 * process may then be half-switched and must exit.
 */
int privdrop_switch(const char *user, const char *db, struct errbuf *e);

#endif
