#!/bin/bash
# identity.jwt through lighttpd: with it, an identity must come with the
# gateway's signed ID token, valid and for the same subject; the token's
# claims win over the unsigned ones; the cache never outlives the token;
# a new JWKS file is picked up without a restart, a bad one is refused.
# shellcheck shell=bash
# alone (prove, ./t_55_jwt.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
J="$T/jwt"
mkdir -p "$J"
ISS="https://sso.example.org/realms/main"
for k in rsa other; do jwt_key "$J/$k.pem" rsa; done
jwt_key "$J/ec.pem" ec
jwt_key "$J/ed.pem" ed
jwks_install "$J/jwks.json" rsa-1="$J/rsa.pem" ec-1="$J/ec.pem" || fail "jwtmint jwks"
# tok KEY ALG KID PAYLOAD: a token signed with $J/KEY.pem
tok() { jwt_sign "$J/$1.pem" "$2" "$3" "$4"; }
# claims SUB EXP [MORE]: a payload from our issuer for audience "app"
claims() { printf '{"iss":"%s","aud":"app","sub":"%s","exp":%s%s}' "$ISS" "$1" "$2" "${3:-}"; }
# jget TOKEN UI [PATH]: a request with both headers
jget() { req -H "X-Userinfo: $2" -H "X-Raw-ID-Token: $1" "$(url "${3:-/app/whoami}")"; }
jwt_conf() { # jwt_conf EXTRA_JWT_MEMBERS
    printf '{"identity": {"cache_seconds": 30, "jwt": {"jwks_file": "%s", "issuers": ["%s"],
      "audiences": ["app"], "leeway_seconds": 1%s}},
      "access": {"rules": [{"prefix": "/admin/", "groups_any": ["admin"]}]}}' "$J/jwks.json" "$ISS" "${1:-}"
}
stack_start jwt "$(jwt_conf)" 1 || return
mkdir -p "$T/jwt/www/admin" && echo admin >"$T/jwt/www/admin/index.html"
NOW=$(date +%s)
KIM=$(b64 '{"sub":"kim-1","email":"kim@example.org","groups":["admin"]}')

section "jwt: a valid token lets the identity through"
T_RS=$(tok rsa RS256 rsa-1 "$(claims kim-1 $((NOW + 600)) ',"groups":["admin"]')")
jget "$T_RS" "$KIM"
expect_eq "RS256 token for the same subject: 200" "$STATUS" 200
expect_has "...REMOTE_USER is the subject" "$BODY" "REMOTE_USER=kim-1"
expect_eq "...and the user row exists" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='kim-1'")" 1
jget "$(tok ec ES256 ec-1 "$(claims kim-1 $((NOW + 600)) ',"email":"kim@signed.example"')")" "$KIM"
expect_eq "ES256 token: 200" "$STATUS" 200
expect_has "...the token's email wins over the userinfo's" "$BODY" "GWAUTH_EMAIL=kim@signed.example"

section "jwt: every bad token is 401 invalid_token, nothing written"
EVE=$(b64 '{"sub":"eve-1","groups":["admin"]}')
expect_deny "identity without a token" 401 invalid_token -H "X-Userinfo: $EVE" "$(url /app/whoami)"
expect_deny "token signed by a key not in the JWKS" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $(tok other RS256 rsa-1 "$(claims eve-1 $((NOW + 600)))")" "$(url /app/whoami)"
expect_deny "expired token (beyond the leeway)" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $(tok rsa RS256 rsa-1 "$(claims eve-1 $((NOW - 30)))")" "$(url /app/whoami)"
expect_deny "token for another audience" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $(tok rsa RS256 rsa-1 "$(claims eve-1 $((NOW + 600)) | sed 's/"aud":"app"/"aud":"other-app"/')")" "$(url /app/whoami)"
# a logout token or an access token of the same issuer is not an ID token
typtok() { "$MINT" sign "$J/rsa.pem" RS256 "{\"alg\":\"RS256\",\"typ\":\"$1\",\"kid\":\"rsa-1\"}" "$2"; }
expect_deny "a logout token (typ logout+jwt) as the ID token: 401" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $(typtok logout+jwt "$(claims eve-1 $((NOW + 600)))")" "$(url /app/whoami)"
expect_deny "an access token (typ at+jwt): 401" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $(typtok at+jwt "$(claims eve-1 $((NOW + 600)))")" "$(url /app/whoami)"
expect_has "...logged with why" "$(cat "$T/jwt/authz.log")" 'reason="token type (typ) not accepted"'
multi() { claims "${2:-eve-1}" $((NOW + 600)) | sed "s/\"aud\":\"app\"/\"aud\":[\"app\",\"other-app\"]$1/"; }
expect_deny "several audiences without azp: 401" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $(tok rsa RS256 rsa-1 "$(multi '')")" "$(url /app/whoami)"
expect_deny "several audiences, azp another client: 401" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $(tok rsa RS256 rsa-1 "$(multi ',"azp":"other-app"')")" "$(url /app/whoami)"
jget "$(tok rsa RS256 rsa-1 "$(multi ',"azp":"app"' multi-1)")" "$(b64 '{"sub":"multi-1"}')"
expect_eq "several audiences, azp ours: 200" "$STATUS" 200
expect_deny "token from another issuer" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $(tok rsa RS256 rsa-1 "$(claims eve-1 $((NOW + 600)) | sed 's|realms/main|realms/evil|')")" "$(url /app/whoami)"
expect_deny "someone else's valid token beside a forged userinfo" 401 invalid_token -H "X-Userinfo: $EVE" \
    -H "X-Raw-ID-Token: $T_RS" "$(url /app/whoami)"
