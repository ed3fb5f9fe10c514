#!/bin/bash
# make install / uninstall: the tree, the configuration kept, the man pages
# rendered, the systemd units verified, and the units' command line run the
# way systemd runs it (the listening socket as standard input).
# shellcheck shell=bash
# alone (prove, ./t_85_install.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
shared_stack main || return # (its configuration and secret, for the installed units)
section "make install DESTDIR=..."
I="$T/destdir"
out=$(make -s -C "$GW_TOP" install DESTDIR="$I" BUILD="${GW_BUILD:-build}" 2>&1); rc=$?
expect_eq "make install: exit 0" "$rc" 0
for f in usr/local/lib/gwauth/authorizer usr/local/lib/gwauth/logout usr/local/sbin/gwauth-migrate \
    usr/local/sbin/gwauth-admin usr/local/share/man/man8/gwauth-admin.8 \
    usr/local/share/gwauth/sql/001_base.sql usr/local/share/gwauth/sql/002_leases.sql usr/local/share/man/man8/gwauth-authorizer.8 \
    usr/local/share/man/man8/gwauth-logout.8 usr/local/share/man/man5/gwauth.json.5 \
    usr/local/share/man/man8/gwauth-migrate.8 usr/local/share/doc/gwauth/lighttpd.conf.example \
    usr/local/share/doc/gwauth/apache2.conf.example usr/local/share/doc/gwauth/examples/authelia.json \
    usr/local/lib/systemd/system/gwauth-authorizer.socket usr/local/lib/systemd/system/gwauth-authorizer.service \
    usr/local/lib/systemd/system/gwauth-logout.socket usr/local/lib/systemd/system/gwauth-logout.service \
    usr/local/sbin/gwauth-jwks-fetch usr/local/lib/systemd/system/gwauth-jwks.service \
    usr/local/lib/systemd/system/gwauth-jwks.timer etc/gwauth/gwauth.json etc/gwauth/fastcgi.secret \
    usr/local/share/gwauth/lighttpd-strip-secret.lua usr/local/share/gwauth/lighttpd-header-guard.lua \
    usr/local/share/gwauth/lighttpd-proxy-headers.lua usr/local/share/gwauth/gwauth_assertion.py \
    usr/local/share/doc/gwauth/examples/lighttpd-proxy.conf usr/local/share/doc/gwauth/examples/apache2-proxy.conf \
    usr/local/share/doc/gwauth/nginx.conf.example; do
    [ -f "$I/$f" ] && ok "installed $f" || fail "installed $f"
done
expect_eq "configuration is not world-readable" "$(stat -c %a "$I/etc/gwauth/gwauth.json")" 640
expect_eq "a secret is generated, readable by its owner only" "$(stat -c %a "$I/etc/gwauth/fastcgi.secret")" 600
expect_eq "...one that gwauth accepts (64 hex digits)" "$(grep -cE '^[0-9a-f]{64}$' "$I/etc/gwauth/fastcgi.secret")" 1
S1=$(cat "$I/etc/gwauth/fastcgi.secret")
expect_has "units point at the installed programs" "$(cat "$I/usr/local/lib/systemd/system/gwauth-authorizer.service")" \
    "ExecStart=/usr/local/lib/gwauth/authorizer -c /etc/gwauth/gwauth.json --workers 4"
echo '{"log": {"level": "debug"}}' >"$I/etc/gwauth/gwauth.json"
make -s -C "$GW_TOP" install DESTDIR="$I" BUILD="${GW_BUILD:-build}" >/dev/null 2>&1
expect_eq "installing again keeps the configuration" "$(cat "$I/etc/gwauth/gwauth.json")" '{"log": {"level": "debug"}}'
expect_eq "...and the secret" "$(cat "$I/etc/gwauth/fastcgi.secret")" "$S1"
expect_eq "installed program runs" "$("$I/usr/local/lib/gwauth/authorizer" --version)" "gwauth-authorizer $(sed -n 's/#define GWAUTH_VERSION "\(.*\)"/\1/p' "$GW_TOP/include/gwauth.h")"
for m in man8/gwauth-authorizer.8 man8/gwauth-logout.8 man5/gwauth.json.5 man8/gwauth-migrate.8 man8/gwauth-admin.8; do
    page=$(MANWIDTH=80 man -l "$I/usr/local/share/man/$m" 2>"$T/man.err")
    if printf '%s' "$page" | grep -q "^NAME" && [ ! -s "$T/man.err" ]; then ok "man -l renders $m"; else fail "man -l renders $m" "$(cat "$T/man.err")"; fi
done
make -s -C "$GW_TOP" uninstall DESTDIR="$I" >/dev/null 2>&1
expect_eq "make uninstall removes everything but the configuration (and its secret)" \
    "$(cd "$I" && find . -type f | sort | tr '\n' ' ')" "./etc/gwauth/fastcgi.secret ./etc/gwauth/gwauth.json "

section "installed under a prefix: units verified and run as systemd would"
P="$T/prefix"
make -s -C "$GW_TOP" install PREFIX="$P/usr" SYSCONFDIR="$P/etc" BUILD="${GW_BUILD:-build}" >/dev/null 2>&1
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$P"/usr/lib/systemd/system/gwauth-*.service \
    "$P"/usr/lib/systemd/system/gwauth-*.socket "$P"/usr/lib/systemd/system/gwauth-*.timer 2>&1); rc=$?
