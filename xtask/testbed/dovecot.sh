#!/bin/bash
# Tresor test bed: a private Dovecot on loopback (from ../shared/reference/mail-testbed/dovecot/setup.sh).
# Usage: setup.sh ROOTDIR   -> creates certs, users, config under ROOTDIR and starts a private dovecot.
# Ports: IMAP 1143 (STARTTLS), IMAPS 1993, POP3 1110 (STLS), POP3S 1995. OAuth2 introspection at 127.0.0.1:18080.
# PORT_OFFSET=n moves the four ports up by n, so a second instance (the benchmark's) can run beside the test bed.
set -euo pipefail
PORT_OFFSET=${PORT_OFFSET:-0}
R=$(realpath -m "${1:-/tmp/mail-testbed/dc}")
MAILUID=${MAILUID:-5000}
mkdir -p "$R"/{run,state,log,mail,tls}
# --- TLS: tiny CA + leaf (rustls/webpki rejects a CA:TRUE self-signed cert used as end-entity)
if [ ! -f "$R/tls/server.pem" ]; then
  cd "$R/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Test CA" -keyout ca.key -out ca.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile ext.cnf -out server.pem 2>/dev/null
  cd - >/dev/null
fi
# --- users: user:{SCHEME}password:uid:gid::home::extra
cat > "$R/users" <<U
alice:{PLAIN}alicepw:$MAILUID:$MAILUID::$R/mail/alice::
bob:{PLAIN}bobpw:$MAILUID:$MAILUID::$R/mail/bob::
carol:{PLAIN}carolpw:$MAILUID:$MAILUID::$R/mail/carol::
U
for i in $(seq 1 10); do echo "user$i:{PLAIN}pass$i:$MAILUID:$MAILUID::$R/mail/user$i::" >> "$R/users"; done
# POP3 reads only the inbox: each POP3 test has a maildrop of its own.
for i in $(seq 1 8); do echo "pop$i:{PLAIN}pop${i}pw:$MAILUID:$MAILUID::$R/mail/pop$i::" >> "$R/users"; done
cat > "$R/master-users" <<U
archiver:{PLAIN}masterpw
U
chown -R $MAILUID:$MAILUID "$R/mail"
chmod 0755 "$R" "$R/mail"
cat > "$R/oauth2.conf.ext" <<O
introspection_mode = post
introspection_url = http://127.0.0.1:18080/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
O
cat > "$R/dovecot.conf" <<C
instance_name = testbed-dovecot
base_dir = $R/run
state_dir = $R/state
log_path = $R/log/dovecot.log
protocols = imap pop3
listen = 127.0.0.1, ::1
# run as root; mail processes get uid $MAILUID (no /etc/passwd entry needed)
first_valid_uid = 1000
first_valid_gid = 1000
ssl = yes
ssl_cert = <$R/tls/server.pem
ssl_key = <$R/tls/server.key
# allow LOGIN/PLAIN without TLS on 1143 (tests); STARTTLS still offered
disable_plaintext_auth = no
# apop: POP3's APOP (the greeting then carries its timestamp)
auth_mechanisms = plain login cram-md5 apop oauthbearer xoauth2
auth_master_user_separator = *
auth_verbose = yes
# default 2s delay after each failed auth would slow negative tests
auth_failure_delay = 0
mail_location = maildir:~/Maildir
# tests need no durability: without this, bulk loads are ~10x slower (fsync per message)
mail_fsync = never
mail_max_keyword_length = 200
mail_plugins = \$mail_plugins
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \Archive
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
}
# OAuth2 (XOAUTH2 / OAUTHBEARER) -> token introspection on loopback
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $R/oauth2.conf.ext
}
# master users: "alice*archiver" login, or SASL PLAIN authzid=alice authcid=archiver
passdb {
  driver = passwd-file
  mechanisms = plain login cram-md5
  master = yes
  pass = yes
  args = scheme=PLAIN username_format=%u $R/master-users
}
passdb {
  driver = passwd-file
  mechanisms = plain login cram-md5 apop
  args = scheme=PLAIN username_format=%u $R/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $R/users
}
service imap-login {
  inet_listener imap {
    port = $((1143 + PORT_OFFSET))
  }
  inet_listener imaps {
    port = $((1993 + PORT_OFFSET))
    ssl = yes
  }
  # high-performance mode for benchmarks
  service_count = 0
}
service pop3-login {
  inet_listener pop3 {
    port = $((1110 + PORT_OFFSET))
  }
  inet_listener pop3s {
    port = $((1995 + PORT_OFFSET))
    ssl = yes
  }
}
service imap {
  process_limit = 256
}
protocol imap {
  mail_max_userip_connections = 100
}
C
doveconf -n -c "$R/dovecot.conf" >/dev/null
# redirect stdio: dovecot's master/log processes keep an inherited stderr open forever
# (a CI step like `setup.sh | tee` would otherwise never finish)
if ! dovecot -c "$R/dovecot.conf" </dev/null >>"$R/log/startup.log" 2>&1; then cat "$R/log/startup.log" >&2; exit 1; fi
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$((1143 + PORT_OFFSET))) 2>/dev/null && break; sleep 0.1; done
echo "dovecot started: $R (stop: doveadm -c $R/dovecot.conf stop)"
