#!/bin/bash
# Tresor test bed: a private Cyrus IMAP 3.6 on 127.0.0.1:2143 (STARTTLS) / 2993 (IMAPS),
# from ../shared/reference/mail-testbed/cyrus/setup-cyrus.sh.
# Usage: cyrus.sh ROOTDIR IMAPD TLSDIR   (TLSDIR: the Dovecot test bed's tls/, same CA)
# cyrus-imapd conflicts with dovecot-imapd as a package, so its imapd is extracted from the
# .deb (xtask does that); cyrus-common provides master and the databases.
set -euo pipefail
R=$(realpath -m "$1")
IMAPD=$2
TLSSRC=$3
mkdir -p "$R"/{lib,spool,run,tls,log}
mkdir -p "$R"/lib/{socket,proc,lock,db,log,msg,user,quota,sieve}
cp "$TLSSRC"/server.pem "$TLSSRC"/server.key "$TLSSRC"/ca.pem "$R/tls/"
cat > "$R/imapd.conf" <<C
configdirectory: $R/lib
partition-default: $R/spool
defaultpartition: default
servername: localhost
admins: archiver
proxyservers: archiver
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $R/sasldb2
sasl_mech_list: PLAIN LOGIN CRAM-MD5
allowplaintext: yes
unixhierarchysep: yes
altnamespace: yes
virtdomains: off
autocreate_quota: 0
autocreate_inbox_folders: Sent | Trash | Junk | Archive
autocreate_subscribe_folders: Sent | Trash | Junk | Archive
xlist-sent: Sent
xlist-trash: Trash
xlist-junk: Junk
xlist-archive: Archive
tls_server_cert: $R/tls/server.pem
tls_server_key: $R/tls/server.key
lmtpsocket: $R/lib/socket/lmtp
idlesocket: $R/lib/socket/idle
notifysocket: $R/lib/socket/notify
proc_path: $R/lib/proc
mboxname_lockpath: $R/lib/lock
sievedir: $R/lib/sieve
syslog_prefix: tresor-cyrus
C
cat > "$R/cyrus.conf" <<C
START {
  recover cmd="/usr/lib/cyrus/bin/ctl_cyrusdb -C $R/imapd.conf -r"
}
SERVICES {
  imap  cmd="$IMAPD -C $R/imapd.conf" listen="127.0.0.1:2143" prefork=1
  imaps cmd="$IMAPD -s -C $R/imapd.conf" listen="127.0.0.1:2993" prefork=0
}
EVENTS {
  checkpoint cmd="/usr/lib/cyrus/bin/ctl_cyrusdb -C $R/imapd.conf -c" period=30
}
C
for u in alice:alicepw bob:bobpw archiver:masterpw; do
  echo -n "${u#*:}" | saslpasswd2 -p -c -f "$R/sasldb2" -u localhost "${u%%:*}"
done
chown -R cyrus:mail "$R"; chmod 0640 "$R/sasldb2"
runuser -u cyrus -- /usr/lib/cyrus/bin/master -C "$R/imapd.conf" -M "$R/cyrus.conf" -p "$R/run/master.pid" -d </dev/null >>"$R/log/master.out" 2>&1
for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/2993) 2>/dev/null && break; sleep 0.1; done
echo "cyrus started: $R (stop: kill \$(cat $R/run/master.pid))"
