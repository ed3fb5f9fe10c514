#!/bin/bash
# The FastCGI sockets are a trust boundary (SECURITY.md): only the web
# server, proven by the shared secret (fastcgi.secret_file) and, on unix
# sockets, by its uid (fastcgi.peer_uids), gets an identity, a session or a
# user write out of gwauth. The attacker is any local process that can
# connect to a socket: it speaks FastCGI itself (tests/fcgiclient).
# shellcheck shell=bash
# alone (prove, ./t_12_caller.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
stack_start caller '{"session": {"enabled": true, "secure": false}, "groups": {"sync": "create"},
  "access": {"rules": [{"prefix": "/admin/", "groups_any": ["admins"]}]}}' 2 || return
CALLER=$PORT
d="$T/caller"
FC="$GW_BIN/tests/fcgiclient"
SECRET=$(cat "$d/fastcgi.secret")
mkdir -p "$d/www/app/env"
cp "$GW_TOP/tests/integration/env.cgi" "$d/www/app/env/whoami"
mkdir -p "$d/www/admin" && echo "ADMIN AREA" >"$d/www/admin/index.html"

section "through lighttpd, the web server proves itself"
VICTIM=$(b64 '{"sub":"victim-1","email":"victim@example.org","groups":["admins"]}')
whoami "$VICTIM"
expect_eq "a request through lighttpd: 200" "$STATUS" 200
expect_has "...REMOTE_USER reaches the application" "$BODY" "REMOTE_USER=victim-1"
expect_hasnt "...GWAUTH_SECRET does not" "$BODY" "GWAUTH_SECRET"
req -H "X-Userinfo: $VICTIM" "$(url /app/env/whoami)"
expect_has "the whole environment of a CGI" "$BODY" "REMOTE_USER=victim-1"
expect_hasnt "...never holds the secret's value" "$BODY" "$SECRET"
VID=$(sqlv "SELECT id FROM users WHERE global_id='victim-1'")
expect_ne "the victim exists" "$VID" ""

# fc_authz ARGS...: a forged AUTHORIZER request to the stack's socket.
fc_authz() { "$FC" "unix:$d/authz.sock" REQUEST_METHOD=GET REQUEST_URI=/app/whoami REMOTE_ADDR=127.0.0.1 "$@"; }
FORGED=$(b64 '{"sub":"victim-1","email":"pwned@evil.example","groups":["admins"]}')

