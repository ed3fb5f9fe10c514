#!/bin/bash
# Apache httpd 2.4: mod_authnz_fcgi (the full integration, with the
# responder behind mod_proxy_fcgi) and mod_fcgid's FcgidAccessChecker, each
# with the example file the README points to.
# shellcheck shell=bash
# alone (prove, ./t_70_apache.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
d="$T/apache"
mkdir -p "$d/www/app" "$d/www/public"
cp "$GW_TOP/tests/integration/whoami.cgi" "$d/www/app/whoami"
echo "public page" >"$d/www/public/index.html"
printf '%s\n' "$DB_PASS" >"$d/db.password"
chmod 644 "$d/db.password"
gw_secret "$d/fastcgi.secret"
chmod 644 "$d/fastcgi.secret" # mod_fcgid runs the authorizer as www-data
mkdir -p "$d/keys"
jwt_key "$d/keys/2026-01-01.pem" ec && chmod 600 "$d/keys/2026-01-01.pem"
AISS="https://apache.example.org/gwauth"
apache_json() { # apache_json EXTRA_MEMBERS: the configuration, with more top-level members
    cat <<JSON
{ "database": { "socket": "$DB_DIR/mysql.sock", "user": "$DB_USER", "password_file": "$d/db.password",
                "name": "$DB_NAME", "connect_timeout_ms": 1000, "read_timeout_ms": 2000 },
  "fastcgi": { "secret_file": "$d/fastcgi.secret" },
  "session": { "enabled": true, "secure": false },
  "logout": { "gateway_logout_url": "/gw/logout", "default_destination": "/app/" }$1 }
JSON
}
apache_json ", \"assertion\": { \"key_file\": \"$d/keys\", \"issuer\": \"$AISS\", \"audience\": \"orders\" },
  \"access\": { \"rules\": [{ \"prefix\": \"/api/public/\", \"access\": \"anonymous\" },
                { \"prefix\": \"/public/\", \"access\": \"anonymous\" }, { \"prefix\": \"/public/private/\" },
                { \"prefix\": \"/app/\", \"methods\": [\"OPTIONS\"], \"access\": \"anonymous\" },
                { \"prefix\": \"/public/internal/\", \"access\": \"deny\" },
                { \"prefix\": \"/app/admin/\", \"claims_any\": [{ \"path\": \"realm_access.roles\", \"any\": [\"admin\"] }] },
                { \"prefix\": \"/app/\", \"mode\": \"report\",
                  \"claims_any\": [{ \"path\": \"resource_access.my-app.roles\", \"any\": [\"app-user\"] }] }] }" \
    >"$d/gwauth.json"
chmod 644 "$d/gwauth.json"
AZ=$(gw_free_port) RS=$(gw_free_port)
spawn-fcgi -a 127.0.0.1 -p "$AZ" -F 2 -P "$d/authz.pids" -- "$GW_BIN/authorizer" -c "$d/gwauth.json" -l "$d/authz.log" >/dev/null 2>&1
spawn-fcgi -a 127.0.0.1 -p "$RS" -F 1 -P "$d/logout.pids" -- "$GW_BIN/logout" -c "$d/gwauth.json" -l "$d/logout.log" >/dev/null 2>&1
STACKS+=("apache") # so that the processes are stopped (and checked) like the others
# the full example with the proxied application's, and its generated header lines
cat "$GW_TOP/apache2.conf.example" "$GW_TOP/examples/apache2-proxy.conf" >"$d/apache2-proxy.conf"
"$GW_BIN/admin" -c "$d/gwauth.json" snippet apache-proxy >"$d/proxy-headers.conf" ||
    fail "gwauth-admin snippet apache-proxy"
"$GW_BIN/admin" -c "$d/gwauth.json" snippet apache-anonymous >"$d/anonymous.conf" ||
    fail "gwauth-admin snippet apache-anonymous"
APP_PORT=$(gw_free_port)
apache_start apache "$d/apache2-proxy.conf" "Define GWAUTH_AUTHORIZER fcgi://127.0.0.1:$AZ/
Define GWAUTH_RESPONDER fcgi://127.0.0.1:$RS/
Define GWAUTH_DOCROOT $d/www
Define GWAUTH_APP http://127.0.0.1:$APP_PORT
Define GWAUTH_PROXY_HEADERS $d/proxy-headers.conf
Define GWAUTH_ANONYMOUS_PATHS $d/anonymous.conf
Define GWAUTH_SECRET $(cat "$d/fastcgi.secret")" || { fail "Apache (mod_authnz_fcgi) did not start"; return; }
mkdir -p "$d/www/app/env"
cp "$GW_TOP/tests/integration/env.cgi" "$d/www/app/env/whoami"
PORT=$APORT
# Apache labels a deny's body text/html: check status, body, no-store, no identity, no write.
apache_deny() {
    local name=$1 st=$2 code=$3 before after
    shift 3
    before=$(dbstate); req "$@"; after=$(dbstate)
    local problems=""
    [ "$STATUS" = "$st" ] || problems+="status $STATUS (want $st); "
    [ "$BODY" = "{\"error\":\"$code\"}" ] || problems+="body '$BODY'; "
    printf '%s' "$HEADERS" | grep -qi '^Cache-Control: no-store' || problems+="no Cache-Control: no-store; "
    printf '%s' "$HEADERS$BODY" | grep -qiE 'variable-|REMOTE_USER|GWAUTH_' && problems+="identity leaked; "
    [ "$before" = "$after" ] || problems+="rows written; "
    if [ -z "$problems" ]; then ok "$name"; else fail "$name" "$problems"; fi
}

section "Apache + mod_authnz_fcgi"
NICK=$(b64 '{"sub":"nick-ap","email":"nick@example.org","preferred_username":"nick"}')
whoami "$NICK"
expect_eq "allow: 200" "$STATUS" 200
expect_has "REMOTE_USER reaches the CGI" "$BODY" "REMOTE_USER=nick-ap"
expect_has "GWAUTH_EMAIL reaches the CGI" "$BODY" "GWAUTH_EMAIL=nick@example.org"
expect_has "GWAUTH_SOURCE=header" "$BODY" "GWAUTH_SOURCE=header"
expect_hasnt "no Variable- line reaches the client" "$HEADERS" "Variable-"
expect_eq "user row created" "$(sqlv "SELECT email FROM users WHERE global_id='nick-ap'")" "nick@example.org"
expect_hasnt "GWAUTH_SECRET does not reach the CGI" "$BODY" "GWAUTH_SECRET"
req -H "X-Userinfo: $NICK" "$(url /app/env/whoami)"
expect_has "the whole environment of a CGI under Apache" "$BODY" "REMOTE_USER=nick-ap"
expect_hasnt "...never holds the secret's value" "$BODY" "$(cat "$d/fastcgi.secret")"
before=$(writes)
out=$("$GW_BIN/tests/fcgiclient" "tcp:127.0.0.1:$AZ" FCGI_APACHE_ROLE=AUTHENTICATOR REQUEST_URI=/app/whoami \
    REMOTE_ADDR=127.0.0.1 "HTTP_X_USERINFO=$(b64 '{"sub":"nick-ap","email":"pwned@evil.example"}')")
expect_has "a forged client on Apache's TCP authorizer port: 403 untrusted_caller" "$out" '{"error":"untrusted_caller"}'
expect_hasnt "...no Variable- line" "$out" "Variable-"
expect_eq "...nothing written" "$(writes)" "$before"
out=$("$GW_BIN/tests/fcgiclient" --role responder "tcp:127.0.0.1:$RS" REQUEST_METHOD=GET REQUEST_URI=/establish_session \
    "GWAUTH_USER_ID=$(sqlv "SELECT id FROM users WHERE global_id='nick-ap'")")
expect_has "...and on the responder's: 403, no cookie" "$out" '{"error":"untrusted_caller"}'
expect_hasnt "...no Set-Cookie" "$out" "Set-Cookie"
apache_deny "no identity: 401" 401 unauthenticated "$(url /app/whoami)"
apache_deny "malformed identity: 400" 400 malformed_userinfo -H "X-Userinfo: not*base64" "$(url /app/whoami)"
apache_deny "repeated key: 400" 400 malformed_userinfo -H "X-Userinfo: $(b64 '{"sub":"a","sub":"b"}')" "$(url /app/whoami)"
req -H "X-Userinfo: $NICK" -H "X_Userinfo: $(b64 '{"sub":"mallory"}')" "$(url /app/whoami)"
expect_has "Apache drops X_Userinfo before gwauth sees it" "$BODY" "REMOTE_USER=nick-ap"
req "$(url /public/)"
expect_eq "an anonymous path (access.rules, snippet apache-anonymous) without identity: 200" "$STATUS $BODY" "200 public page"
cp "$GW_TOP/tests/integration/whoami.cgi" "$d/www/public/whoami"
mkdir -p "$d/www/public/private" && cp "$GW_TOP/tests/integration/whoami.cgi" "$d/www/public/private/whoami"
req "$(url /public/whoami)"
expect_eq "...a CGI there without identity: 200, nothing exported" "$STATUS $(printf '%s' "$BODY" | grep -c .)" "200 0"
req -H "X-Userinfo: $NICK" "$(url /public/whoami)"
expect_has "...with an identity: through gwauth, the identity exported" "$BODY" "REMOTE_USER=nick-ap"
expect_has "...and the other exports" "$BODY" "GWAUTH_EMAIL=nick@example.org"
apache_deny "...a malformed identity there: 400" 400 malformed_userinfo -H "X-Userinfo: not*base64" "$(url /public/whoami)"
apache_deny "an authenticated prefix inside the anonymous one (/public/private/): 401" 401 unauthenticated \
    "$(url /public/private/whoami)"
apache_deny "...also spelled /public/%70rivate/" 401 unauthenticated "$(url /public/%70rivate/whoami)"
req -H "X-Userinfo: $NICK" "$(url /public/private/whoami)"
expect_has "...with an identity: allowed" "$BODY" "REMOTE_USER=nick-ap"
req -X OPTIONS -H "Origin: https://app.example.org" "$(url /app/whoami)"
expect_eq "an OPTIONS rule (a CORS preflight) without identity: the generated If lets it through" \
    "$(case $STATUS in 401 | 500) echo "$STATUS" ;; *) echo passed ;; esac)" "passed"
apache_deny "...GET there still needs an identity: 401" 401 unauthenticated "$(url /app/whoami)"
# Keycloak's shapes: realm roles, client roles, full-path groups
mkdir -p "$d/www/app/admin" "$d/www/public/internal"
cp "$GW_TOP/tests/integration/whoami.cgi" "$d/www/app/admin/whoami"
echo "internal" >"$d/www/public/internal/index.html"
KC_ADMIN=$(b64 '{"sub":"kc-ap-1","realm_access":{"roles":["offline_access","admin"]},"resource_access":{"my-app":{"roles":["app-user"]}},"groups":["/staff/ops"]}')
KC_USER=$(b64 '{"sub":"kc-ap-2","realm_access":{"roles":["offline_access"]},"resource_access":{"account":{"roles":["view-profile"]}}}')
req -H "X-Userinfo: $KC_USER" "$(url /app/whoami)"
expect_eq "a rule in report mode that would deny: the request is still allowed (200)" "$STATUS" 200
expect_has "...and the authorizer logs what it would have done" "$(cat "$d/authz.log")" 'event=rule_report rule="/app/" would=403 code=forbidden enforced=200'
req -H "X-Userinfo: $KC_ADMIN" "$(url /app/admin/whoami)"
expect_eq "Apache: claims_any on realm_access.roles (a Keycloak realm role): 200" "$STATUS" 200
apache_deny "...without the role: 403" 403 forbidden -H "X-Userinfo: $KC_USER" "$(url /app/admin/whoami)"
apache_deny "access deny inside an anonymous prefix: 403 without an identity (the snippet leaves it to gwauth)" 403 forbidden \
    "$(url /public/internal/index.html)"
apache_deny "...and with one" 403 forbidden -H "X-Userinfo: $KC_ADMIN" "$(url /public/internal/index.html)"
gw_db_stop "$DB_DIR"
apache_deny "database stopped: 503" 503 unavailable -H "X-Userinfo: $(b64 '{"sub":"ap-down"}')" "$(url /app/whoami)"
expect_has "...with Retry-After: 5" "$HEADERS" "Retry-After: 5"
gw_db_start "$DB_DIR" "$DB_PORT" || fail "MariaDB restart"
whoami "$(b64 '{"sub":"ap-up"}')"
expect_eq "database back: 200" "$STATUS" 200

section "Apache: the session and logout journey through the responder"
session_journey Apache "$NICK" nick-ap
req -H "X-Userinfo: $NICK" "$(url /establish_session)"
TOK2=$(cookie gwauth_session)
req -H "Cookie: other=1" -H "Cookie: gwauth_session=$TOK2" "$(url /applogout)"
expect_eq "two Cookie headers (Apache joins them with ', '): logout finds the session" \
    "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$TOK2', 256))")" 0
expect_eq "the authorizer saw FCGI_APACHE_ROLE and answered (no wrong-role deny)" \
    "$(grep -c 'not called in the AUTHORIZER role' "$d/authz.log")" 0
req "$(url /gwauth/health)"
expect_eq "Apache: /gwauth/health through the responder: 200" "$STATUS $BODY" '200 {"status":"ok"}'
req "$(url /gwauth/metrics)"
expect_has "Apache: /gwauth/metrics from loopback: the counters" "$BODY" 'gwauth_requests_total{program="logout",code="ok"}'
st=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$(url /gwauth/metrics)")
expect_eq "Apache: /gwauth/metrics from another address: 403 (Require ip)" "$st" 403

section "Apache: a proxied application gets the identity (mod_proxy_http, examples/apache2-proxy.conf)"
/usr/bin/python3 "$GW_TOP/tests/integration/backend.py" "$APP_PORT" "$(url /gwauth/jwks.json)" "$AISS" orders \
    >"$d/backend.log" 2>&1 &
echo $! >"$d/backend.pid"
gw_wait_port "$APP_PORT" 10 || fail "the Python backend did not start" "$(cat "$d/backend.log")"
req -H "X-Userinfo: $NICK" -H "X-Gwauth-User: mallory" -H "X_Gwauth_User: mallory" -H "x-gwauth-assertion: forged" \
    -H "X-Gwauth-Email: mallory@example.org" "$(url /api/orders)"
expect_eq "Apache proxy: 200" "$STATUS" 200
expect_eq "...X-Gwauth-User is the identity's, the client's gone" "$(bjf 'd["headers"].get("X-Gwauth-User")')" "nick-ap"
expect_eq "...X-Gwauth-Email is the exported one" "$(bjf 'd["headers"].get("X-Gwauth-Email")')" "nick@example.org"
expect_hasnt "...no client copy in any spelling" "$BODY" "mallory"
expect_eq "...the assertion verifies in the application" "$(bjf 'd["assertion"].get("valid")')" True
expect_eq "...for the user" "$(bjf 'd["assertion"]["claims"]["sub"]')" "nick-ap"
req -H "X-Gwauth-User: mallory" -H "X_Gwauth_User: mallory" -H "X-Gwauth-Assertion: forged" "$(url /api/public/page)"
expect_eq "Apache proxy, anonymous path: 200" "$STATUS" 200
expect_eq "...no X-Gwauth-* header reaches the application" "$(bjf 'len(d["headers"])')" 0
before=$(grep -c '"GET ' "$d/backend.log")
req -H "X-Gwauth-User: mallory" "$(url /api/orders)"
expect_eq "Apache proxy, no identity: 401, the application never called" \
    "$STATUS $(grep -c '"GET ' "$d/backend.log")" "401 $before"
ws_journey Apache /api/ws "$NICK" nick-ap
kill "$(cat "$d/backend.pid")" 2>/dev/null

section "Apache + mod_fcgid (FcgidAccessChecker)"
f="$T/fcgid"
mkdir -p "$f/www/app"
cp "$GW_TOP/tests/integration/whoami.cgi" "$f/www/app/whoami"
# its own configuration (mod_fcgid runs the authorizer as www-data), with
# one export more than the defaults
apache_json ', "export": { "REMOTE_USER": "global_id", "GWAUTH_USER_ID": "id", "GWAUTH_EMAIL": "email",
    "GWAUTH_FIRST_NAME": "first_name" }' \
    >"$f/gwauth.json"
chmod 644 "$f/gwauth.json"
"$GW_BIN/admin" -c "$f/gwauth.json" snippet apache-fcgid >"$f/fcgid-headers.conf" || fail "gwauth-admin snippet apache-fcgid"
"$GW_BIN/admin" -c "$d/gwauth.json" snippet apache-fcgid >"$f/fcgid-headers-stale.conf"
fcgid_start() { # fcgid_start HEADERS_FILE
    apache_start fcgid apache2-fcgid.conf.example "Define GWAUTH_AUTHORIZER_BIN $GW_BIN/authorizer
Define GWAUTH_CONFIG $f/gwauth.json
Define GWAUTH_DOCROOT $f/www
Define GWAUTH_FCGID_HEADERS $1
Define GWAUTH_SECRET $(cat "$d/fastcgi.secret")"
}
FIONA=$(b64 '{"sub":"fc-1","email":"fc@example.org","given_name":"Fiona"}')
# Without the generated lines for the new export, mod_fcgid shows it to the
# client: the check below can fail, and does with stale lines.
fcgid_start "$f/fcgid-headers-stale.conf" || { fail "Apache (mod_fcgid) did not start"; return; }
PORT=$APORT
whoami "$FIONA"
expect_has "fcgid, lines generated before GWAUTH_FIRST_NAME was exported: it leaks (why they are generated)" \
    "$HEADERS" "Variable-GWAUTH_FIRST_NAME: Fiona"
apache_stop fcgid
fcgid_start "$f/fcgid-headers.conf" || { fail "Apache (mod_fcgid) did not start"; return; }
PORT=$APORT
whoami "$FIONA"
expect_eq "fcgid allow: 200" "$STATUS" 200
expect_has "fcgid: REMOTE_USER reaches the CGI" "$BODY" "REMOTE_USER=fc-1"
expect_has "fcgid: GWAUTH_EMAIL reaches the CGI" "$BODY" "GWAUTH_EMAIL=fc@example.org"
expect_has "fcgid: the added export GWAUTH_FIRST_NAME reaches the CGI" "$BODY" "GWAUTH_FIRST_NAME=Fiona"
expect_hasnt "fcgid: with the lines generated from the configuration, no Variable- line reaches the client" "$HEADERS" "Variable-"
expect_eq "fcgid: user row created" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='fc-1'")" 1
expect_hasnt "fcgid: GWAUTH_SECRET does not reach the CGI" "$BODY" "GWAUTH_SECRET"
req "$(url /app/whoami)"
expect_eq "fcgid: no identity: 401" "$STATUS" 401
req -H "X-Userinfo: bad!" "$(url /app/whoami)"
expect_eq "fcgid: malformed: 401 (mod_fcgid turns every deny into 401)" "$STATUS" 401
expect_hasnt "fcgid: no identity in a deny" "$HEADERS$BODY" "GWAUTH_"
apache_stop fcgid
apache_stop apache
