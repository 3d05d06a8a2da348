-- 003_imap: where the polling of each IMAP folder stands.
--
-- A folder is (account, mailbox), the account being user@host. Mail with
-- a UID up to last_uid under uidvalidity has its data committed; last_uid
-- advances in the same transaction as that data, so a crash never skips a
-- mail (and a re-fetched one is a duplicate by its raw hash). When the
-- server reports another UIDVALIDITY the folder starts again at UID 0.
CREATE TABLE imap_folder (
	id          INTEGER PRIMARY KEY,
	account     TEXT    NOT NULL,
	mailbox     TEXT    NOT NULL,
	uidvalidity INTEGER NOT NULL CHECK (uidvalidity >= 0),
	last_uid    INTEGER NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
	UNIQUE (account, mailbox)
) STRICT;

-- Mail whose data is committed but whose action at the server (move,
-- flag, delete) is not known to be done: written in the data's
-- transaction, deleted once the action succeeded, retried at every poll.
-- refused says which action applies (the one for refused mail, or not).
CREATE TABLE imap_pending (
	folder_id INTEGER NOT NULL REFERENCES imap_folder(id) ON DELETE CASCADE,
	uid       INTEGER NOT NULL CHECK (uid > 0),
	refused   INTEGER NOT NULL CHECK (refused IN (0, 1)),
	PRIMARY KEY (folder_id, uid)
) STRICT, WITHOUT ROWID;