NONE="$(b64 '{"alg":"none"}' | tr '+/' '-_' | tr -d '=').$(claims eve-1 $((NOW + 600)) | base64 -w0 | tr '+/' '-_' | tr -d '=')."
expect_deny "alg none" 401 invalid_token -H "X-Userinfo: $EVE" -H "X-Raw-ID-Token: $NONE" "$(url /app/whoami)"
expect_deny "a token that is not a JWS" 401 invalid_token -H "X-Userinfo: $EVE" -H "X-Raw-ID-Token: hello" "$(url /app/whoami)"
expect_eq "no row for the refused subject" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='eve-1'")" 0
# a client's X_Raw_ID_Token never arrives (lighttpd-header-guard.lua);
# gwauth's own refusal of a repeated token variable, without the guard:
out=$("$GW_BIN/tests/fcgiclient" "unix:$T/jwt/authz.sock" REQUEST_URI=/app/whoami REMOTE_ADDR=127.0.0.1 \
    "GWAUTH_SECRET=$(cat "$T/jwt/fastcgi.secret")" "HTTP_X_USERINFO=$KIM" "HTTP_X_RAW_ID_TOKEN=$T_RS" "HTTP_X_RAW_ID_TOKEN=$T_RS")
expect_has "a token twice: 400" "$out" '{"error":"duplicate_identity_header"}'
req -H "X-Userinfo: $KIM" -H "X-Raw-ID-Token: $T_RS" -H "X_Raw_ID_Token: forged" "$(url /app/whoami)"
expect_has "a client's X_Raw_ID_Token beside the gateway's never arrives" "$BODY" "REMOTE_USER=kim-1"

section "jwt: groups come from the token, not from the unsigned userinfo"
T_NOADM=$(tok rsa RS256 rsa-1 "$(claims kim-1 $((NOW + 600)) ',"groups":["staff"]')")
DENY_AFTER_SYNC=1 expect_deny "userinfo says admin, the token says staff: 403 on /admin/" 403 forbidden \
    -H "X-Userinfo: $KIM" -H "X-Raw-ID-Token: $T_NOADM" "$(url /admin/)"
jget "$T_RS" "$KIM" /admin/
expect_eq "the token says admin: 200 on /admin/" "$STATUS" 200
expect_deny "a token alone is no identity: the rules decide (401 unauthenticated)" 401 unauthenticated \
    -H "X-Raw-ID-Token: $T_RS" "$(url /app/index.html)"

section "jwt: the cache never outlives the token"
NOW=$(date +%s) # the 3 s below count from here, not from the start of the file
T_SHORT=$(tok rsa RS256 rsa-1 "$(claims kim-1 $((NOW + 3)))")
jget "$T_SHORT" "$KIM"
expect_eq "a token about to expire: 200 now" "$STATUS" 200
while [ "$(date +%s)" -le $((NOW + 4)) ]; do sleep 0.2; done
before=$(writes)
jget "$T_SHORT" "$KIM"
expect_eq "the same request after exp + leeway: 401 although cache_seconds is 30" "$STATUS" 401
expect_has "...invalid_token" "$BODY" invalid_token
expect_eq "...nothing written" "$(writes)" "$before"
jget "$T_RS" "$KIM"
expect_eq "the RS256 request again (cached)" "$STATUS" 200

