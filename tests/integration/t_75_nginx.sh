#!/bin/bash
# nginx (nginx-core) with nginx.conf.example: the authorizer answers the
# auth_request subrequest (fastcgi.nginx_auth_request); the identity
# reaches a FastCGI application (tests/envapp) as parameters and a proxied
# Python application as X-Gwauth-* headers with the signed assertion; every
# deny keeps its status and JSON code; sessions, logout, rules and hostile
# headers as through lighttpd and Apache.
# shellcheck shell=bash
# alone (prove, ./t_75_nginx.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
if ! command -v nginx >/dev/null 2>&1; then skip "nginx is not installed (nginx-core)"; return; fi
shared_stack main || return # (a lighttpd stack, for the RESPONDER role at the end)
N="$T/nginx"
mkdir -p "$N/keys"
jwt_key "$N/keys/2026-01-01.pem" ed && chmod 600 "$N/keys/2026-01-01.pem"
NAPP_PORT=$(gw_free_port)
NISS="https://nginx.example.org/gwauth"
NGINX_APP="http://127.0.0.1:$NAPP_PORT" nginx_stack_start nginx "{
  \"identity\": {\"max_bytes\": 8192},
  \"session\": {\"enabled\": true, \"secure\": false},
  \"logout\": {\"gateway_logout_url\": \"/gw/logout\", \"default_destination\": \"/app/\"},
  \"assertion\": {\"key_file\": \"$N/keys\", \"issuer\": \"$NISS\", \"audience\": \"orders\"},
  \"access\": {\"login_redirect\": \"/login\", \"rules\": [
    {\"prefix\": \"/app/admin/\", \"groups_any\": [\"admin\"]},
    {\"prefix\": \"/app/public/\", \"access\": \"anonymous\"},
    {\"prefix\": \"/api/public/\", \"access\": \"anonymous\"},
    {\"prefix\": \"/login\", \"access\": \"anonymous\"}]}}" || return
mkdir -p "$T/nginx/www/login" && echo "login page" >"$T/nginx/www/login/index.html"
/usr/bin/python3 "$GW_TOP/tests/integration/backend.py" "$NAPP_PORT" "$(url /gwauth/jwks.json)" "$NISS" orders \
    >"$N/backend.log" 2>&1 &
echo $! >"$N/backend.pid"
gw_wait_port "$NAPP_PORT" 10 || fail "the Python backend did not start" "$(cat "$N/backend.log")"
NORA=$(b64 '{"sub":"nora-1","email":"nora@example.org","preferred_username":"nora","groups":["staff"]}')

section "nginx: the identity reaches a FastCGI application"
req -H "X-Userinfo: $NORA" "$(url /app/whoami)"
expect_eq "allow: 200" "$STATUS" 200
expect_has "REMOTE_USER reaches the FastCGI application" "$BODY" "REMOTE_USER=nora-1"
expect_has "...GWAUTH_EMAIL too" "$BODY" "GWAUTH_EMAIL=nora@example.org"
expect_has "...GWAUTH_SOURCE=header" "$BODY" "GWAUTH_SOURCE=header"
expect_has "...and the assertion" "$BODY" "GWAUTH_ASSERTION=ey"
expect_hasnt "...each once" "$BODY" "DUPLICATE"
expect_hasnt "...never the secret" "$BODY" "GWAUTH_SECRET"
expect_hasnt "no Variable- line reaches the client" "$HEADERS" "Variable-"
expect_hasnt "...nor gwauth's subrequest headers" "$HEADERS" "X-Gwauth-"
expect_eq "the user row is created" "$(sqlv "SELECT email FROM users WHERE global_id='nora-1'")" "nora@example.org"

section "nginx: every deny keeps its status and code"
# (a request that is not a page navigation: with login_redirect a page would get a 302)
JSON_ACCEPT="Accept: application/json"
expect_deny "no identity: 401 unauthenticated" 401 unauthenticated -H "$JSON_ACCEPT" "$(url /app/whoami)"
expect_deny "malformed identity: 400" 400 malformed_userinfo -H "X-Userinfo: not*base64" "$(url /app/whoami)"
expect_deny "repeated key: 400" 400 malformed_userinfo -H "X-Userinfo: $(b64 '{"sub":"a","sub":"b"}')" "$(url /app/whoami)"
expect_deny "two X-Userinfo headers: 400 duplicate_identity_header" 400 duplicate_identity_header \
    -H "X-Userinfo: $NORA" -H "X-Userinfo: $(b64 '{"sub":"mallory"}')" "$(url /app/whoami)"
expect_deny "identity above identity.max_bytes: 431" 431 userinfo_too_large \
    -H "X-Userinfo: $(b64 "{\"sub\":\"big\",\"x\":\"$(head -c 9000 /dev/zero | tr '\0' a)\"}")" "$(url /app/whoami)"
expect_deny "a X_Userinfo alone (nginx ignores '_' names): 401" 401 unauthenticated -H "$JSON_ACCEPT" \
    -H "X_Userinfo: $(b64 '{"sub":"mallory"}')" "$(url /app/whoami)"
req -H "X-Userinfo: $NORA" -H "X_Userinfo: $(b64 '{"sub":"mallory"}')" "$(url /app/whoami)"
expect_has "...beside the real one: the real one" "$BODY" "REMOTE_USER=nora-1"
req -H "X-Userinfo: $NORA" "$(url /app/admin/x)"
expect_eq "a rule's group missing: 403 forbidden" "$STATUS $BODY" '403 {"error":"forbidden"}'
req -H "X-Userinfo: $(b64 '{"sub":"ada-1","groups":["admin"]}')" "$(url /app/admin/whoami)"
expect_eq "...with it: 200" "$STATUS" 200
expect_has "...the application sees the user" "$BODY" "REMOTE_USER=ada-1"
req "$(url /app/public/whoami)"
expect_eq "an anonymous path without identity: 200" "$STATUS" 200
expect_hasnt "...and no identity" "$BODY" "REMOTE_USER"
req -H "X-Userinfo: $NORA" "$(url /app/public/whoami)"
expect_has "an anonymous path with an identity: exported" "$BODY" "REMOTE_USER=nora-1"
req -H "Accept: text/html" "$(url /app/whoami?a=1)"
expect_eq "a navigation without identity: 302 to the login page" "$STATUS $(printf '%s\n' "$HEADERS" | sed -n 's/^Location: //p')" \
    "302 /login?next=%2Fapp%2Fwhoami%3Fa%3D1"
req -H "Accept: text/html" "$(url /login/)"
expect_eq "...which is served" "$STATUS $BODY" "200 login page"
req -H "X-Userinfo: $(b64 '{"sub":"ina-1"}')" "$(url /app/whoami)"
sqlv "UPDATE users SET is_active = 0 WHERE global_id = 'ina-1'"
expect_deny "an inactive user: 403 inactive_user" 403 inactive_user -H "X-Userinfo: $(b64 '{"sub":"ina-1","email":"new@x"}')" "$(url /app/other)"
gw_db_stop "$DB_DIR"
expect_deny "database stopped: 503 unavailable" 503 unavailable -H "X-Userinfo: $(b64 '{"sub":"ngx-down"}')" "$(url /app/whoami)"
expect_has "...with Retry-After: 5" "$HEADERS" "Retry-After: 5"
gw_db_start "$DB_DIR" "$DB_PORT" || fail "MariaDB restart"
req -H "X-Userinfo: $(b64 '{"sub":"ngx-up"}')" "$(url /app/whoami)"
expect_eq "database back: 200" "$STATUS" 200
expect_has "every deny is logged once with its real status" "$(cat "$T/nginx/authz.log")" \
    'event=deny status=503 code=unavailable'
expect_has "...the login redirect as a 302" "$(cat "$T/nginx/authz.log")" 'event=deny status=302 code=unauthenticated reason="login redirect"'

section "nginx: sessions and logout through the responder"
session_journey nginx "$NORA" nora-1 "$JSON_ACCEPT"

section "nginx: a proxied application gets the identity (nginx-proxy snippet)"
req -H "X-Userinfo: $NORA" -H "X-Gwauth-User: mallory" -H "x-gwauth-email: mallory@example.org" \
    -H "X-Gwauth-Assertion: forged" -H "X_Gwauth_User: mallory" "$(url /api/orders)"
expect_eq "proxy: 200" "$STATUS" 200
expect_eq "...X-Gwauth-User is the identity's" "$(bjf 'd["headers"].get("X-Gwauth-User")')" "nora-1"
expect_eq "...X-Gwauth-Email too, one" "$(bjf '",".join(v for k, v in d["headers"].items() if k.lower() == "x-gwauth-email")')" "nora@example.org"
expect_hasnt "...no client copy in any spelling" "$BODY" "mallory"
expect_eq "...the assertion (EdDSA) verifies in the application" "$(bjf 'd["assertion"].get("valid")')" True
req -H "X-Gwauth-User: mallory" -H "X-Gwauth-Assertion: forged" "$(url /api/public/x)"
expect_eq "an anonymous path: 200, no X-Gwauth-* header reaches the application" "$STATUS $(bjf 'len(d["headers"])')" "200 0"
before=$(grep -c '"GET ' "$N/backend.log")
req -H "$JSON_ACCEPT" -H "X-Gwauth-User: mallory" "$(url /api/orders)"
expect_eq "no identity: 401, the application never called" "$STATUS $(grep -c '"GET ' "$N/backend.log")" "401 $before"
ws_journey nginx /api/ws "$NORA" nora-1
kill "$(cat "$N/backend.pid")" 2>/dev/null

section "nginx: health, metrics, keys"
req "$(url /gwauth/health)"
expect_eq "/gwauth/health through the responder: 200" "$STATUS $BODY" '200 {"status":"ok"}'
req "$(url /gwauth/jwks.json)"
expect_eq "/gwauth/jwks.json: the key" "$STATUS $(bjf 'd["keys"][0]["alg"]')" "200 EdDSA"
req "$(url /gwauth/metrics)"
expect_has "/gwauth/metrics from loopback: the counters" "$BODY" 'gwauth_requests_total{program="authorizer",code="unavailable"}'
st=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$(url /gwauth/metrics)")
expect_eq "...from another address: 403" "$st" 403

section "nginx: the RESPONDER role only when the configuration says so"
out=$("$GW_BIN/tests/fcgiclient" --role responder "unix:$T/nginx/authz.sock" REQUEST_URI=/app/whoami \
    REMOTE_ADDR=127.0.0.1 "GWAUTH_SECRET=$(cat "$T/nginx/fastcgi.secret")" "HTTP_X_USERINFO=$NORA")
expect_has "with fastcgi.nginx_auth_request: an allow in the RESPONDER role" "$out" "Variable-REMOTE_USER: nora-1"
out=$("$GW_BIN/tests/fcgiclient" --role responder "unix:$T/nginx/authz.sock" REQUEST_URI=/app/whoami \
    REMOTE_ADDR=127.0.0.1 "HTTP_X_USERINFO=$NORA")
expect_has "...but never without the secret: 403" "$out" '"error":"untrusted_caller"'
expect_hasnt "...no Variable- line" "$out" "Variable-"
# a lighttpd stack has no nginx_auth_request: its authorizer refuses the role
out=$("$GW_BIN/tests/fcgiclient" --role responder "unix:$T/main/authz.sock" REQUEST_URI=/app/whoami \
    REMOTE_ADDR=127.0.0.1 "GWAUTH_SECRET=$(cat "$T/main/fastcgi.secret")" "HTTP_X_USERINFO=$NORA")
expect_has "without it, a RESPONDER-role request is refused: 500" "$out" '"error":"internal_error"'
expect_hasnt "...no Variable- line" "$out" "Variable-"
stack_stop nginx
