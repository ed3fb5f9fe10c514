#!/bin/bash
# Persistent sessions and the logout flow (README "How a request is decided", step 6; "Sessions"; "Logout"): the whole
# browser journey through lighttpd, the authorizer and the responder.
# shellcheck shell=bash
# alone (prove, ./t_20_sessions.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
# main: sessions off (t_10_core.sh's stack); sess: sessions on, a login
# redirect, the gateway's logout (harness.sh; t_60_redirect.sh uses it too)
shared_stack main || return
shared_stack sess || return

# cookie NAME: the value of Set-Cookie NAME from the last response
setcookie() { printf '%s\n' "$HEADERS" | grep "^Set-Cookie: $1=" | head -1; }

section "establish a session"
DAVE=$(b64 '{"sub":"dave-1","email":"dave@example.org","preferred_username":"dave"}')
rows0=$(sqlv "SELECT COUNT(*) FROM sessions")
req -H "X-Userinfo: $DAVE" "$(url '/establish_session?next=%2Fapp%2Fwhoami%3Fx%3D1')"
expect_eq "establish: 302" "$STATUS" 302
expect_eq "establish: to the validated next" "$(location)" "/app/whoami?x=1"
TOKEN=$(cookie gwauth_session)
expect_eq "establish: token is 43 URL-safe characters" "$(printf '%s' "$TOKEN" | grep -cE '^[A-Za-z0-9_-]{43}$')" 1
SC=$(setcookie gwauth_session)
expect_has "cookie is HttpOnly, Path=/" "$SC" "Path=/; Max-Age=3600; HttpOnly"
expect_has "cookie has SameSite per config" "$SC" "SameSite=Lax"
expect_hasnt "cookie not Secure when session.secure is false" "$SC" "Secure"
expect_has "establish: Cache-Control: no-store" "$HEADERS" "Cache-Control: no-store"
expect_eq "one session row more" "$(sqlv "SELECT COUNT(*) FROM sessions")" "$((rows0 + 1))"
expect_eq "only the SHA-256 of the token is stored" \
    "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$TOKEN', 256))")" 1
expect_eq "expiry set from ttl_seconds" \
    "$(sqlv "SELECT TIMESTAMPDIFF(SECOND, created_at, expires_at) FROM sessions WHERE token_hash = UNHEX(SHA2('$TOKEN', 256))")" 3600
req -H "X-Userinfo: $DAVE" "$(url '/establish_session?next=//evil.example')"
expect_eq "establish: unsafe next becomes the default destination" "$(location)" "/app/"
T2=$(cookie gwauth_session)
expect_ne "each establish issues a new token" "$T2" "$TOKEN"
req -H "X-Userinfo: $DAVE" -H "Cookie: gwauth_session=$T2" "$(url /establish_session)"
T3=$(cookie gwauth_session)
expect_eq "establishing again replaces the browser's old session" \
    "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash IN (UNHEX(SHA2('$T2', 256)), UNHEX(SHA2('$T3', 256)))")" 1
expect_deny "establish without identity: the authorizer says 302 to login" 302 unauthenticated "$(url /establish_session)"
expect_eq "...with next= the original request" "$(location)" "/login?next=%2Festablish_session"

section "requests with only the session cookie"
req -H "Cookie: gwauth_session=$TOKEN" "$(url /app/whoami)"
expect_eq "session cookie alone: 200" "$STATUS" 200
expect_has "...REMOTE_USER from the session" "$BODY" "REMOTE_USER=dave-1"
expect_has "...GWAUTH_SOURCE=session" "$BODY" "GWAUTH_SOURCE=session"
expect_has "...other exports too" "$BODY" "GWAUTH_EMAIL=dave@example.org"
req -H "Cookie: a=1; gwauth_session=$TOKEN; b=2" "$(url /app/whoami)"
expect_has "session cookie among others" "$BODY" "REMOTE_USER=dave-1"
req -H "Cookie: gwauth_session=$TOKEN" -H "X-Userinfo: $DAVE" "$(url /app/whoami)"
expect_has "the same user's header with the cookie: the header's identity" "$BODY" "GWAUTH_SOURCE=header"
expect_eq "...and the session stays" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$TOKEN', 256))")" 1