section "jwt: key rotation without a restart"
PIDS_BEFORE=$(stack_pids jwt)
jwks_install "$J/jwks.json" ed-1="$J/ed.pem"
sleep 1.2
T_ED=$(tok ed EdDSA ed-1 "$(claims kim-1 $((NOW + 600)) ',"groups":["admin"]')")
jget "$T_ED" "$KIM"
expect_eq "a token of the new key (EdDSA): 200" "$STATUS" 200
jget "$T_RS" "$KIM"
expect_eq "the old key's token, cached before the rotation: now 401" "$STATUS" 401
expect_has "...the rotation was logged" "$(cat "$T/jwt/authz.log")" "event=jwks_reloaded keys=1 skipped=0"
# a rotation that keeps the file's inode, size and mtime (cp -p over it):
# only its ctime tells
jwt_key "$J/ed2.pem" ed
"$MINT" jwks ed-1="$J/ed2.pem" >"$J/jwks.same"
expect_eq "a set of the same size" "$(stat -c %s "$J/jwks.same")" "$(stat -c %s "$J/jwks.json")"
ino=$(stat -c %i "$J/jwks.json")
touch -r "$J/jwks.json" "$J/jwks.same"
cp -p "$J/jwks.same" "$J/jwks.json"
expect_eq "...copied in place with its mtime" "$(stat -c %i.%Y "$J/jwks.json")" "$ino.$(stat -c %Y "$J/jwks.same")"
sleep 1.2
jget "$(tok ed2 EdDSA ed-1 "$(claims kim-1 $((NOW + 600)) ',"groups":["admin"]')")" "$KIM"
expect_eq "...is noticed (ctime): the new key's token is 200" "$STATUS" 200
jwks_install "$J/jwks.json" ed-1="$J/ed.pem"
sleep 1.2
jget "$T_ED" "$KIM"
expect_eq "...and the key is back for the next steps" "$STATUS" 200
printf '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}\n' >"$J/jwks.new" && mv "$J/jwks.new" "$J/jwks.json"
sleep 1.2
jget "$T_ED" "$KIM"
expect_eq "a bad new JWKS: the previous keys stay (200)" "$STATUS" 200
expect_has "...the refusal is logged" "$(cat "$T/jwt/authz.log")" "event=jwks_refused keeping=previous keys=1"
expect_hasnt "...without the key material" "$(cat "$T/jwt/authz.log")" "c2VjcmV0"
req "$(url /gwauth/metrics)"
kok=$(printf '%s\n' "$BODY" | awk '$1 == "gwauth_jwks_reloads_total{result=\"ok\"}" { print $2 }')
kno=$(printf '%s\n' "$BODY" | awk '$1 == "gwauth_jwks_reloads_total{result=\"refused\"}" { print $2 }')
expect_eq "...and counted: key files taken, and the one refused" "$([ "${kok:-0}" -ge 3 ] && [ "${kno:-0}" -ge 1 ] && echo yes)" yes
expect_eq "...and the same processes served it all" "$(stack_pids jwt)" "$PIDS_BEFORE"

section "jwt: check-config and start refuse a bad JWKS"
out=$("$GW_BIN/authorizer" -c "$T/jwt/gwauth.json" --check-config 2>&1); rc=$?
expect_eq "--check-config with a bad JWKS: exit 1" "$rc" 1
expect_has "...naming the key and the file" "$out" "identity.jwt.jwks_file: $J/jwks.json: keys[0]: holds private key material"
out=$("$GW_BIN/authorizer" -c "$T/jwt/gwauth.json" -s "$J/refused.sock" 2>&1); rc=$?
expect_eq "starting with a bad JWKS: exit 1" "$rc" 1
expect_has "...and says why" "$out" "event=start_failed"
jwks_install "$J/jwks.json" ed-1="$J/ed.pem" rsa-1="$J/rsa.pem"
out=$("$GW_BIN/authorizer" -c "$T/jwt/gwauth.json" --check-config 2>&1); rc=$?
expect_eq "--check-config with a good JWKS: OK" "$rc:$out" "0:OK"