expect_eq "systemd-analyze verify accepts the units" "$rc:$out" "0:"
expect_has "the key refresh runs the installed gwauth-jwks-fetch" \
    "$(cat "$P/usr/lib/systemd/system/gwauth-jwks.service")" \
    "ExecStart=$P/usr/sbin/gwauth-jwks-fetch -q -f $P/etc/gwauth/jwks.url $P/etc/gwauth/jwks.json"

section "gwauth-jwks-fetch: atomic, only on change, never a bad document"
F="$T/fetch"
mkdir -p "$F"
FETCH="$P/usr/sbin/gwauth-jwks-fetch"
printf '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}\n' >"$F/served.json"
echo "file://$F/served.json" >"$F/jwks.url"
out=$("$FETCH" -f "$F/jwks.url" "$F/jwks.json" 2>&1); rc=$?
expect_eq "first fetch: exit 0" "$rc" 0
expect_has "...says it updated the file" "$out" "updated"
expect_eq "...with the served document" "$(cat "$F/jwks.json")" "$(cat "$F/served.json")"
expect_eq "...readable by the gwauth user (644)" "$(stat -c %a "$F/jwks.json")" 644
m1=$(stat -c %Y.%i "$F/jwks.json")
sleep 1.1
out=$("$FETCH" -f "$F/jwks.url" "$F/jwks.json" 2>&1)
expect_has "the same document again: unchanged" "$out" "unchanged"
expect_eq "...the file is not touched (the authorizers re-read nothing)" "$(stat -c %Y.%i "$F/jwks.json")" "$m1"
printf '<html>login page</html>\n' >"$F/served.json"
out=$("$FETCH" "file://$F/served.json" "$F/jwks.json" 2>&1); rc=$?
expect_eq "a document that is not a JWKS: exit 1" "$rc" 1
expect_has "...says so" "$out" "did not answer a JWKS"
expect_eq "...and the file is left as it was" "$(stat -c %Y.%i "$F/jwks.json")" "$m1"
for bad in '{"keys":[]}' '<html><p>Your "keys" are safe with us</p></html>' \
    '{"keys":[{"kty":"RSA","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}]}' '{"keys":{}}'; do
    printf '%s\n' "$bad" >"$F/served.json"
    out=$("$FETCH" "file://$F/served.json" "$F/jwks.json" 2>&1); rc=$?
    expect_eq "a document the authorizer would refuse ($(printf '%s' "$bad" | head -c 32)...): exit 1, file kept" \
        "$rc:$(stat -c %Y.%i "$F/jwks.json")" "1:$m1"
done
expect_has "...with the authorizer's own reason" "$out" "keys"
out=$("$FETCH" "file://$F/nowhere.json" "$F/jwks.json" 2>&1); rc=$?
expect_eq "an address that does not answer: exit 1, file kept" "$rc:$(stat -c %Y.%i "$F/jwks.json")" "1:$m1"
out=$("$FETCH" "http://127.0.0.1/jwks.json" "$F/jwks.json" 2>&1); rc=$?
expect_eq "plain http is refused (keys must not travel in clear)" "$rc" 2
expect_eq "no temporary file left behind" "$(find "$F" -name 'jwks.json.*' | wc -l)" 0
# the test database, migrated from the tree by db_up
out=$("$P/usr/sbin/gwauth-migrate" -q -d "$DB_NAME" --socket="$DB_DIR/mysql.sock" -u"$(id -un)" 2>&1)
expect_has "installed gwauth-migrate finds the installed migrations" "$out" "already applied"
cp "$T/main/gwauth.json" "$P/etc/gwauth/gwauth.json"
cmd=$(sed -n 's/^ExecStart=//p' "$P/usr/lib/systemd/system/gwauth-authorizer.service")
S="$T/svc"
mkdir -p "$S"
# spawn-fcgi -n: no fork, the listening socket on standard input, exactly
# like StandardInput=socket with Accept=no.
# shellcheck disable=SC2086
spawn-fcgi -n -s "$S/authz.sock" -- $cmd -l "$S/authz.log" &
SVC=$!
for i in $(seq 1 50); do [ "$(pgrep -P $SVC | wc -l)" = 4 ] && break; sleep 0.1; done
expect_eq "the unit's ExecStart starts 4 workers on the inherited socket" "$(pgrep -P $SVC | wc -l)" 4
site_start "$S" "$S/authz.sock" "$T/main/fastcgi.secret" || fail "service: lighttpd"
whoami "$ALICE2"
expect_has "...and serves requests" "$BODY" "REMOTE_USER=alice-1"
kill -HUP $SVC
sleep 0.3
whoami "$ALICE2"
expect_has "ExecReload (SIGHUP) keeps serving" "$BODY" "REMOTE_USER=alice-1"
gw_stop_pidfile "$S/lighttpd.pid"
kill -TERM $SVC
wait $SVC; rc=$?
expect_eq "systemctl stop (SIGTERM): exit 0, no worker left" "$rc:$(pgrep -f "$S/authz.log" | wc -l)" "0:0"
