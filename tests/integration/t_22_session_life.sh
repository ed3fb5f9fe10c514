#!/bin/bash
# Sessions that end when they should (issue: user switch is in t_20):
# made only from a live gateway identity, at most max_per_user per user,
# ended when unused for idle_seconds, their last use written at most once
# per touch_seconds, and where they were made stored for the operator.
# shellcheck shell=bash
# alone (prove, ./t_22_session_life.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
stack_start life '{"session": {"enabled": true, "secure": false, "idle_seconds": 3, "touch_seconds": 1,
  "max_per_user": 3}, "access": {"login_redirect": "/login"}}' 1 || return
LIFE=$PORT
srow() { sqlv "SELECT $2 FROM sessions WHERE token_hash = UNHEX(SHA2('$1', 256))"; }
FRAN=$(b64 '{"sub":"fran-1"}')

section "a session is made only from a live gateway identity"
req -H "X-Userinfo: $FRAN" "$(url /establish_session)"
FT=$(cookie gwauth_session)
expect_eq "with the gateway's identity: 302 and a cookie" "$STATUS $([ -n "$FT" ] && echo cookie)" "302 cookie"
n0=$(sqlv "SELECT COUNT(*) FROM sessions")
expect_deny "the session cookie alone on the establish path: no identity (302 to login)" 302 unauthenticated \
    -H "Cookie: gwauth_session=$FT" "$(url /establish_session)"
expect_eq "...no new cookie" "$(cookie gwauth_session)" ""
expect_eq "...no new row" "$(sqlv "SELECT COUNT(*) FROM sessions")" "$n0"
req -H "Cookie: gwauth_session=$FT" "$(url /app/whoami)"
expect_eq "...the cookie still works elsewhere" "$STATUS" 200
out=$("$GW_BIN/tests/fcgiclient" --role responder "unix:$T/life/logout.sock" REQUEST_METHOD=GET \
    REQUEST_URI=/establish_session GWAUTH_USER_ID=1 GWAUTH_SOURCE=session \
    GWAUTH_SECRET="$(cat "$T/life/fastcgi.secret")" 2>&1)
expect_has "the responder itself refuses an identity from a session: 401" "$out" "Status: 401"
expect_hasnt "...without a cookie" "$out" "Set-Cookie: gwauth_session"

section "where a session was made is stored, bounded and printable"
req -A $'probe/1.0 \xc3\xa9 (x)' -H "X-Userinfo: $FRAN" "$(url /establish_session)"
FT=$(cookie gwauth_session)
expect_eq "client address stored" "$(srow "$FT" client_addr)" "127.0.0.1"
expect_eq "user agent stored as printable ASCII" "$(srow "$FT" user_agent)" "probe/1.0 ?? (x)"
req -A "$(head -c 600 /dev/zero | tr '\0' 'u')" -H "X-Userinfo: $FRAN" "$(url /establish_session)"
expect_eq "a long user agent is cut to 255, never refused" "$STATUS $(srow "$(cookie gwauth_session)" 'LENGTH(user_agent)')" "302 255"
expect_hasnt "...and never exported" "$(req -H "Cookie: gwauth_session=$FT" "$(url /app/whoami)"; echo "$BODY")" "probe"

section "session.max_per_user: the oldest go first"
sqlv "DELETE s FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.global_id = 'fran-1'"
toks=()
for i in 1 2 3 4 5; do
    req -H "X-Userinfo: $FRAN" "$(url /establish_session)"
    toks+=("$(cookie gwauth_session)")
done
expect_eq "five sessions made, three kept" \
    "$(sqlv "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.global_id = 'fran-1'")" 3
expect_eq "...the two oldest are gone" "$(srow "${toks[0]}" 'COUNT(*)')$(srow "${toks[1]}" 'COUNT(*)')" "00"
expect_eq "...the three newest remain" "$(srow "${toks[2]}" 'COUNT(*)')$(srow "${toks[3]}" 'COUNT(*)')$(srow "${toks[4]}" 'COUNT(*)')" "111"
expect_has "...logged" "$(cat "$T/life/logout.log")" "event=session_ended reason=max_per_user"
expect_deny "the oldest cookie no longer logs in" 302 unauthenticated -H "Cookie: gwauth_session=${toks[0]}" "$(url /app/whoami)"

section "session.idle_seconds: unused for 3 s, the session ends; used, it lives on"
req -H "X-Userinfo: $FRAN" "$(url /establish_session)"
IT=$(cookie gwauth_session)
req -H "X-Userinfo: $FRAN" "$(url /establish_session)"
UT=$(cookie gwauth_session)
alive=0
for i in 1 2 3 4 5 6 7 8; do
    sleep 0.6
    req -H "Cookie: gwauth_session=$UT" "$(url /app/whoami)"
    [ "$STATUS" = 200 ] && alive=$((alive + 1))
done
expect_eq "used every 0.6 s for 4.8 s (longer than idle_seconds): every request served" "$alive" 8
expect_deny "the other one, unused for 4.8 s: no identity" 302 unauthenticated -H "Cookie: gwauth_session=$IT" "$(url /app/whoami)"
expect_eq "...though its absolute lifetime has not passed" "$(srow "$IT" 'expires_at > NOW(6)')" 1

section "session.touch_seconds: the last use is written at most once per second"
req -H "X-Userinfo: $FRAN" "$(url /establish_session)"
TT=$(cookie gwauth_session)
sleep 1.2
before=$(writes)
t0=$(date +%s%N)
for i in $(seq 1 20); do req -H "Cookie: gwauth_session=$TT" "$(url /app/whoami)"; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
w=$(( $(writes) - before ))
# one write per started second of the loop at most (touch_seconds 1)
expect_eq "20 requests in $ms ms: $w row(s) written, at most one per touch_seconds" \
    "$([ "$w" -ge 1 ] && [ "$w" -le $(( 1 + ms / 1000 )) ] && echo yes)" yes
expect_eq "...last_used_at moved" "$(srow "$TT" 'last_used_at > created_at + INTERVAL 1 SECOND')" 1

section "configuration"
expect_config_refused "idle_seconds below twice touch_seconds is refused, with the key" \
    '"session": {"enabled": true, "idle_seconds": 60, "touch_seconds": 60}' \
    "session.idle_seconds: must be 0 (off) or at least twice touch_seconds (60)"
stack_stop life
PORT=$LIFE