section "jwt: SIGHUP to a configuration whose JWKS cannot be read"
JPID=$(stack_pids jwt)
cp "$T/jwt/gwauth.json" "$J/gwauth.json.good"
sed -i "s|$J/jwks.json|$J/missing.json|" "$T/jwt/gwauth.json"
kill -HUP $JPID
sleep 0.5
jget "$T_ED" "$KIM"
expect_eq "reload refused: the previous configuration and keys still answer (200)" "$STATUS" 200
expect_has "...the log names the missing file" "$(cat "$T/jwt/authz.log")" "missing.json: cannot read"
expect_has "...and keeps the previous configuration" "$(cat "$T/jwt/authz.log")" "event=reload_refused keeping=previous"
expect_eq "...in the same process" "$(stack_pids jwt)" "$JPID"
cp "$J/gwauth.json.good" "$T/jwt/gwauth.json"
kill -HUP $JPID
sleep 0.5
jget "$T_ED" "$KIM"
expect_eq "reload with the JWKS back: 200" "$STATUS" 200
expect_eq "...and a foreign key's token still 401" "$(jget "$(tok other RS256 rsa-1 "$(claims kim-1 $((NOW + 600)))")" "$KIM"; echo "$STATUS")" 401

section "jwt: Authorization: Bearer"
stack_start jwtbearer "$(jwt_conf ', "header": "HTTP_AUTHORIZATION"')" 1 || return
req -H "X-Userinfo: $KIM" -H "Authorization: Bearer $T_ED" "$(url /app/whoami)"
expect_eq "Authorization: Bearer <token>: 200" "$STATUS" 200
expect_has "...REMOTE_USER set" "$BODY" "REMOTE_USER=kim-1"
expect_deny "Authorization: Basic is no token" 401 invalid_token -H "X-Userinfo: $KIM" \
    -H "Authorization: Basic a2ltOnB3" "$(url /app/whoami)"
expect_deny "the token in X-Raw-ID-Token does not count here" 401 invalid_token -H "X-Userinfo: $KIM" \
    -H "X-Raw-ID-Token: $T_ED" "$(url /app/whoami)"
stack_stop jwtbearer

section "jwt: several issuers, each with its own keys and audiences"
ISS2="https://sso.example.org/realms/partners"
jwt_key "$J/p1.pem" ec
jwt_key "$J/p2.pem" ec
jwks_install "$J/partners.json" p-1="$J/p1.pem"
stack_start jwtrealms "$(printf '{"identity": {"cache_seconds": 30, "jwt": {"jwks_file": "%s",
  "audiences": ["app"], "issuers": ["%s", {"issuer": "%s", "jwks_file": "%s", "audiences": ["partner-gw"]}]}}}' \
    "$J/jwks.json" "$ISS" "$ISS2" "$J/partners.json")" 1 || return
pclaims() { printf '{"iss":"%s","aud":"%s","sub":"pat-1","exp":%s}' "$ISS2" "${1:-partner-gw}" $((NOW + 600)); }
PAT=$(b64 '{"sub":"pat-1"}')
jget "$(tok p1 ES256 p-1 "$(pclaims)")" "$PAT"
expect_eq "a partners token with the partners' key and audience: 200" "$STATUS" 200
expect_has "...REMOTE_USER set" "$BODY" "REMOTE_USER=pat-1"
jget "$T_ED" "$KIM"
expect_eq "...and the main realm's token still: 200" "$STATUS" 200
expect_deny "a partners token signed with the main realm's key: 401" 401 invalid_token -H "X-Userinfo: $PAT" \
    -H "X-Raw-ID-Token: $(tok ed EdDSA ed-1 "$(pclaims)")" "$(url /app/whoami)"
expect_deny "a partners token for the main realm's audience: 401" 401 invalid_token -H "X-Userinfo: $PAT" \
    -H "X-Raw-ID-Token: $(tok p1 ES256 p-1 "$(pclaims app)")" "$(url /app/whoami)"
expect_deny "a main token for the partners' audience: 401" 401 invalid_token -H "X-Userinfo: $KIM" \
    -H "X-Raw-ID-Token: $(tok ed EdDSA ed-1 "$(claims kim-1 $((NOW + 600))| sed 's/"aud":"app"/"aud":"partner-gw"/')")" "$(url /app/whoami)"
out=$("$GW_BIN/authorizer" -c "$T/jwtrealms/gwauth.json" --print-config 2>/dev/null)
expect_has "--print-config shows the realm as given" "$(printf '%s' "$out" | tr -d ' \t\n')" "{\"issuer\":\"$ISS2\",\"jwks_file\":\"$J/partners.json\",\"audiences\":[\"partner-gw\"]}"

