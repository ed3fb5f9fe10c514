#!/bin/bash
# The identity for a proxied application behind lighttpd (mod_proxy, with
# examples/lighttpd-proxy.conf and its script): X-Gwauth-* request headers
# and the signed assertion, verified by a real Python application
# (tests/integration/backend.py, examples/gwauth_assertion.py) against the
# keys the responder publishes. Client-sent copies never pass; a new key
# in the key directory signs without a restart and still verifies.
# shellcheck shell=bash
# alone (prove, ./t_62_proxy.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
P="$T/proxy"
mkdir -p "$P/keys"
jwt_key "$P/keys/2026-01-01.pem" ec && chmod 600 "$P/keys/2026-01-01.pem"
APP_PORT=$(gw_free_port)
ISS="https://app.example.org/gwauth"
STACK_LIGHTTPD_EXTRA="var.gwauth_app_host = \"127.0.0.1\"
var.gwauth_app_port = $APP_PORT
var.gwauth_proxy_lua = \"$GW_TOP/examples/lighttpd-proxy-headers.lua\"
$(sed '/^# BEGIN site settings/,/^# END site settings/d' "$GW_TOP/examples/lighttpd-proxy.conf")"
stack_start proxy "{\"assertion\": {\"key_file\": \"$P/keys\", \"issuer\": \"$ISS\", \"audience\": \"orders\",
    \"ttl_seconds\": 30},
  \"identity\": {\"cache_seconds\": 60},
  \"access\": {\"rules\": [{\"prefix\": \"/api/public/\", \"access\": \"anonymous\"},
                         {\"prefix\": \"/api/billing/\", \"audience\": \"billing\"}]}}" 2 || return
unset STACK_LIGHTTPD_EXTRA
/usr/bin/python3 "$GW_TOP/tests/integration/backend.py" "$APP_PORT" "$(url /gwauth/jwks.json)" "$ISS" orders \
    >"$P/backend.log" 2>&1 &
echo $! >"$P/backend.pid"
gw_wait_port "$APP_PORT" 10 || { fail "the Python backend did not start" "$(cat "$P/backend.log")"; return; }
backend_hits() { grep -c '"GET ' "$P/backend.log"; }
PIA=$(b64 '{"sub":"pia-1","email":"pia@example.org","preferred_username":"pia"}')

section "proxy: the keys are published"
req "$(url /gwauth/jwks.json)"
expect_eq "GET assertion.jwks_path: 200, anonymous" "$STATUS" 200
expect_has "...as a JWK set" "$HEADERS" "Content-Type: application/jwk-set+json"
expect_eq "...one key, ES256" "$(bjf '",".join(k["alg"] for k in d["keys"])')" "ES256"
expect_hasnt "...never the private part" "$BODY" '"d"'
KID1=$(bjf 'd["keys"][0]["kid"]')

section "proxy: the application gets the identity, and verifies it"
req -H "X-Userinfo: $PIA" "$(url /api/orders)"
expect_eq "identity: 200 through the proxy" "$STATUS" 200
expect_eq "X-Gwauth-User is REMOTE_USER" "$(bjf 'd["headers"].get("X-Gwauth-User")')" "pia-1"
expect_eq "X-Gwauth-Email is GWAUTH_EMAIL" "$(bjf 'd["headers"].get("X-Gwauth-Email")')" "pia@example.org"
expect_eq "the assertion verifies in the application (PyJWT, published keys)" "$(bjf 'd["assertion"].get("valid")')" True
expect_eq "...sub is the global id" "$(bjf 'd["assertion"]["claims"]["sub"]')" "pia-1"
expect_eq "...gwauth_uid is users.id" "$(bjf 'd["assertion"]["claims"]["gwauth_uid"]')" \
    "$(sqlv "SELECT id FROM users WHERE global_id='pia-1'")"
expect_eq "...the exported email" "$(bjf 'd["assertion"]["claims"]["email"]')" "pia@example.org"
expect_eq "...aud is assertion.audience, iss the issuer" "$(bjf 'd["assertion"]["claims"]["aud"] + " " + d["assertion"]["claims"]["iss"]')" "orders $ISS"
expect_eq "...it lives ttl_seconds" "$(bjf 'd["assertion"]["claims"]["exp"] - d["assertion"]["claims"]["iat"]')" 30
expect_eq "...signed by the published key" "$(jws_field "$(bjf 'd["headers"]["X-Gwauth-Assertion"]')" 0 kid)" "$KID1"
A1=$(bjf 'd["headers"]["X-Gwauth-Assertion"]')
JTI1=$(bjf 'd["assertion"]["claims"]["jti"]')
req -H "X-Userinfo: $PIA" "$(url /app/whoami)"
expect_has "a CGI application gets it as GWAUTH_ASSERTION" "$BODY" "GWAUTH_ASSERTION=$A1"

section "proxy: client-sent copies never pass"
req -H "X-Userinfo: $PIA" -H "X-Gwauth-User: mallory" -H "x-gwauth-email: mallory@example.org" \
    -H "X-Gwauth-Assertion: forged" -H "X_Gwauth_User: mallory" -H "X-Gwauth-Admin: yes" "$(url /api/orders)"
expect_eq "a client's X-Gwauth-User is replaced by the identity's" "$(bjf 'd["headers"].get("X-Gwauth-User")')" "pia-1"
expect_eq "...its X-Gwauth-Email too (sent in lower case): one, gwauth's" \
    "$(bjf '",".join(v for k, v in d["headers"].items() if k.lower() == "x-gwauth-email")')" "pia@example.org"
expect_eq "...its X-Gwauth-Assertion too: the application sees gwauth's" "$(bjf 'd["assertion"].get("valid")')" True
expect_hasnt "...a header gwauth does not set never arrives" "$BODY" "X-Gwauth-Admin"
expect_hasnt "...nor an X_Gwauth_ spelling" "$BODY" "mallory"
before=$(backend_hits)
req -H "X-Gwauth-User: mallory" -H "X-Gwauth-Assertion: $A1" "$(url /api/orders)"
expect_eq "no identity, with a client's X-Gwauth-User and a replayed assertion: 401" "$STATUS" 401
expect_eq "...and the application is never called" "$(backend_hits)" "$before"
req -H "X-Gwauth-User: mallory" -H "X-Gwauth-Assertion: $A1" "$(url /api/public/page)"
expect_eq "an anonymous path: 200 through the proxy" "$STATUS" 200
expect_eq "...with no X-Gwauth-* header at all" "$(bjf 'len(d["headers"])')" 0

section "proxy: the application refuses what gwauth did not sign for it"
# straight to the application, as a client that got around the web server
direct() { req -H "X-Gwauth-Assertion: $1" "http://127.0.0.1:$APP_PORT/api/orders"; }
jwt_key "$P/rogue.pem" ec
direct "$(jwt_sign "$P/rogue.pem" ES256 "$KID1" "{\"iss\":\"$ISS\",\"aud\":\"orders\",\"sub\":\"pia-1\",\"iat\":$(date +%s),\"exp\":$(( $(date +%s) + 60 ))}")"
expect_eq "an assertion signed by another key, with gwauth's kid: refused" "$(bjf 'd["assertion"]["valid"]')" False
NOW=$(date +%s)
direct "$(jwt_sign "$P/keys/2026-01-01.pem" ES256 "$KID1" "{\"iss\":\"$ISS\",\"aud\":\"orders\",\"sub\":\"pia-1\",\"iat\":$((NOW - 100)),\"exp\":$((NOW - 40))}")"
expect_has "an expired one (gwauth's own key): refused" "$(bjf 'd["assertion"]["error"]')" "ExpiredSignatureError"
direct "${A1%.*}.$(printf 'A%.0s' $(seq 1 86))"
expect_eq "a changed signature: refused" "$(bjf 'd["assertion"]["valid"]')" False
direct "$(printf '%s' "$A1" | cut -d. -f1).$(printf '{"iss":"%s","aud":"orders","sub":"admin","iat":%s,"exp":%s}' "$ISS" "$NOW" $((NOW + 60)) | base64 -w0 | tr '+/' '-_' | tr -d '=').$(printf '%s' "$A1" | cut -d. -f3)"
expect_eq "another subject under gwauth's signature: refused" "$(bjf 'd["assertion"]["valid"]')" False
req -H "X-Userinfo: $PIA" "$(url /api/billing/invoices)"
expect_eq "a rule's own audience (billing): 200" "$STATUS" 200
expect_has "...an application of another audience refuses it" "$(bjf 'd["assertion"]["error"]')" "InvalidAudienceError"
expect_eq "...the assertion names the rule's audience" "$(jws_field "$(bjf 'd["headers"]["X-Gwauth-Assertion"]')" 1 aud)" "billing"

section "proxy: assertions are cached with the identity, never near their exp"
req -H "X-Userinfo: $PIA" "$(url /api/orders)"
expect_eq "the same identity a moment later: the cached assertion" "$(bjf 'd["assertion"]["claims"]["jti"]')" "$JTI1"
sleep 16  # past half of ttl_seconds (30)
req -H "X-Userinfo: $PIA" "$(url /api/orders)"
expect_ne "past half its lifetime: a new one" "$(bjf 'd["assertion"]["claims"]["jti"]')" "$JTI1"
expect_eq "...valid" "$(bjf 'd["assertion"]["valid"]')" True
# the old key's newest assertion, fresh (A1 may be past its exp on a slow run)
A_OLD=$(bjf 'd["headers"]["X-Gwauth-Assertion"]')

section "proxy: a key rotation without a restart"
jwt_key "$P/next.pem" ed && chmod 600 "$P/next.pem" && mv "$P/next.pem" "$P/keys/2026-06-01.pem"
sleep 1.2
req "$(url /gwauth/jwks.json)"
expect_eq "both keys are published" "$(bjf 'len(d["keys"])')" 2
KID2=$(bjf '[k["kid"] for k in d["keys"] if k["alg"] == "EdDSA"][0]')
req -H "X-Userinfo: $PIA" "$(url /api/orders)"
expect_eq "the newest key (last name) signs: EdDSA" "$(jws_field "$(bjf 'd["headers"]["X-Gwauth-Assertion"]')" 0 alg)" "EdDSA"
expect_eq "...and the application, which had cached the old set, verifies it" "$(bjf 'd["assertion"].get("valid")')" True
direct "$A_OLD"
expect_has "an assertion of the old key still verifies while it is published (until its exp)" \
    "$(bjf 'd["assertion"].get("valid") or d["assertion"]["error"]')" "True"
req -H "X-Userinfo: $PIA" "$(url /api/orders)"
K_NOW=$(jws_field "$(bjf 'd["headers"]["X-Gwauth-Assertion"]')" 0 kid)
expect_eq "...every process signs with the new kid" "$K_NOW" "$KID2"
expect_has "the reload is logged" "$(cat "$P/authz.log")" "event=assertion_keys_reloaded keys=2"
cp "$P/keys/2026-06-01.pem" "$P/keys/2027-01-01.pem" && chmod 644 "$P/keys/2027-01-01.pem"
sleep 1.2
req -H "X-Userinfo: $PIA" "$(url /api/orders)"
expect_eq "a private key readable by every user is refused: the previous keys sign on" "$(bjf 'd["assertion"].get("valid")')" True
expect_has "...said in the log" "$(cat "$P/authz.log")" "a private key readable by every user"
rm -f "$P/keys/2027-01-01.pem"
KID_NOW=$K_NOW
# whoever may write where the keys are could add their own
chmod g+w "$P/keys"
jwt_key "$P/intruder.pem" ec && chmod 600 "$P/intruder.pem" && mv "$P/intruder.pem" "$P/keys/2028-01-01.pem"
sleep 1.2
req -H "X-Userinfo: $PIA" "$(url /api/orders)"
expect_eq "a key directory writable by its group: refused, the previous key signs on" "$(jws_field "$(bjf 'd["headers"]["X-Gwauth-Assertion"]')" 0 kid)" "$KID_NOW"
expect_has "...said in the log" "$(cat "$P/authz.log")" "a key directory writable by other users"
chmod g-w "$P/keys"
if [ "$(id -u)" = 0 ]; then
    chown nobody "$P/keys/2028-01-01.pem"
    sleep 1.2
    req -H "X-Userinfo: $PIA" "$(url /api/orders)"
    expect_has "a key file owned by another user: refused" "$(cat "$P/authz.log")" "owned by a user other than root"
else
    skip "a key file owned by another user (needs root to give it away)"
fi
rm -f "$P/keys/2028-01-01.pem" "$P/keys/2026-01-01.pem"
mkfifo "$P/keys/2029-01-01.pem"
sleep 1.2
req --max-time 5 -H "X-Userinfo: $PIA" "$(url /api/orders)"
expect_eq "a FIFO among the keys blocks nothing: 200" "$STATUS" 200
expect_has "...and is refused" "$(cat "$P/authz.log")" "not a regular file"
rm -f "$P/keys/2029-01-01.pem"
sleep 1.2
req "$(url /gwauth/jwks.json)"
expect_eq "a removed key is no longer published" "$(bjf '",".join(k["kid"] for k in d["keys"])')" "$KID2"

section "proxy: WebSockets (proxy.header upgrade)"
ws_journey lighttpd /api/ws "$PIA" pia-1

section "proxy: counted"
req "$(url /gwauth/metrics)"
n=$(printf '%s\n' "$BODY" | sed -n 's/^gwauth_assertions_signed_total \([0-9]*\)$/\1/p')
[ "${n:-0}" -ge 4 ] && ok "gwauth_assertions_signed_total counts the signatures ($n)" ||
    fail "gwauth_assertions_signed_total" "got '$n'"
expect_has "gwauth_assertion_key_reloads_total counts the reloads" "$BODY" 'gwauth_assertion_key_reloads_total{result="ok"}'

kill "$(cat "$P/backend.pid")" 2>/dev/null
stack_stop proxy