section "user switch: another user's header with the session cookie ends the session"
ERIN=$(b64 '{"sub":"erin-1"}')
req -H "Cookie: gwauth_session=$TOKEN" -H "X-Userinfo: $ERIN" "$(url /app/whoami)"
expect_has "a header always wins over a session" "$BODY" "REMOTE_USER=erin-1"
expect_has "...and says so" "$BODY" "GWAUTH_SOURCE=header"
expect_eq "...the other user's session row is deleted" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$TOKEN', 256))")" 0
expect_has "...logged as session_ended reason=user_switch" "$(cat "$T/sess/authz.log")" "event=session_ended reason=user_switch user=erin-1"
expect_deny "the gateway's session gone, the cookie alone is no longer dave" 302 unauthenticated \
    -H "Cookie: gwauth_session=$TOKEN" "$(url /app/whoami)"
req -H "X-Userinfo: $DAVE" "$(url /establish_session)"
TOKEN=$(cookie gwauth_session)
req -H "Cookie: gwauth_session=$TOKEN" -H "X-Userinfo: $ERIN" "$(url /public/x)"
expect_eq "...also on an anonymous path" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$TOKEN', 256))")" 0
req -H "X-Userinfo: $DAVE" "$(url /establish_session)"
TOKEN=$(cookie gwauth_session)
for i in 1 2 3; do req -H "Cookie: gwauth_session=$TOKEN" -H "X-Userinfo: $ERIN" "$(url /app/whoami)"; done
expect_eq "...also when the header's identity comes from the cache" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$TOKEN', 256))")" 0
req -H "X-Userinfo: $DAVE" "$(url /establish_session)"
TOKEN=$(cookie gwauth_session)
expect_deny "unknown token: no identity" 302 unauthenticated -H "Cookie: gwauth_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$(url /app/whoami)"
expect_deny "malformed token: no identity" 302 unauthenticated -H "Cookie: gwauth_session=' OR 1=1 --" "$(url /app/whoami)"
expect_deny "token with one character more: no identity" 302 unauthenticated -H "Cookie: gwauth_session=${TOKEN}A" "$(url /app/whoami)"
req -H "X-Userinfo: $DAVE" "$(url /establish_session)"
OLD=$(cookie gwauth_session)
sqlv "UPDATE sessions SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE token_hash = UNHEX(SHA2('$OLD', 256))"
expect_deny "expired session: no identity (expiry enforced in SQL)" 302 unauthenticated -H "Cookie: gwauth_session=$OLD" "$(url /app/whoami)"
FRANK=$(b64 '{"sub":"frank-1"}')
req -H "X-Userinfo: $FRANK" "$(url /establish_session)"
FT=$(cookie gwauth_session)
sqlv "UPDATE users SET is_active = 0 WHERE global_id = 'frank-1'"
expect_deny "inactive user's session: 403" 403 inactive_user -H "Cookie: gwauth_session=$FT" "$(url /app/whoami)"
expect_deny "inactive user gets no session, even while the authorizer's cache still knows the header" \
    401 unauthenticated -H "X-Userinfo: $FRANK" "$(url /establish_session)"
expect_deny "...and a new header for the inactive user is refused by the authorizer" 403 inactive_user \
    -H "X-Userinfo: $(b64 '{"sub":"frank-1","email":"f@example.org"}')" "$(url /establish_session)"

section "logout while the gateway still has a session"
req -H "Cookie: gwauth_session=$TOKEN" -H "X-Userinfo: $DAVE" "$(url '/applogout?next=%2Fapp%2Fbye')"
expect_eq "logout: 302" "$STATUS" 302
expect_eq "...to the gateway's logout" "$(location)" "/gw/logout"
expect_eq "...remembering the destination in the next cookie" "$(cookie gwauth_next)" "%2Fapp%2Fbye"
expect_has "...next cookie lives 300 s, HttpOnly" "$(setcookie gwauth_next)" "Path=/; Max-Age=300; HttpOnly"
expect_has "...the session cookie is expired" "$(setcookie gwauth_session)" "gwauth_session=; Path=/; Max-Age=0"
expect_has "...Cache-Control: no-store" "$HEADERS" "Cache-Control: no-store"
expect_eq "...the session row is gone" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$TOKEN', 256))")" 0
expect_deny "the old cookie no longer logs in" 302 unauthenticated -H "Cookie: gwauth_session=$TOKEN" "$(url /app/whoami)"