section "jwt: a token naming an unknown key looks at the file at once"
# right after the start of a second: the process looks at the file (the
# first request), the key arrives, and a token of the new key comes within
# the same second, before the once-a-second look would see the file
ns=$(date +%N)
sleep "0.$(printf '%09d' $((1000000000 - 10#$ns)))"
jget "$(tok p1 ES256 p-1 "$(pclaims)")" "$PAT"
jwks_install "$J/partners.json" p-1="$J/p1.pem" p-2="$J/p2.pem"
jget "$(tok p2 ES256 p-2 "$(pclaims)")" "$PAT"
expect_eq "the new key's token, in the same second as the last look: 200" "$STATUS" 200
expect_has "...the file was looked at again for it" "$(cat "$T/jwtrealms/authz.log")" 'event=jwks_reread reason="a token named an unknown key"'
expect_has "...and re-read" "$(cat "$T/jwtrealms/authz.log")" "event=jwks_reloaded keys=2 skipped=0 file=\"$J/partners.json\""
expect_deny "a kid no file holds: still 401" 401 invalid_token -H "X-Userinfo: $PAT" \
    -H "X-Raw-ID-Token: $(tok p2 ES256 p-9 "$(pclaims)")" "$(url /app/whoami)"
stack_stop jwtrealms

section "jwt: a Keycloak ID token's roles drive the rules, the groups and the columns"
stack_start jwtkc "$(printf '{"identity": {"jwt": {"jwks_file": "%s", "issuers": ["%s"], "audiences": ["app"]}},
  "users": {"fields": {"email": "email", "preferred_username": "username"}},
  "groups": {"claims": [{"path": "realm_access.roles", "prefix": "role:"}]},
  "export": {"REMOTE_USER": "global_id", "GWAUTH_USERNAME": "username", "GWAUTH_GROUPS": "@groups"},
  "access": {"rules": [{"prefix": "/app/admin/", "claims_any": [{"path": "resource_access.app.roles", "any": ["manager"]}]},
                       {"prefix": "/app/ops/", "groups_any": ["role:ops"]}]}}' "$J/jwks.json" "$ISS")" 1 || return
for d in admin ops; do mkdir -p "$T/jwtkc/www/app/$d" && cp "$GW_TOP/tests/integration/whoami.cgi" "$T/jwtkc/www/app/$d/whoami"; done
KC_TOKEN=$(tok ed EdDSA ed-1 "$(claims kc-t1 $((NOW + 600)) ',"preferred_username":"tina","realm_access":{"roles":["ops","offline_access"]},"resource_access":{"app":{"roles":["manager"]},"account":{"roles":["view-profile"]}}')")
jget "$KC_TOKEN" "$(b64 '{"sub":"kc-t1","preferred_username":"forged"}')" /app/admin/whoami
expect_eq "the token's client role (resource_access.app.roles) meets claims_any: 200" "$STATUS" 200
expect_has "...the token's preferred_username fills the column, not the userinfo's" "$BODY" "GWAUTH_USERNAME=tina"
expect_has "...its realm roles are the groups, prefixed" "$BODY" "GWAUTH_GROUPS=role:offline_access,role:ops"
jget "$KC_TOKEN" "$(b64 '{"sub":"kc-t1"}')" /app/ops/whoami
expect_eq "...and groups_any on a realm role: 200" "$STATUS" 200
DENY_AFTER_SYNC=1 expect_deny "roles claimed by the userinfo alone, not by the token: 403" 403 forbidden \
    -H "X-Userinfo: $(b64 '{"sub":"kc-t2","resource_access":{"app":{"roles":["manager"]}},"realm_access":{"roles":["ops"]}}')" \
    -H "X-Raw-ID-Token: $(tok ed EdDSA ed-1 "$(claims kc-t2 $((NOW + 600)) ',"realm_access":{"roles":[]},"resource_access":{}')")" \
    "$(url /app/admin/whoami)"
stack_stop jwtkc

section "jwt: Apache (mod_authnz_fcgi), Bearer with CGIPassAuth On"
a="$T/apjwt"
mkdir -p "$a/www/app"
cp "$GW_TOP/tests/integration/whoami.cgi" "$a/www/app/whoami"
chmod 644 "$T/jwtbearer/gwauth.json" "$T/jwtbearer/db.password" "$J/jwks.json" "$T/jwtbearer/fastcgi.secret"
AJ=$(gw_free_port)
spawn-fcgi -a 127.0.0.1 -p "$AJ" -F 1 -P "$a/authz.pids" -- "$GW_BIN/authorizer" -c "$T/jwtbearer/gwauth.json" \
    -l "$a/authz.log" >/dev/null 2>&1
