#!/usr/bin/env bash
# A throwaway Dovecot for the IMAP tests (no systemd, everything under DIR).
#
#   dovecot.sh start DIR IMAP_PORT IMAPS_PORT   certificates, config, start, wait for the port
#   dovecot.sh stop DIR                         stop and wait for the master to exit
#   dovecot.sh seed DIR USER FILE...            deliver FILEs into USER's INBOX (unseen)
#   dovecot.sh uidvalidity DIR USER             recreate USER's INBOX with a new UIDVALIDITY
#
# DIR must sit under /tmp (Dovecot refuses mail access as root, so mail is
# owned by nobody, who must be able to traverse the path). The password of
# every user is "secret". DIR/ca.pem signs the server certificate (for
# 127.0.0.1 and localhost); DIR/wrong-ca.pem is an unrelated CA.
set -euo pipefail

cmd=${1:?usage: dovecot.sh start|stop|seed|uidvalidity DIR ...}
D=${2:?missing DIR}

certificates() {
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	openssl req -x509 "${ec[@]}" -days 30 -subj /CN=dmarcd-test-ca \
		-keyout "$D/ca-key.pem" -out "$D/ca.pem" 2>/dev/null
	openssl req -x509 "${ec[@]}" -days 30 -subj /CN=dmarcd-wrong-ca \
		-keyout "$D/wrong-ca-key.pem" -out "$D/wrong-ca.pem" 2>/dev/null
	openssl req "${ec[@]}" -subj /CN=localhost \
		-keyout "$D/key.pem" -out "$D/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$D/san.ext"
	openssl x509 -req -in "$D/server.csr" -CA "$D/ca.pem" -CAkey "$D/ca-key.pem" \
		-CAcreateserial -days 30 -extfile "$D/san.ext" -out "$D/cert.pem" 2>/dev/null
}

config() {
	cat >"$D/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
ssl = yes
ssl_cert = <$D/cert.pem
ssl_key = <$D/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$D/mail/%u/Maildir
mail_uid = nobody
mail_gid = nogroup
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = home=$D/mail/%u
}
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $1
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $2
    ssl = yes
  }
}
EOF
}

maildir() {
	install -d -o nobody -g nogroup "$D/mail/$1" "$D/mail/$1/Maildir" \
		"$D/mail/$1/Maildir/new" "$D/mail/$1/Maildir/cur" "$D/mail/$1/Maildir/tmp"
}

case $cmd in
start)
	imap=${3:?missing IMAP_PORT}
	imaps=${4:?missing IMAPS_PORT}
	mkdir -p "$D/run" "$D/state"
	install -d -o nobody -g nogroup "$D/mail"
	[[ -f $D/cert.pem ]] || certificates
	config "$imap" "$imaps"
	doveconf -c "$D/dovecot.conf" -n >/dev/null
	# The daemon must hold none of the caller's descriptors (its stdout, a
	# test runner's pipes) open: they would outlive the caller.
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			((fd > 2 && fd != 255)) && eval "exec $fd>&-"
		done
		exec dovecot -c "$D/dovecot.conf" </dev/null >/dev/null 2>&1
	)
	for _ in $(seq 500); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$imap") 2>/dev/null; then
			exit 0
		fi
		sleep 0.01
	done
	echo "dovecot.sh: dovecot did not open port $imap" >&2
	exit 1
	;;
stop)
	[[ -f $D/run/master.pid ]] || exit 0
	pid=$(cat "$D/run/master.pid")
	kill -TERM "$pid" 2>/dev/null || exit 0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.05
	done
	;;
seed)
	user=${3:?missing USER}
	shift 3
	maildir "$user"
	n=0
	for f in "$@"; do
		n=$((n + 1))
		install -o nobody -g nogroup -m 600 "$f" \
			"$D/mail/$user/Maildir/new/$(date +%s).M${n}P$$.seed"
	done
	;;
uidvalidity)
	user=${3:?missing USER}
	# Maildir keeps UIDVALIDITY in dovecot-uidlist: dropping it (and the
	# index) makes Dovecot give every mail a new UID under a new UIDVALIDITY.
	box="$D/mail/$user/Maildir"
	rm -f "$box/dovecot-uidlist" "$box"/dovecot.index*
	for f in "$box"/cur/*; do
		[[ -e $f ]] || continue
		name=${f##*/}
		mv "$f" "$box/new/${name%%:2,*}"
	done
	# UIDVALIDITY is the creation time in seconds: make sure it changes.
	sleep 1.1
	;;
*)
	echo "dovecot.sh: unknown command $cmd" >&2
	exit 2
	;;
esac
