/*
 * The config file: values and defaults, every error as file:line, the
 * secrets' sources, and dmarcd.conf.example documenting every key.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalogue.h"
#include "config.h"
#include "log.h"
#include "testutil.h"

#define EXAMPLE FIXTURES_DIR "/../../dmarcd.conf.example"

static struct config *
parse_ok(const char *text)
{
	struct config *c = NULL;
	struct errbuf e;

	cr_assert_eq(config_parse("t.conf", text, strlen(text), &c, &e), 0, "%s", e.msg);
	return c;
}

Test(config, values_and_comments)
{
	struct config *c = parse_ok("# dmarcd\n"
	                            "[database]\n"
	                            "path = /var/lib/dmarcd/dmarcd.db   ; where\n"
	                            "[poll]\n"
	                            "interval = 10m\n"
	                            "batch=20\n"
	                            "[ingest]\n"
	                            "max_input = 8M\n"
	                            "[failure]\n"
	                            "keep_body = yes\n"
	                            "retention_days = 7\n"
	                            "[log]\n"
	                            "syslog = on\n"
	                            "level = debug\n"
	                            "[imap reports]                ; one section per mailbox\n"
	                            "url = imaps://imap.example.com:993/INBOX\n"
	                            "user = dmarc@example.com\n"
	                            "password = \"se;cr\\\"et\"   # quoted: ; and \" inside\n"
	                            "after = flag\n"
	                            "after_invalid = none\n"
	                            "[imap second.box]\n"
	                            "url = imap://127.0.0.1:143/Reports\n"
	                            "user = u\n"
	                            "starttls = no\n"
	                            "[maildir local]\n"
	                            "path = /var/mail/dmarc/Maildir\n"
	                            "[web]\n"
	                            "listen = 0.0.0.0:8443\n"
	                            "auth_user = admin\n");

	cr_assert_str_eq(c->db_path, "/var/lib/dmarcd/dmarcd.db");
	cr_assert_eq(c->interval, 600);
	cr_assert_eq(c->batch, 20);
	cr_assert_eq(c->bounds.max_input, 8u << 20);
	cr_assert_eq(c->bounds.max_document, 2ULL << 30);
	cr_assert(c->keep_body);
	cr_assert_eq(c->retention_days, 7);
	cr_assert(c->syslog);
	cr_assert_eq(c->log_level, LOG_LEVEL_DEBUG);
	cr_assert_eq(c->n_imap, 2);
	cr_assert_str_eq(c->imap[0].name, "reports");
	cr_assert_eq(c->imap[0].line, 15);
	cr_assert_str_eq(c->imap[0].url, "imaps://imap.example.com:993/INBOX");
	cr_assert_str_eq(c->imap[0].password, "se;cr\"et");
	cr_assert_eq(c->imap[0].after, CONFIG_AFTER_FLAG);
	cr_assert_eq(c->imap[0].after_invalid, CONFIG_AFTER_NONE);
	cr_assert_str_eq(c->imap[0].archive_folder, "Archive/DMARC");
	cr_assert_str_eq(c->imap[0].invalid_folder, "Archive/Invalid");
	cr_assert(c->imap[0].starttls);
	cr_assert_eq(c->imap[0].timeout, 60);
	cr_assert_str_eq(c->imap[1].name, "second.box");
	cr_assert_not(c->imap[1].starttls);
	cr_assert_eq(c->imap[1].after, CONFIG_AFTER_MOVE);
	cr_assert_eq(c->n_maildir, 1);
	cr_assert_str_eq(c->maildir[0].path, "/var/mail/dmarc/Maildir");
	cr_assert(c->has_web);
	cr_assert_str_eq(c->listen, "0.0.0.0:8443");
	cr_assert_str_eq(c->base_path, "");
	cr_assert_str_eq(c->auth_user, "admin");
	cr_assert_not(c->allow_remote_without_auth);
	config_free(c);
}

Test(config, defaults)
{
	struct config *c = parse_ok("");

	cr_assert_null(c->db_path);
	cr_assert_eq(c->interval, 300);
	cr_assert_eq(c->batch, 50);
	cr_assert_eq(c->bounds.max_input, 50u << 20);
	cr_assert_eq(c->retention_days, 30);
	cr_assert_not(c->syslog);
	cr_assert_eq(c->log_level, LOG_LEVEL_INFO);
	cr_assert_not(c->has_web);
	cr_assert_eq(c->n_imap + c->n_maildir, 0);
	config_free(c);
	c = parse_ok("[web]\n");
	cr_assert(c->has_web);
	cr_assert_str_eq(c->listen, "127.0.0.1:8080");
	config_free(c);
}

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{ "path = x\n", "t.conf:1: 'path' before any [section]" },
	{ "[nope]\n", "t.conf:1: unknown section [nope]" },
	{ "[database]\nfoo = 1\n", "t.conf:2: unknown key 'foo' in [database]" },
	{ "[imap a]\nurl = imaps://h/INBOX\nuser = u\nfolder = x\n",
	    "t.conf:4: unknown key 'folder' in [imap]" },
	{ "[log]\nsyslog = maybe\n", "t.conf:2: syslog: 'maybe' is not yes or no" },
	{ "[poll]\ninterval = 0\n", "t.conf:2: interval: '0' is out of range" },
	{ "[poll]\ninterval = 5 minutes\n",
	    "t.conf:2: interval: '5 minutes' is not a valid number" },
	{ "[poll]\nbatch = 99999999999999999999999\n", "is not a valid number" },
	{ "[ingest]\nmax_input = 12X\n", "t.conf:2: max_input: '12X' is not a valid number" },
	{ "[ingest]\nmax_input = 2G\n", "t.conf:2: max_input: '2G' is out of range" },
	{ "[poll]\nbatch = 5\nbatch = 6\n", "t.conf:3: 'batch' is set twice in this section" },
	{ "[poll]\nbatch =\n", "t.conf:2: batch: empty value" },
	{ "[database]\n[database]\n", "t.conf:2: [database] appears twice" },
	{ "[database main]\n", "t.conf:1: [database] takes no name" },
	{ "[imap]\n", "t.conf:1: [imap NAME]: NAME is 1 to 64" },
	{ "[imap a b]\n", "t.conf:1: [imap NAME]: NAME is 1 to 64" },
	{ "[imap a]\nurl = imaps://h/\nuser = u\n[imap a]\n", "t.conf:4: [imap a] appears twice" },
	{ "[web\n", "t.conf:1: expected ']'" },
	{ "[web] listen = x\n", "t.conf:1: text after ']'" },
	{ "[database]\njust words\n", "t.conf:2: expected 'key = value'" },
	{ "[database]\npath = \"open\n", "t.conf:2: unterminated quoted value" },
	{ "[database]\npath = \"a\" b\n", "t.conf:2: text after a quoted value" },
	{ "\n[imap a]\nuser = u\n\n", "t.conf:2: [imap] needs 'url'" },
	{ "[maildir m]\n[poll]\n", "t.conf:1: [maildir] needs 'path'" },
	{ "[imap a]\nurl = https://h/INBOX\nuser = u\n",
	    "t.conf:1: url: 'https://h/INBOX' is not" },
	{ "[imap a]\nurl = imaps://me:pw@h/INBOX\nuser = u\n", "the user name goes in 'user'" },
	{ "[imap a]\nurl = imap://mail.example.com/INBOX\nuser = u\nstarttls = no\n",
	    "t.conf:1: starttls = no: plaintext IMAP is allowed only to loopback, not to "
	    "mail.example.com" },
	{ "[imap a]\nurl = imap://127.mail.attacker.test/INBOX\nuser = u\nstarttls = no\n",
	    "t.conf:1: starttls = no: plaintext IMAP is allowed only to loopback, not to "
	    "127.mail.attacker.test" },
	{ "[imap a]\nurl = imap://127.0.0.1.nip.io\nuser = u\nstarttls = no\n",
	    "t.conf:1: starttls = no: plaintext IMAP is allowed only to loopback, not to "
	    "127.0.0.1.nip.io" },
	{ "[imap a]\nurl = imap://localhost.attacker.test:1143/\nuser = u\nstarttls = no\n",
	    "not to localhost.attacker.test" },
	{ "[imap a]\nurl = imaps://h/\nuser = u\nafter_invalid = delete\n",
	    "t.conf:4: after_invalid: 'delete' is not one of the documented values" },
	{ "[imap a]\nurl = imaps://h/\nuser = u\nafter = archive\n",
	    "t.conf:4: after: 'archive' is not one of the documented values" },
	{ "[imap a]\nurl = imaps://h/\nuser = u\npassword = x\npassword_file = /f\n",
	    "t.conf:1: give password or password_file, not both" },
	{ "[imap a]\nurl = imaps://h/\nuser = u\ntimeout = 1\n", "timeout: '1' is out of range" },
	{ "[advisor]\npass_quarantine = 101\n",
	    "t.conf:2: pass_quarantine: '101' is out of range" },
	{ "[advisor]\nsource_pass = high\n", "t.conf:2: source_pass: 'high' is not a percentage" },
	{ "[advisor]\nsource_pass = 95 percent\n",
	    "source_pass: '95 percent' is not a percentage" },
	{ "[advisor]\nwindow_days = 0\n", "t.conf:2: window_days: '0' is out of range" },
	{ "[advisor]\nramp = percent\n", "t.conf:2: ramp: 'percent' is not one of the documented" },
	{ "[advisor]\nramp_pct = 10,50,25,100\n",
	    "t.conf:2: ramp_pct: '10,50,25,100' is not increasing percentages ending at 100" },
	{ "[advisor]\nramp_pct = 10,50\n", "t.conf:2: ramp_pct: '10,50' is not increasing" },
	{ "[advisor]\nramp_pct = 0,100\n", "t.conf:2: ramp_pct: '0,100' is not increasing" },
	{ "[advisor]\nramp_pct = 10,,100\n", "t.conf:2: ramp_pct: '10,,100' is not increasing" },
	{ "[advisor]\nramp_pct = 1,2,3,4,5,6,7,8,100\n",
	    "t.conf:2: ramp_pct: '1,2,3,4,5,6,7,8,100'" },
	{ "[source s]\ndomain = example.com\nstatus = authorized\n",
	    "t.conf:1: [source s] needs exactly one of cidr, dkim_domain and spf_domain" },
	{ "[source s]\ndomain = example.com\ncidr = 192.0.2.0/24\nspf_domain = x.example\n"
	  "status = forwarder\n",
	    "t.conf:1: [source s] needs exactly one of cidr" },
	{ "[source s]\ndomain = example.com\ncidr = 192.0.2.0/24\nstatus = friend\n",
	    "t.conf:4: status: 'friend' is not one of the documented values" },
	{ "[source s]\ncidr = 192.0.2.0/24\nstatus = authorized\n",
	    "t.conf:1: [source] needs 'domain'" },
	{ "[domain example.com]\nno_mailing_lists = perhaps\n",
	    "t.conf:2: no_mailing_lists: 'perhaps' is not yes or no" },
	{ "[domain a.example]\n[domain a.example]\n",
	    "t.conf:2: [domain a.example] appears twice" },
	{ "[enrich]\ndns = maybe\n", "t.conf:2: dns: 'maybe' is not yes or no" },
	{ "[dns]\ntimeout = 0\n", "t.conf:2: timeout: '0' is out of range" },
	{ "[service acme]\nname = A\ncolour = blue\n", "t.conf:3: " },
	{ "[service acme]\ncategory = gossip\n", "t.conf:2: " },
};

Test(config, the_advisor_sections)
{
	static const char text[] =
	    "[advisor]\npass_quarantine = 97.5%\nfirst_pct = 25\nramp = pct\n"
	    "ramp_pct = 5, 20,100\n"
	    "rua = mailto:d@example.com\n[source news]\ndomain = Example.com\n"
	    "dkim_domain = mailer.example.net\nstatus = unauthorized\n[domain example.com]\n"
	    "record = \"v=DMARC1; p=none\"\nno_mailing_lists = yes\n";
	struct config *c = NULL;
	struct errbuf e;

	cr_assert_eq(config_parse("t.conf", text, sizeof text - 1, &c, &e), 0, "%s", e.msg);
	cr_assert_float_eq(c->advisor.pass_quarantine, 0.975, 1e-9);
	cr_assert_float_eq(c->advisor.pass_reject, 0.995, 1e-9, "the default");
	cr_assert_eq(c->advisor.first_pct, 25);
	cr_assert_eq(c->advisor.ramp, 1);
	cr_assert_eq(c->advisor.ramp_pct.n, 3);
	cr_assert_eq(c->advisor.ramp_pct.v[0], 5);
	cr_assert_eq(c->advisor.ramp_pct.v[1], 20);
	cr_assert_eq(c->advisor.ramp_pct.v[2], 100);
	cr_assert_str_eq(c->advisor.rua, "mailto:d@example.com");
	cr_assert_eq(c->n_known, 1);
	cr_assert_str_eq(c->known[0].name, "news");
	cr_assert_eq(c->known[0].line, 7);
	cr_assert_str_eq(c->known[0].dkim_domain, "mailer.example.net");
	cr_assert_null(c->known[0].cidr);
	cr_assert_eq(c->known[0].status, 1);
	cr_assert_eq(c->n_domains, 1);
	cr_assert_str_eq(c->domains[0].record, "v=DMARC1; p=none");
	cr_assert(c->domains[0].no_mailing_lists);
	config_free(c);
}

Test(config, naming_the_sources)
{
	static const char text[] =
	    "[enrich]\ndns = no\nasn_db = /x/asn.mmdb\n[dns]\nservers = 127.0.0.1:5353\n"
	    "timeout = 3\n[service]\nuser = dmarcd\n[service acme-mailer]\nname = ACME Mailer\n"
	    "category = transactional\ndkim = mailer.acme.example\n"
	    "fix = \"Turn it on.\"\n[service sendgrid]\nname = SendGrid (ours)\n";
	struct config *c = parse_ok(text);
	const struct service *acme = NULL, *sg = NULL;
	size_t i;

	cr_assert(c->enrich.enabled, "the default");
	cr_assert_not(c->enrich.dns);
	cr_assert_str_eq(c->enrich.asn_db, "/x/asn.mmdb");
	cr_assert_null(c->enrich.country_db);
	cr_assert_str_eq(c->enrich.dns_servers, "127.0.0.1:5353");
	cr_assert_eq(c->enrich.dns_timeout, 3);
	cr_assert_eq(c->enrich.dns_tries, 2, "the default");
	cr_assert_str_eq(c->user, "dmarcd", "[service] without a name is still the process's");
	cr_assert_not_null(c->catalogue);
	for (i = 0; i < catalogue_count(c->catalogue); i++) {
		const struct service *s = catalogue_at(c->catalogue, i);

		if (strcmp(s->key, "acme-mailer") == 0)
			acme = s;
		if (strcmp(s->key, "sendgrid") == 0)
			sg = s;
	}
	cr_assert_gt(catalogue_count(c->catalogue), 150, "the built-in services are kept");
	cr_assert_not_null(acme);
	cr_assert_str_eq(acme->name, "ACME Mailer");
	cr_assert_str_eq(acme->fix, "Turn it on.");
	cr_assert_not_null(sg);
	cr_assert_str_eq(sg->name, "SendGrid (ours)", "a built-in one is changed");
	config_free(c);
}

Test(config, errors_name_the_line)
{
	struct config *c;
	struct errbuf e;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = NULL;
		errbuf_clear(&e);
		cr_assert_eq(config_parse("t.conf", bad[i].text, strlen(bad[i].text), &c, &e), -1,
		    "case %zu accepted: %s", i, bad[i].text);
		cr_assert_null(c);
		cr_assert_not_null(strstr(e.msg, bad[i].error), "case %zu: got '%s', want '%s'", i,
		    e.msg, bad[i].error);
	}
}

/* Plaintext IMAP (starttls = no) goes to loopback literals and localhost only. */
Test(config, plaintext_imap_to_loopback_literals)
{
	static const char *const urls[] = { "imap://127.0.0.1:1143", "imap://[::1]:1143",
		"imap://localhost", "imap://127.3.4.5/INBOX" };
	char text[256];
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		snprintf(text, sizeof text, "[imap a]\nurl = %s\nuser = u\nstarttls = no\n",
		    urls[i]);
		c = parse_ok(text);
		cr_expect_not(c->imap[0].starttls, "%s", urls[i]);
		config_free(c);
	}
}

