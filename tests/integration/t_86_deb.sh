#!/bin/bash
# make deb: the Debian package builds, lintian finds no error, and the
# package installed on this machine (dpkg -i, as root) serves one request
# with the documented layout: the gwauth user, /etc/gwauth root:gwauth
# 0640, sockets and counters in /run/gwauth, logs in /var/log/gwauth;
# purge removes it. Skipped (not passed) where it cannot run: without root,
# or where gwauth is already installed from elsewhere.
# shellcheck shell=bash
# alone (prove, ./t_86_deb.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
section "make deb: build, lintian, install, one request, purge"
if [ "$(id -u)" != 0 ]; then
    skip "the package test installs with dpkg -i: needs root"
    return 0
fi
if dpkg-query -W -f='${Status}' gwauth 2>/dev/null | grep -q installed; then
    skip "gwauth is installed on this machine already: the package test does not touch it"
    return 0
fi
out=$(make -s -C "$GW_TOP" deb BUILD="${GW_BUILD:-build}" 2>&1); rc=$?
expect_eq "make deb: exit 0 (lintian: no error)" "$rc" 0
[ "$rc" = 0 ] || { tap_diag "$(printf '%s\n' "$out" | tail -20)"; return 0; }
expect_hasnt "...and no lintian warning" "$(printf '%s\n' "$out" | grep '^W: ')" "W: "
DEB=$(ls "$GW_TOP/${GW_BUILD:-build}"/deb/gwauth_*_"$(dpkg --print-architecture)".deb)
contents=$(dpkg -c "$DEB")
for f in ./usr/lib/gwauth/authorizer ./usr/lib/gwauth/logout ./usr/sbin/gwauth-admin ./usr/sbin/gwauth-migrate \
    ./usr/sbin/gwauth-jwks-fetch ./usr/share/man/man8/gwauth-admin.8.gz ./usr/share/man/man5/gwauth.json.5.gz \
    ./lib/systemd/system/gwauth-authorizer.socket ./usr/lib/tmpfiles.d/gwauth.conf ./etc/logrotate.d/gwauth \
    ./usr/share/doc/gwauth/SECURITY.md.gz ./usr/share/doc/gwauth/lighttpd.conf.example ./etc/gwauth/gwauth.json \
    ./usr/share/gwauth/sql/001_base.sql; do
    expect_has "the package holds $f" "$contents" " $f"
done
expect_hasnt "...no FastCGI secret: each machine makes its own" "$contents" "fastcgi.secret"

