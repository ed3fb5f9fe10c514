#!/bin/bash
# OpenID Connect Back-Channel Logout 1.0 through lighttpd: the identity
# provider POSTs a signed logout token to logout.backchannel_path; a valid
# one ends the sessions of its sid (or all of its sub's), once; anything
# else is 400 invalid_request with nothing changed. After a logout of all
# sessions, a gateway identity whose ID token is older is refused.
# shellcheck shell=bash
# alone (prove, ./t_57_backchannel.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
B="$T/bcl"
mkdir -p "$B"
BISS="https://sso.example.org/realms/main"
jwt_key "$B/rsa.pem" rsa
jwt_key "$B/other.pem" rsa
jwks_install "$B/jwks.json" rsa-1="$B/rsa.pem" || fail "jwks"
stack_start bcl "$(printf '{"identity": {"cache_seconds": 0, "jwt": {"jwks_file": "%s", "issuers": ["%s"],
  "audiences": ["app"]}}, "session": {"enabled": true, "secure": false},
  "logout": {"backchannel_path": "/backchannel_logout"}}' "$B/jwks.json" "$BISS")" 1 || return
BCL=$PORT
NOW=$(date +%s)
# idtok SUB IAT [MORE]: the gateway's ID token
idtok() { jwt_sign "$B/rsa.pem" RS256 rsa-1 "{\"iss\":\"$BISS\",\"aud\":\"app\",\"sub\":\"$1\",\"iat\":$2,\"exp\":$((NOW + 600))${3:-}}"; }
# lotok PAYLOAD_MEMBERS [KEY] [HEADER]: a logout token
LOHDR='{"alg":"RS256","typ":"logout+jwt","kid":"rsa-1"}'
lotok() {
    "$MINT" sign "$B/${2:-rsa}.pem" RS256 "${3:-$LOHDR}" \
        "{\"iss\":\"$BISS\",\"aud\":\"app\",\"iat\":$NOW,\"exp\":$((NOW + 120)),$1}"
}
EV='"events":{"http://schemas.openid.net/event/backchannel-logout":{}}'
# bcl TOKEN: the provider's POST
bcl() { req -X POST -H "Content-Type: application/x-www-form-urlencoded" --data-urlencode "logout_token=$1" "$(url /backchannel_logout)"; }
login() { # login SUB SID: a session made with the gateway's identity and token
    req -H "X-Userinfo: $(b64 "{\"sub\":\"$1\"}")" -H "X-Raw-ID-Token: $(idtok "$1" $((NOW - 5)) ",\"sid\":\"$2\"")" \
        "$(url /establish_session)"
    cookie gwauth_session
}
alive() { sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$1', 256))"; }

section "back-channel logout: sessions made with a token keep its sid"
S1=$(login bc-1 sid-one)
S2=$(login bc-1 sid-two)
expect_eq "two sessions of bc-1" "$(alive "$S1")$(alive "$S2")" "11"
expect_eq "...each with its provider session id" \
    "$(sqlv "SELECT GROUP_CONCAT(sid ORDER BY sid) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.global_id = 'bc-1'")" \
    "sid-one,sid-two"

section "back-channel logout: every malformed or foreign logout token is 400, nothing changed"
refused() { # refused NAME TOKEN
    expect_deny "$1: 400 invalid_request" 400 invalid_request -X POST \
        -H "Content-Type: application/x-www-form-urlencoded" --data-urlencode "logout_token=$2" "$(url /backchannel_logout)"
}
refused "no events" "$(lotok '"jti":"a2","sub":"bc-1","sid":"sid-one"')"
refused "events without the back-channel logout event" "$(lotok "\"jti\":\"a3\",\"sid\":\"sid-one\",\"events\":{\"urn:other\":{}}")"
refused "a nonce" "$(lotok "\"jti\":\"a4\",\"sid\":\"sid-one\",\"nonce\":\"n\",$EV")"
refused "no jti" "$(lotok "\"sid\":\"sid-one\",$EV")"
refused "neither sub nor sid" "$(lotok "\"jti\":\"a5\",$EV")"
refused "signed by a key not in the JWKS" "$(lotok "\"jti\":\"a6\",\"sid\":\"sid-one\",$EV" other)"
refused "an access token's typ (at+jwt)" "$(lotok "\"jti\":\"a7\",\"sid\":\"sid-one\",$EV" rsa '{"alg":"RS256","typ":"at+jwt","kid":"rsa-1"}')"
refused "issued an hour ago (iat)" "$("$MINT" sign "$B/rsa.pem" RS256 '{"alg":"RS256","typ":"logout+jwt","kid":"rsa-1"}' \
    "{\"iss\":\"$BISS\",\"aud\":\"app\",\"iat\":$((NOW - 3600)),\"exp\":$((NOW + 120)),\"jti\":\"a8\",\"sid\":\"sid-one\",$EV}")"
refused "for another client" "$("$MINT" sign "$B/rsa.pem" RS256 '{"alg":"RS256","typ":"logout+jwt","kid":"rsa-1"}' \
    "{\"iss\":\"$BISS\",\"aud\":\"other-app\",\"iat\":$NOW,\"exp\":$((NOW + 120)),\"jti\":\"a9\",\"sid\":\"sid-one\",$EV}")"
refused "no logout_token" ""
expect_deny "not a form: 400" 400 invalid_request -X POST -H "Content-Type: application/json" --data '{}' "$(url /backchannel_logout)"
expect_deny "GET: 405" 405 method_not_allowed "$(url /backchannel_logout)"
expect_eq "...both sessions still there" "$(alive "$S1")$(alive "$S2")" "11"
expect_has "...the reasons are logged, never the token" "$(cat "$T/bcl/logout.log")" 'reason="no back-channel logout event (events)"'