Test(config, binary_junk_is_refused)
{
	static const char text[] = "[database]\npath = a\0b\n";
	struct config *c = NULL;
	struct errbuf e;

	cr_assert_eq(config_parse("t.conf", text, sizeof text - 1, &c, &e), -1);
	cr_assert_not_null(strstr(e.msg, "t.conf:2: NUL byte"), "%s", e.msg);
}

/* Writes text to dir/name with mode and returns the path (malloc'd). */
static char *
write_mode(const char *dir, const char *name, const char *text, mode_t mode)
{
	char *path = NULL;

	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	tu_write_file(path, text, strlen(text));
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

Test(config, password_sources)
{
	char *dir = tu_scratch_dir(), *pw_open, *pw_private, *conf, text[1024];
	char buf[CONFIG_PASSWORD_MAX];
	struct config *c;
	struct errbuf e;

	pw_open = write_mode(dir, "open.pass", "hunter2\n", 0644);
	pw_private = write_mode(dir, "private.pass", "hunter2\n", 0600);

	/* password_file: refused unless 0600 or stricter; the message never holds it. */
	snprintf(text, sizeof text, "[imap a]\nurl = imaps://h/\nuser = u\npassword_file = %s\n",
	    pw_open);
	c = parse_ok(text);
	cr_assert_eq(config_imap_password(c, &c->imap[0], buf, sizeof buf, &e), -1);
	cr_assert_not_null(strstr(e.msg, "t.conf:1: [imap a]: password_file"), "%s", e.msg);
	cr_assert_not_null(strstr(e.msg, "mode 644: must be 0600 or stricter"), "%s", e.msg);
	cr_assert_null(strstr(e.msg, "hunter2"));
	config_free(c);
	snprintf(text, sizeof text, "[imap a]\nurl = imaps://h/\nuser = u\npassword_file = %s\n",
	    pw_private);
	c = parse_ok(text);
	cr_assert_eq(config_imap_password(c, &c->imap[0], buf, sizeof buf, &e), 0, "%s", e.msg);
	cr_assert_str_eq(buf, "hunter2");
	config_free(c);

	/* The environment, named after the section. */
	c = parse_ok("[imap my-box.2]\nurl = imaps://h/\nuser = u\n");
	unsetenv("DMARCD_IMAP_PASSWORD_MY_BOX_2");
	cr_assert_eq(config_imap_password(c, &c->imap[0], buf, sizeof buf, &e), -1);
	cr_assert_not_null(strstr(e.msg, "DMARCD_IMAP_PASSWORD_MY_BOX_2"), "%s", e.msg);
	setenv("DMARCD_IMAP_PASSWORD_MY_BOX_2", "from-env", 1);
	cr_assert_eq(config_imap_password(c, &c->imap[0], buf, sizeof buf, &e), 0, "%s", e.msg);
	cr_assert_str_eq(buf, "from-env");
	config_free(c);

	/* In the config file itself: only when that file is private. */
	conf = write_mode(dir, "open.conf",
	    "[imap a]\nurl = imaps://h/\nuser = u\n"
	    "password = hunter2\n",
	    0640);
	cr_assert_eq(config_load(conf, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(config_imap_password(c, &c->imap[0], buf, sizeof buf, &e), -1);
	cr_assert_not_null(strstr(e.msg, "needs the file to be mode 0600"), "%s", e.msg);
	cr_assert_null(strstr(e.msg, "hunter2"));
	config_free(c);
	cr_assert_eq(chmod(conf, 0600), 0);
	cr_assert_eq(config_load(conf, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(config_imap_password(c, &c->imap[0], buf, sizeof buf, &e), 0, "%s", e.msg);
	cr_assert_str_eq(buf, "hunter2");
	config_free(c);
	free(conf);
	free(pw_open);
	free(pw_private);
	free(dir);
}

/*
 * The [web] auth_hash_file was read whatever its mode, and cut at the
 * buffer's size: now it is refused like password_file when group or
 * others may read it, and a first line that does not fit is refused.
 */
Test(config, auth_hash_file_is_a_private_file_read_whole)
{
	char *dir = tu_scratch_dir(), *open_hash, *long_hash, *private_hash, text[1024], buf[256];
	char line[401];
	struct config *c;
	struct errbuf e;

	memset(line, 'a', 300);
	memcpy(line + 300, "\n", 2);
	open_hash = write_mode(dir, "open.hash", "$6$salt$hash\n", 0644);
	long_hash = write_mode(dir, "long.hash", line, 0600);
	private_hash = write_mode(dir, "private.hash", "$6$salt$hash\n", 0600);

	snprintf(text, sizeof text, "[web]\nauth_user = admin\nauth_hash_file = %s\n", open_hash);
	c = parse_ok(text);
	cr_expect_eq(config_web_auth_hash(c, buf, sizeof buf, &e), -1, "a hash file of mode 644");
	cr_expect_not_null(strstr(e.msg, "t.conf: [web]: auth_hash_file"), "%s", e.msg);
	cr_expect_not_null(strstr(e.msg, "mode 644: must be 0600 or stricter"), "%s", e.msg);
	cr_expect_null(strstr(e.msg, "$6$"), "%s", e.msg);
	config_free(c);

	snprintf(text, sizeof text, "[web]\nauth_user = admin\nauth_hash_file = %s\n", long_hash);
	c = parse_ok(text);
	cr_expect_eq(config_web_auth_hash(c, buf, sizeof buf, &e), -1);
	cr_expect_not_null(strstr(e.msg, "its first line is longer than 255 bytes"), "%s", e.msg);
	config_free(c);

	snprintf(text, sizeof text, "[web]\nauth_user = admin\nauth_hash_file = %s\n",
	    private_hash);
	c = parse_ok(text);
	cr_expect_eq(config_web_auth_hash(c, buf, sizeof buf, &e), 0, "%s", e.msg);
	cr_expect_str_eq(buf, "$6$salt$hash");
	config_free(c);
	free(open_hash);
	free(long_hash);
	free(private_hash);
	free(dir);
}

Test(config, load_reports_a_missing_file)
{
	struct config *c = NULL;
	struct errbuf e;

	cr_assert_eq(config_load("/nonexistent/dmarcd.conf", &c, &e), -1);
	cr_assert_str_eq(e.msg, "/nonexistent/dmarcd.conf: No such file or directory");
}

struct key_check {
	const char *text;
	size_t missing;
	char first[128];
};

/* A key is documented when the example sets it, or shows it commented out. */
static void
check_key(void *arg, const char *section, const char *key)
{
	struct key_check *k = arg;
	char set[96], shown[96];

	snprintf(set, sizeof set, "\n%s = ", key);
	snprintf(shown, sizeof shown, "\n;%s = ", key);
	if (strstr(k->text, set) == NULL && strstr(k->text, shown) == NULL) {
		if (k->missing++ == 0)
			snprintf(k->first, sizeof k->first, "[%s] %s", section, key);
	}
}

Test(config, the_example_documents_every_key)
{
	struct key_check k = { NULL, 0, "" };
	struct config *c;
	struct errbuf e;
	size_t len;

	k.text = (const char *)tu_read_file(EXAMPLE, &len);
	cr_assert_eq(config_load(EXAMPLE, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c->n_imap, 1);
	cr_assert_eq(c->n_maildir, 1);
	cr_assert(c->has_web);
	config_free(c);
	config_each_key(check_key, &k);
	cr_assert_eq(k.missing, 0, "%zu key(s) undocumented in dmarcd.conf.example, first %s",
	    k.missing, k.first);
	free((void *)k.text);
}