PKG="$T/pkg"
mkdir -p "$PKG"
pkg_cleanup() {
    local f
    for f in "$PKG"/*.pids; do [ -f "$f" ] && kill $(cat "$f") 2>/dev/null; done
    gw_stop_pidfile "$PKG/site/lighttpd.pid" 2>/dev/null
    dpkg --purge gwauth >"$PKG/purge.out" 2>&1
}
out=$(DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" 2>&1); rc=$?
expect_eq "dpkg -i: exit 0" "$rc" 0
[ "$rc" = 0 ] || { tap_diag "$(printf '%s\n' "$out" | tail -20)"; pkg_cleanup; return 0; }
expect_eq "postinst: the gwauth system user" "$(getent passwd gwauth | cut -d: -f7)" "/usr/sbin/nologin"
expect_eq "...the configuration root:gwauth 0640" "$(stat -c '%U:%G %a' /etc/gwauth/gwauth.json)" "root:gwauth 640"
expect_eq "...a secret of this machine, root:gwauth 0640" "$(stat -c '%U:%G %a' /etc/gwauth/fastcgi.secret)" "root:gwauth 640"
expect_eq "...that gwauth accepts (64 hex digits)" "$(grep -cE '^[0-9a-f]{64}$' /etc/gwauth/fastcgi.secret)" 1
expect_eq ".../run/gwauth for the sockets and counters" "$(stat -c '%U:%G %a' /run/gwauth)" "gwauth:www-data 750"
expect_eq ".../var/log/gwauth" "$(stat -c '%U %a' /var/log/gwauth)" "gwauth 2750"
expect_has "the man pages are found" "$(man -w gwauth-admin 2>&1)" "/usr/share/man/man8/gwauth-admin.8.gz"

# The package's layout, as the README's service section has it: the
# configuration (with the test database) replaces the example, the
# programs run as gwauth under spawn-fcgi, lighttpd as the web server.
(umask 027; printf '%s\n' "$DB_PASS" >/etc/gwauth/db.password)
chgrp gwauth /etc/gwauth/db.password
cat >/etc/gwauth/gwauth.json <<JSON
{ "database": { "host": "127.0.0.1", "port": $DB_PORT, "user": "$DB_USER",
                "password_file": "/etc/gwauth/db.password", "name": "$DB_NAME" },
  "fastcgi": { "secret_file": "/etc/gwauth/fastcgi.secret" },
  "session": { "enabled": true, "secure": false } }
JSON
out=$(runuser -u gwauth -- /usr/lib/gwauth/authorizer --check-config 2>&1); rc=$?
expect_eq "as gwauth: --check-config reads the configuration, the password and the secret: OK" "$rc $out" "0 OK"
spawn-fcgi -s /run/gwauth/authorizer.sock -M 0660 -U www-data -G www-data -u gwauth -g gwauth -F 2 \
    -P "$PKG/authz.pids" -- /usr/lib/gwauth/authorizer -l /var/log/gwauth/authorizer.log >/dev/null 2>&1
expect_eq "spawn-fcgi -u gwauth -g gwauth: the authorizer started" "$?" 0
spawn-fcgi -s /run/gwauth/logout.sock -M 0660 -U www-data -G www-data -u gwauth -g gwauth -F 1 \
    -P "$PKG/logout.pids" -- /usr/lib/gwauth/logout -l /var/log/gwauth/logout.log >/dev/null 2>&1
expect_eq "...and the responder" "$?" 0
mkdir -p "$PKG/site/www/app"
cp "$GW_TOP/tests/integration/whoami.cgi" "$PKG/site/www/app/whoami"
PORT=$(gw_free_port)
gw_lighttpd_conf "$PKG/site/lighttpd.conf" "$PORT" "$PKG/site/www" "$PKG/site" /run/gwauth/authorizer.sock \
    /run/gwauth/logout.sock /etc/gwauth/fastcgi.secret
gw_lighttpd_start "$PKG/site/lighttpd.conf" "$PKG/site" "$PORT"
req -H "X-Userinfo: $(b64 '{"sub":"pkg-user","email":"pkg@example.org"}')" "$(url /app/whoami)"
expect_eq "one request through the installed package: 200" "$STATUS" 200
expect_has "...the application sees the user" "$BODY" "REMOTE_USER=pkg-user"
req "$(url /gwauth/health)"
expect_eq "...the responder's health check" "$STATUS $BODY" '200 {"status":"ok"}'
req "$(url /gwauth/metrics)"
expect_has "...the counters shared in /run/gwauth" "$BODY" "gwauth_metrics_shared 1"
expect_eq "...the counters' file belongs to gwauth" "$(stat -c %U /run/gwauth/metrics)" gwauth
expect_has "the log is written in /var/log/gwauth" "$(cat /var/log/gwauth/authorizer.log)" "event=user_created"
expect_eq "gwauth-admin reads the same configuration" \
    "$(gwauth-admin --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["database"])')" ok

rm -f /etc/gwauth/db.password # the operator's own file; purge removes the logs
pkg_cleanup
expect_eq "dpkg --purge: exit 0" "$(grep -c 'Purging configuration files for gwauth' "$PKG/purge.out")" 1
expect_eq "...the programs are gone" "$(ls /usr/lib/gwauth /usr/sbin/gwauth-admin 2>/dev/null | wc -l)" 0
expect_eq "...the configuration, secret and logs too" "$(ls -d /etc/gwauth /var/log/gwauth 2>/dev/null | wc -l)" 0