section "the gateway sends the browser back (no identity any more)"
req -H "Cookie: gwauth_next=%2Fapp%2Fbye" "$(url /applogout)"
expect_eq "return: 302" "$STATUS" 302
expect_eq "...to the remembered destination" "$(location)" "/app/bye"
expect_has "...and the next cookie is expired" "$(setcookie gwauth_next)" "gwauth_next=; Path=/; Max-Age=0"
req -H "Cookie: gwauth_next=https%3A%2F%2Fevil.example%2F" "$(url /applogout)"
expect_eq "a remembered destination is validated again" "$(location)" "/app/"
req -H "Cookie: gwauth_next=%2Fapp%2Fcookie" "$(url '/applogout?next=%2Fapp%2Fquery')"
expect_eq "the query parameter wins over the cookie" "$(location)" "/app/query"

section "plain logout"
req "$(url /applogout)"
expect_eq "no session anywhere: 302" "$STATUS" 302
expect_eq "...to the default destination" "$(location)" "/app/"
req "$(url '/applogout?next=https%3A%2F%2Fapp.example.org%2Fhome')"
expect_eq "an allowed absolute destination is kept" "$(location)" "https://app.example.org/home"
req "$(url '/applogout?next=https%3A%2F%2Fapp.example.org%40evil.example%2F')"
expect_eq "userinfo trick: default" "$(location)" "/app/"
req -H "Cookie: gw_sess=abc" "$(url '/applogout?next=%2Fapp%2Fx')"
expect_eq "gateway session cookie present: through the gateway's logout" "$(location)" "/gw/logout"
req -H "X-Userinfo: $DAVE" "$(url /applogout)"
expect_eq "identity header present: through the gateway's logout" "$(location)" "/gw/logout"
expect_deny "DELETE /applogout: 405" 405 method_not_allowed -X DELETE "$(url /applogout)"
expect_has "...with Allow: GET, HEAD, POST" "$HEADERS" "Allow: GET, HEAD, POST"