section "back-channel logout: a valid token ends its sid's session, once"
LT1=$(lotok "\"jti\":\"ok-1\",\"sub\":\"bc-1\",\"sid\":\"sid-one\",$EV")
bcl "$LT1"
expect_eq "valid logout token with sid: 200" "$STATUS" 200
expect_has "...Cache-Control: no-store" "$HEADERS" "Cache-Control: no-store"
expect_eq "...that session ended, the other kept" "$(alive "$S1")$(alive "$S2")" "01"
expect_has "...logged" "$(cat "$T/bcl/logout.log")" "event=session_ended reason=backchannel_logout by=sid user=bc-1 sessions=1"
expect_deny "the same token again (replayed jti): 400" 400 invalid_request -X POST \
    -H "Content-Type: application/x-www-form-urlencoded" --data-urlencode "logout_token=$LT1" "$(url /backchannel_logout)"
req -H "Cookie: gwauth_session=$S1" "$(url /app/whoami)"
expect_eq "the ended session's cookie: no identity" "$STATUS" 401
DENY_AFTER_SYNC=1 expect_deny "the gateway's ID token of the ended provider session: 401" 401 invalid_token \
    -H "X-Userinfo: $(b64 '{"sub":"bc-1"}')" -H "X-Raw-ID-Token: $(idtok bc-1 $((NOW - 5)) ',"sid":"sid-one"')" "$(url /app/whoami)"
expect_has "...logged why" "$(cat "$T/bcl/authz.log")" 'reason="token of a provider session ended by a back-channel logout"'
req -H "X-Userinfo: $(b64 '{"sub":"bc-1"}')" -H "X-Raw-ID-Token: $(idtok bc-1 $((NOW - 5)) ',"sid":"sid-two"')" "$(url /app/whoami)"
expect_eq "...one of another provider session: 200" "$STATUS" 200
LONGSID=$(head -c 300 /dev/zero | tr '\0' 's')
DENY_AFTER_SYNC=1 expect_deny "an ID token whose sid is too long to check: 401, not waved through" 401 invalid_token \
    -H "X-Userinfo: $(b64 '{"sub":"bc-1"}')" -H "X-Raw-ID-Token: $(idtok bc-1 $((NOW - 5)) ",\"sid\":\"$LONGSID\"")" "$(url /app/whoami)"
bcl "$(lotok "\"jti\":\"ok-2\",\"sid\":\"sid-unknown\",$EV")"
expect_eq "an unknown sid: 200, nothing to end" "$STATUS $(alive "$S2")" "200 1"

section "back-channel logout: sub alone ends every session; an older ID token no longer enters"
S3=$(login bc-1 sid-three)
bcl "$(lotok "\"jti\":\"ok-3\",\"sub\":\"bc-1\",$EV")"
expect_eq "logout token with sub only: 200" "$STATUS" 200
expect_eq "...every session of bc-1 ended" "$(alive "$S2")$(alive "$S3")" "00"
expect_eq "...and the instant recorded" "$(sqlv "SELECT UNIX_TIMESTAMP(logged_out_at) >= $NOW FROM users WHERE global_id = 'bc-1'")" 1
expect_deny "the gateway's stale session: an ID token issued before the logout is refused (401)" 401 invalid_token \
    -H "X-Userinfo: $(b64 '{"sub":"bc-1"}')" -H "X-Raw-ID-Token: $(idtok bc-1 $((NOW - 5)))" "$(url /app/whoami)"
expect_has "...logged why" "$(cat "$T/bcl/authz.log")" 'reason="token issued before a back-channel logout"'
req -H "X-Userinfo: $(b64 '{"sub":"bc-1"}')" -H "X-Raw-ID-Token: $(idtok bc-1 $((NOW + 1)))" "$(url /app/whoami)"
expect_eq "a new login (a token issued after it): 200" "$STATUS" 200
req -H "X-Userinfo: $(b64 '{"sub":"bc-2"}')" -H "X-Raw-ID-Token: $(idtok bc-2 $((NOW - 5)))" "$(url /app/whoami)"
expect_eq "another user is not affected" "$STATUS" 200

section "back-channel logout: configuration"
expect_config_refused "backchannel_path without identity.jwt is refused" \
    '"session": {"enabled": true}, "logout": {"backchannel_path": "/bcl"}' "logout.backchannel_path: needs identity.jwt"
expect_config_refused "...and without sessions" \
    "\"identity\": {\"jwt\": {\"jwks_file\": \"$B/jwks.json\", \"issuers\": [\"$BISS\"], \"audiences\": [\"app\"]}}, \"logout\": {\"backchannel_path\": \"/bcl\"}" \
    "logout.backchannel_path: needs session.enabled"
expect_config_refused "...and when identity.id_claim is not sub (the token names the user by sub)" \
    "\"identity\": {\"id_claim\": \"email\", \"jwt\": {\"jwks_file\": \"$B/jwks.json\", \"issuers\": [\"$BISS\"], \"audiences\": [\"app\"]}}, \"session\": {\"enabled\": true}, \"logout\": {\"backchannel_path\": \"/bcl\"}" \
    "logout.backchannel_path: needs identity.id_claim \"sub\""
expect_config_refused "...and when it is not a local path" \
    '"logout": {"backchannel_path": "bcl"}' "logout.backchannel_path: must be empty (off) or a local path"
stack_stop bcl
PORT=$BCL