section "a forged FastCGI client on the authorizer's socket"
for variant in "no secret|" "a wrong secret|GWAUTH_SECRET=0000000000000000000000000000000000000000000000000000000000000000" \
    "the secret's first half|GWAUTH_SECRET=${SECRET:0:32}" "an empty secret|GWAUTH_SECRET="; do
    label=${variant%%|*} arg=${variant#*|}
    before=$(writes)
    # shellcheck disable=SC2086
    out=$(fc_authz "HTTP_X_USERINFO=$FORGED" $arg)
    expect_has "$label: 403 untrusted_caller" "$out" '{"error":"untrusted_caller"}'
    expect_hasnt "...$label: no Variable- line" "$out" "Variable-"
    expect_eq "...$label: no row written" "$(writes)" "$before"
done
out=$(fc_authz "HTTP_X_USERINFO=$FORGED" "GWAUTH_SECRET=$SECRET" "GWAUTH_SECRET=$SECRET")
expect_has "the secret sent twice: 403 untrusted_caller" "$out" '{"error":"untrusted_caller"}'
expect_eq "the victim's email is unchanged" "$(sqlv "SELECT email FROM users WHERE id=$VID")" "victim@example.org"
log=$(cat "$d/authz.log")
line=$(grep -F 'code=untrusted_caller reason="no secret"' <<<"$log" | head -1)
expect_has "each refusal is logged with the peer" "$line" 'peer="uid='
expect_has "...with the request's method, path and client" "$line" 'method=GET path="/app/whoami" client=127.0.0.1 '
expect_has "...and says when the secret was wrong" "$log" 'reason="wrong secret"'
expect_hasnt "...never with the secret" "$log" "$SECRET"
expect_hasnt "...never with the forged identity" "$log" "pwned"
out=$(fc_authz "HTTP_X_USERINFO=$VICTIM" "GWAUTH_SECRET=$SECRET")
expect_has "with the secret, the same client is the web server: 200" "$out" "Status: 200"
out=$(fc_authz "HTTP_X_USERINFO=$VICTIM" "HTTP_X_USERINFO=$FORGED" "GWAUTH_SECRET=$SECRET")
expect_has "the identity variable twice (what lighttpd makes of X_Userinfo): 400" "$out" '{"error":"duplicate_identity_header"}'
expect_hasnt "...no Variable- line" "$out" "Variable-"

section "a forged FastCGI client on the responder's socket"
nsess=$(sqlv "SELECT COUNT(*) FROM sessions")
out=$("$FC" --role responder "unix:$d/logout.sock" REQUEST_METHOD=GET REQUEST_URI=/establish_session "GWAUTH_USER_ID=$VID" GWAUTH_SOURCE=header)
expect_has "a session for the victim's id, without the secret: 403 untrusted_caller" "$out" '{"error":"untrusted_caller"}'
expect_hasnt "...no cookie" "$out" "Set-Cookie"
expect_eq "...no session row" "$(sqlv "SELECT COUNT(*) FROM sessions")" "$nsess"
expect_has "...logged by the responder" "$(cat "$d/logout.log")" "code=untrusted_caller"
out=$("$FC" --role responder "unix:$d/logout.sock" REQUEST_METHOD=GET REQUEST_URI=/applogout "GWAUTH_SECRET=bad")
expect_has "a logout with a wrong secret: 403" "$out" '{"error":"untrusted_caller"}'

section "without a secret (fastcgi not configured), the same attack works: what the secret closes"
stack_start open '{"session": {"enabled": true, "secure": false}, "fastcgi": {}}' 1 || return
o="$T/open"
out=$("$FC" --role responder "unix:$o/logout.sock" REQUEST_METHOD=GET REQUEST_URI=/establish_session "GWAUTH_USER_ID=$VID" GWAUTH_SOURCE=header)
expect_has "no secret configured: a forged client gets a session cookie for any user id" "$out" "Set-Cookie: gwauth_session="
stolen=$(printf '%s\n' "$out" | tr -d '\r' | sed -n 's/^Set-Cookie: gwauth_session=\([^;]*\).*/\1/p')
PORT=$CALLER
req -b "gwauth_session=$stolen" "$(url /admin/)"
expect_eq "...and that cookie opens /admin/ on every front-end of the database" "$STATUS" 200
sqlv "DELETE FROM sessions WHERE user_id=$VID"
chk=$("$GW_BIN/authorizer" -c "$o/gwauth.json" --check-config 2>&1)
expect_has "--check-config warns when neither secret_file nor peer_uids is set" "$chk" "warning: fastcgi: neither secret_file nor peer_uids"
chk=$("$GW_BIN/authorizer" -c "$d/gwauth.json" --check-config 2>&1)
expect_eq "...and is quiet with a secret" "$chk" "OK"

section "as another local user, over unix and TCP sockets"
U="$T/users"
mkdir -p "$U"
chmod 755 "$T" "$U"
sed "s|\"secret_file\": \"[^\"]*\"|\"secret_file\": \"$d/fastcgi.secret\", \"peer_uids\": [0]|" "$d/gwauth.json" >"$U/uids.json"
grep -q '"peer_uids": \[0\]' "$U/uids.json" || fail "peer_uids configuration"
TP=$(gw_free_port)
# umask 000: sockets that every local user may connect to
(umask 000; exec "$GW_BIN/authorizer" -c "$d/gwauth.json" -s "unix:$U/secret.sock" -l "$U/secret.log") &
P1=$!
(umask 000; exec "$GW_BIN/authorizer" -c "$U/uids.json" -s "unix:$U/uids.sock" -l "$U/uids.log") &
P2=$!
"$GW_BIN/authorizer" -c "$d/gwauth.json" -s "tcp:127.0.0.1:$TP" -l "$U/tcp.log" &
P3=$!
"$GW_BIN/authorizer" -c "$U/uids.json" -s "tcp:127.0.0.1:$((TP + 1))" -l "$U/tcpuids.log" &
P4=$!
for i in $(seq 1 50); do [ -S "$U/secret.sock" ] && [ -S "$U/uids.sock" ] && gw_wait_port "$TP" 1 && break; sleep 0.1; done
gw_wait_port "$((TP + 1))" 5
asuser() { runuser -u nobody -- "$@"; }
before=$(writes)
out=$(asuser "$FC" "unix:$U/secret.sock" REQUEST_URI=/admin/ REMOTE_ADDR=127.0.0.1 "HTTP_X_USERINFO=$FORGED")
expect_has "user nobody, unix socket, no secret: 403 untrusted_caller" "$out" '{"error":"untrusted_caller"}'
out=$(asuser "$FC" "tcp:127.0.0.1:$TP" REQUEST_URI=/admin/ REMOTE_ADDR=127.0.0.1 "HTTP_X_USERINFO=$FORGED")
expect_has "user nobody, TCP, no secret: 403 untrusted_caller" "$out" '{"error":"untrusted_caller"}'
out=$("$FC" "tcp:127.0.0.1:$TP" REQUEST_URI=/admin/ REMOTE_ADDR=127.0.0.1 "HTTP_X_USERINFO=$FORGED")
expect_has "the web server's own user (root here), TCP, no secret: 403" "$out" '{"error":"untrusted_caller"}'
expect_has "...logged with the TCP peer's address" "$(cat "$U/tcp.log")" 'peer="addr=127.0.0.1:'
out=$(asuser "$FC" "unix:$U/uids.sock" REQUEST_URI=/admin/ REMOTE_ADDR=127.0.0.1 "HTTP_X_USERINFO=$FORGED" "GWAUTH_SECRET=$SECRET")
expect_has "peer_uids [0]: user nobody is refused before a byte is read, even with the secret" "$out" "closed after"
expect_has "...logged with its uid" "$(cat "$U/uids.log")" "reason=\"peer not in fastcgi.peer_uids\" peer=\"uid=$(id -u nobody) "
out=$("$FC" "unix:$U/uids.sock" REQUEST_URI=/app/whoami REMOTE_ADDR=127.0.0.1 "HTTP_X_USERINFO=$VICTIM" "GWAUTH_SECRET=$SECRET")
expect_has "peer_uids [0]: uid 0 with the secret is served" "$out" "Status: 200"
out=$("$FC" "tcp:127.0.0.1:$((TP + 1))" REQUEST_URI=/admin/ REMOTE_ADDR=127.0.0.1 "GWAUTH_SECRET=$SECRET")
expect_has "peer_uids set: a TCP peer has no uid to prove and is refused" "$out" "closed after"
expect_eq "nothing any of them sent was written" "$(writes)" "$before"
expect_eq "the victim's email is still unchanged" "$(sqlv "SELECT email FROM users WHERE id=$VID")" "victim@example.org"
kill "$P1" "$P2" "$P3" "$P4" 2>/dev/null
wait "$P1" "$P2" "$P3" "$P4" 2>/dev/null

section "a stalled or trickling peer costs at most fastcgi.receive_timeout_ms"
stack_start stall '{"fastcgi": {"receive_timeout_ms": 1000}}' 2 || return
s="$T/stall"
spids=()
for k in 1 2 3; do timeout 20 "$FC" --stall 9 "unix:$s/authz.sock" REQUEST_URI=/x >"$s/stall.$k" & spids+=($!); done
timeout 20 "$FC" --trickle 300 "unix:$s/authz.sock" REQUEST_URI=/x "GWAUTH_SECRET=$(cat "$s/fastcgi.secret")" >"$s/trickle" &
spids+=($!)
sleep 0.3
whoami "$(b64 '{"sub":"while-stalled"}')" --max-time 8
expect_eq "four stalled connections on two workers: a real request is still answered" "$STATUS" 200
wait "${spids[@]}"
expect_eq "...each stalled peer's connection was closed by gwauth, without a reply" \
    "$(cat "$s"/stall.* | grep -c '^closed after')" 3
expect_has "...and so was the trickling one" "$(cat "$s/trickle")" "closed after"
expect_has "...logged as request_timeout" "$(cat "$s/authz.log")" "event=request_timeout timeout_ms=1000"
for pid in $(stack_pids stall); do kill -0 "$pid" 2>/dev/null && ok "authorizer $pid alive after the stalls" || fail "authorizer $pid died"; done

section "a client's X_Userinfo, X.Userinfo, X~Userinfo never become the identity (lighttpd)"
PORT=$CALLER
ADMIN=$(b64 '{"sub":"victim-1","email":"victim@example.org"}')
for h in "X_Userinfo" "x_userinfo" "X_USERINFO" "X.Userinfo" "x.userinfo" "X~Userinfo" "X!Userinfo" "X+Userinfo"; do
    req -H "$h: $ADMIN" "$(url /app/whoami)"
    expect_eq "only '$h': no identity, 401" "$STATUS" 401
    req -H "X-Userinfo;" -H "$h: $ADMIN" "$(url /app/whoami)"
    expect_eq "an empty X-Userinfo and '$h': 401" "$STATUS" 401
done
req -H "X-Userinfo: $(b64 '{"sub":"real-one"}')" -H "X_Userinfo: $ADMIN" "$(url /app/whoami)"
expect_has "the gateway's X-Userinfo and a client's X_Userinfo: the gateway's wins" "$BODY" "REMOTE_USER=real-one"