section "logout that cannot be forged cross-site; POST and HEAD"
sess_rows() { sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$1', 256))"; }
req -H "X-Userinfo: $DAVE" "$(url /establish_session)"
XT=$(cookie gwauth_session)
expect_deny "another site's page (Sec-Fetch-Site: cross-site) logging the user out: 403" 403 cross_site_request \
    -H "Sec-Fetch-Site: cross-site" -H "Cookie: gwauth_session=$XT" "$(url /applogout)"
expect_eq "...the session stays" "$(sess_rows "$XT")" 1
expect_hasnt "...no cookie is cleared" "$HEADERS" "Set-Cookie"
expect_deny "a sibling subdomain (Sec-Fetch-Site: same-site, no Origin or Referer): 403" 403 cross_site_request \
    -H "Sec-Fetch-Site: same-site" -H "Cookie: gwauth_session=$XT" "$(url /applogout)"
expect_deny "Origin of another site: 403" 403 cross_site_request \
    -H "Origin: https://evil.example" -H "Cookie: gwauth_session=$XT" "$(url /applogout)"
expect_deny "Origin: null: 403" 403 cross_site_request -H "Origin: null" -H "Cookie: gwauth_session=$XT" "$(url /applogout)"
expect_deny "Referer of another site: 403" 403 cross_site_request \
    -H "Referer: https://evil.example/page" -H "Cookie: gwauth_session=$XT" "$(url /applogout)"
expect_deny "Referer whose host only starts like ours: 403" 403 cross_site_request \
    -H "Referer: http://127.0.0.1:$PORT.evil.example/" -H "Cookie: gwauth_session=$XT" "$(url /applogout)"
expect_deny "another site with the gateway's identity: 403" 403 cross_site_request \
    -H "Sec-Fetch-Site: cross-site" -H "X-Userinfo: $DAVE" "$(url /applogout)"
expect_eq "...nothing ended" "$(sess_rows "$XT")" 1
expect_has "...logged" "$(cat "$T/sess/logout.log")" "code=cross_site_request"
req -I -H "Cookie: gwauth_session=$XT" "$(url /applogout)"
expect_eq "HEAD /applogout: 302 like GET" "$STATUS" 302
expect_eq "...and changes nothing" "$(sess_rows "$XT")" 1
req -I -H "X-Userinfo: $DAVE" "$(url /establish_session)"
expect_eq "HEAD /establish_session: 302 like GET" "$STATUS $(cookie gwauth_session)" "302 "
req -H "Origin: http://127.0.0.1:$PORT" -H "Cookie: gwauth_session=$XT" --data "next=%2Fapp%2F" "$(url '/applogout?next=%2Fapp%2Fbye')"
expect_eq "POST /applogout from this site: 302" "$STATUS $(location)" "302 /app/bye"
expect_eq "...the session is gone" "$(sess_rows "$XT")" 0
req -H "X-Userinfo: $DAVE" "$(url /establish_session)"
XT=$(cookie gwauth_session)
req -H "Referer: https://app.example.org/account" -H "Cookie: gwauth_session=$XT" "$(url /applogout)"
expect_eq "a Referer of a host in logout.allowed_hosts: the logout happens" "$STATUS $(sess_rows "$XT")" "302 0"
req -H "Sec-Fetch-Site: cross-site" "$(url /applogout)"
expect_eq "the identity provider's redirect back, with nothing left to end: 302" "$STATUS $(location)" "302 /app/"
expect_deny "PUT /establish_session: 405" 405 method_not_allowed -H "X-Userinfo: $DAVE" -X PUT "$(url /establish_session)"
expect_deny "unknown responder path: 404" 404 not_found -H "X-Userinfo: $DAVE" "$(url /applogout/extra)"
req "$(url /applogout/extra)"
expect_eq "a path below the logout path is not anonymous (the implied rule is exact)" "$STATUS" 302
expect_deny "establish path with a suffix: 404" 404 not_found -H "X-Userinfo: $DAVE" "$(url /establish_sessionx)"
PORT=$MAIN
DENY_AFTER_SYNC=1 expect_deny "sessions disabled: establish path is 404" 404 not_found -H "X-Userinfo: $ALICE2" "$(url /establish_session)"
PORT=$SESS

section "login redirect and the database during logout"
req "$(url '/app/whoami?a=1&b=2')"
expect_eq "no identity: 302 to the login page" "$STATUS" 302
expect_eq "...with next= the encoded request URI" "$(location)" "/login?next=%2Fapp%2Fwhoami%3Fa%3D1%26b%3D2"
if [ "${GW_SERVER:-lighttpd}" = nginx ]; then
    expect_has "...not cached (nginx writes the redirect's body itself)" "$HEADERS" "Cache-Control: no-store"
else
    expect_eq "...and the deny's JSON body" "$BODY" '{"error":"unauthenticated"}'
fi
req -H "Sec-Fetch-Mode: navigate" -H "Accept: text/html,application/xhtml+xml,*/*;q=0.8" "$(url /app/whoami)"
expect_eq "a browser's navigation: 302" "$STATUS" 302
expect_deny "a script's fetch (Sec-Fetch-Mode: cors): 401, no redirect it cannot follow" 401 unauthenticated \
    -H "Sec-Fetch-Mode: cors" "$(url /app/whoami)"
expect_eq "...no Location" "$(location)" ""
expect_deny "X-Requested-With: XMLHttpRequest: 401" 401 unauthenticated -H "X-Requested-With: XMLHttpRequest" "$(url /app/whoami)"
expect_deny "Accept: application/json: 401" 401 unauthenticated -H "Accept: application/json" "$(url /app/whoami)"
expect_deny "the login page itself without identity: 401, not a redirect to itself" 401 unauthenticated "$(url /login)"
expect_has "...logged why" "$(tail -3 "$T/sess/authz.log")" "not a navigation, or the login page itself"
req -H "X-Userinfo: $DAVE" "$(url /establish_session)"
LT=$(cookie gwauth_session)
gw_db_stop "$DB_DIR"
expect_deny "database down: logout with a session answers 503, never a false logout" 503 unavailable \
    -H "Cookie: gwauth_session=$LT" "$(url /applogout)"
expect_deny "database down: session cookie gives 503" 503 unavailable -H "Cookie: gwauth_session=$LT" "$(url /app/whoami)"
gw_db_start "$DB_DIR" "$DB_PORT" || fail "MariaDB restart"
req -H "Cookie: gwauth_session=$LT" "$(url /applogout)"
expect_eq "database back: the logout works" "$(location)" "/app/"
expect_eq "...and the session is gone" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$LT', 256))")" 0

section "expired sessions: purged in batches, by one process of the installation at a time"
stack_start sesspurge '{"session": {"enabled": true, "secure": false}}' 1 || return
SP1=$PORT
whoami "$(b64 '{"sub":"purge-sess"}')"
old_sessions() { sqlv "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) SELECT UNHEX(SHA2(CONCAT('old-$1-', seq), 256)), u.id, NOW(6) - INTERVAL 2 DAY, NOW(6) - INTERVAL 1 DAY FROM seq_1_to_$2 JOIN users u ON u.global_id = 'purge-sess'"; }
expired() { sqlv "SELECT COUNT(*) FROM sessions WHERE expires_at < NOW(6)"; }
establish() { req -H "X-Userinfo: $(b64 '{"sub":"purge-sess"}')" "$(url /establish_session)"; }
sqlv "UPDATE leases SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE name = 'session_purge'"
old_sessions a 2150
e0=$(expired)
establish
expect_eq "a session is created" "$STATUS" 302
expect_eq "...the first creation purges expired rows, 100 per statement, 2000 at most ($e0 were expired)" "$(( e0 - $(expired) ))" 2000
expect_has "...logged with the count" "$(cat "$T/sesspurge/logout.log")" "event=sessions_purged rows=2000"
expect_eq "...under the lease, held for 30 s" \
    "$(sqlv "SELECT TIMESTAMPDIFF(SECOND, NOW(6), expires_at) BETWEEN 28 AND 30 FROM leases WHERE name = 'session_purge'")" 1
e1=$(expired)
establish
expect_eq "...the next creation does not purge again" "$(expired)" "$e1"
stack_start sesspurge2 '{"session": {"enabled": true, "secure": false}}' 1 || return
establish
expect_eq "another front-end's responder: no purge while the lease is held" "$(expired)" "$e1"
holder=$(sqlv "SELECT holder FROM leases WHERE name = 'session_purge'")
expect_eq "...leases.holder names the taker (host:pid)" "$holder" "$(hostname):$(cat "$T/sesspurge/logout.pids")"
sqlv "UPDATE leases SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE name = 'session_purge'"
stack_start sesspurge3 '{"session": {"enabled": true, "secure": false}}' 1 || return
establish
expect_eq "lease expired: the next taker purges the rest" "$(expired)" 0
expect_eq "...and holds it" "$(sqlv "SELECT holder FROM leases WHERE name = 'session_purge'")" \
    "$(hostname):$(cat "$T/sesspurge3/logout.pids")"
stack_stop sesspurge2
stack_stop sesspurge3
PORT=$SP1

section "database.cluster galera on a server that is not a synced node: 503, and why"
STACK_DB='"cluster": "galera"' stack_start sessgalera '{"session": {"enabled": true, "secure": false}}' 1 || return
expect_deny "a request: 503 (the node is not ready)" 503 unavailable -H "X-Userinfo: $(b64 '{"sub":"galera-sess"}')" "$(url /app/whoami)"
expect_has "...logged with the node's state" "$(cat "$T/sessgalera/authz.log")" "not ready: wsrep_ready=OFF"
req "$(url /gwauth/health)"
expect_eq "...and the health check says so" "$STATUS $BODY" '503 {"error":"unavailable","reason":"node_not_ready"}'
