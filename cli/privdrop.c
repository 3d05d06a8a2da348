/* privdrop: switching to an unprivileged user for good. */
#include "privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define PRIVDROP_PWBUF 16384 /* getpwnam_r's buffer: a password database entry */

/* The user and group ids of user. 0, or -1 (e). */
static int
lookup(const char *user, uid_t *uid, gid_t *gid, struct errbuf *e)
{
	struct passwd pw, *found = NULL;
	char buf[PRIVDROP_PWBUF];
	int rc;

	rc = getpwnam_r(user, &pw, buf, sizeof buf, &found);
	if (found == NULL) {
		errbuf_set(e, "user %s: %s", user,
		    rc != 0 ? strerror(rc) : "no such user in the password database");
		return -1;
	}
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

/* Checks that the ids are uid and gid everywhere and that root is out of reach. */
static int
verify(const char *user, uid_t uid, gid_t gid, struct errbuf *e)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) == -1 || getresgid(&rgid, &egid, &sgid) == -1 ||
	    ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid ||
	    sgid != gid) {
		errbuf_set(e, "user %s: the user or group ids did not all change", user);
		return -1;
	}
	if (setuid(0) != -1 || seteuid(0) != -1) {
		errbuf_set(e, "user %s: root could be regained after the switch", user);
		return -1;
	}
	return 0;
}

/*
 * Hands the database to uid:gid when only root can use it (owned by root,
 * mode 0600 or stricter: what store_open creates), with its -wal and -shm:
 * it stays private and the user can read it. The directory may be the
 * user's (systemd's StateDirectory), so no symbolic link is followed and
 * no file with other links is touched: the user cannot aim this chown.
 */
static int
give_db(const char *db, uid_t uid, gid_t gid, struct errbuf *e)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[4096];
	struct stat sb;
	size_t i;
	int fd;

	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s%s", db, suffixes[i]) >= sizeof path)
			return 0;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd == -1)
			continue;
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_nlink == 1 &&
		    sb.st_uid == 0 && (sb.st_mode & 077) == 0 && fchown(fd, uid, gid) == -1) {
			errbuf_set(e, "giving %s to the user: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

int
privdrop_switch(const char *user, const char *db, struct errbuf *e)
{
	uid_t uid;
	gid_t gid;

	if (lookup(user, &uid, &gid, e) == -1)
		return -1;
	if (uid == 0) {
		errbuf_set(e, "user %s: has user id 0: name an unprivileged user", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (getuid() != uid || geteuid() != uid) {
			errbuf_set(e, "user %s: switching to another user needs starting as root",
			    user);
			return -1;
		}
	} else if (db != NULL && give_db(db, uid, gid, e) == -1) {
		errbuf_prefix(e, "user %s", user);
		return -1;
	} else if (initgroups(user, gid) == -1) {
		errbuf_set(e, "user %s: setting its groups: %s", user, strerror(errno));
		return -1;
	} else if (setresgid(gid, gid, gid) == -1 || setresuid(uid, uid, uid) == -1) {
		errbuf_set(e, "user %s: switching: %s", user, strerror(errno));
		return -1;
	}
	if (verify(user, uid, gid, e) == -1)
		return -1;
	if (db != NULL && access(db, R_OK) == -1) {
		errbuf_set(e,
		    "user %s cannot read the database %s (%s): give it access to the "
		    "file and its directory",
		    user, db, strerror(errno));
		return -1;
	}
	return 0;
}