sed 's/^    #CGIPassAuth On/    CGIPassAuth On/' "$GW_TOP/apache2.conf.example" >"$a/apache2.conf"
grep -q '^    CGIPassAuth On' "$a/apache2.conf" || fail "the Apache example names CGIPassAuth"
"$GW_BIN/admin" -c "$T/jwtbearer/gwauth.json" snippet apache-anonymous >"$a/anonymous.conf" ||
    fail "gwauth-admin snippet apache-anonymous"
if apache_start apjwt "$a/apache2.conf" "Define GWAUTH_AUTHORIZER fcgi://127.0.0.1:$AJ/
Define GWAUTH_RESPONDER fcgi://127.0.0.1:$(gw_free_port)/
Define GWAUTH_DOCROOT $a/www
Define GWAUTH_ANONYMOUS_PATHS $a/anonymous.conf
Define GWAUTH_SECRET $(cat "$T/jwtbearer/fastcgi.secret")"; then
    req -H "X-Userinfo: $KIM" -H "Authorization: Bearer $T_ED" "http://127.0.0.1:$APORT/app/whoami"
    expect_eq "Apache: Authorization: Bearer reaches gwauth with CGIPassAuth On: 200" "$STATUS" 200
    expect_has "...REMOTE_USER reaches the CGI" "$BODY" "REMOTE_USER=kim-1"
    req -H "X-Userinfo: $KIM" -H "Authorization: Bearer $(tok other RS256 rsa-1 "$(claims kim-1 $((NOW + 600)))")" \
        "http://127.0.0.1:$APORT/app/whoami"
    expect_eq "Apache: a foreign key's token: 401" "$STATUS" 401
    expect_has "...invalid_token" "$BODY" invalid_token
    apache_stop apjwt
else
    fail "Apache (jwt) did not start"
fi
for pid in $(cat "$a/authz.pids"); do kill "$pid" 2>/dev/null; done
stack_stop jwt

section "jwt: the audience is required; \"any\" is a warned choice"
printf '{"database": {"socket": "/x", "user": "u", "password_file": "/dev/null", "name": "n"}, "identity": {"jwt": {"jwks_file": "%s", "issuers": ["%s"]}}}' "$J/jwks.json" "$ISS" >"$T/noaud.json"
out=$("$GW_BIN/authorizer" -c "$T/noaud.json" --check-config 2>&1); rc=$?
expect_eq "no audiences: the configuration is refused" "$rc" 1
expect_has "...saying why" "$out" 'identity.jwt.audiences: required'
sed 's|"issuers"|"audiences": "any", "issuers"|' "$T/noaud.json" >"$T/anyaud.json"
out=$("$GW_BIN/authorizer" -c "$T/anyaud.json" --check-config 2>&1)
expect_has "\"audiences\": \"any\": accepted with a warning" "$out" 'warning: identity.jwt.audiences is "any"'

section "jwt: the APISIX + Keycloak preset (examples/apisix-keycloak-jwt.json)"
stack_start jwtpreset "$(sed "s|/etc/gwauth/jwks.json|$J/jwks.json|" "$GW_TOP/examples/apisix-keycloak-jwt.json")" 1 || return
aud_apisix() { claims "$1" "$2" "${3:-}" | sed 's/"aud":"app"/"aud":"apisix"/'; }
LIV=$(b64 '{"sub":"liv-1","email":"liv@example.org","groups":["admin"]}')
jget "$(tok ed EdDSA ed-1 "$(aud_apisix liv-1 $((NOW + 600)) ',"groups":["ops","dev"]')")" "$LIV"
expect_eq "preset: a Keycloak-shaped token for the gateway's client: 200" "$STATUS" 200
expect_has "...groups from the token, not the userinfo" "$BODY" "GWAUTH_GROUPS=dev,ops"
expect_eq "...and synced as the preset says" \
    "$(sqlv "SELECT GROUP_CONCAT(g.name ORDER BY g.name) FROM user_groups ug JOIN \`groups\` g ON g.id = ug.group_id
             JOIN users u ON u.id = ug.user_id WHERE u.global_id = 'liv-1'")" "dev,ops"
expect_deny "preset: a token for another client: 401" 401 invalid_token -H "X-Userinfo: $LIV" \
    -H "X-Raw-ID-Token: $(tok ed EdDSA ed-1 "$(claims liv-1 $((NOW + 600)))")" "$(url /app/whoami)"
stack_stop jwtpreset
