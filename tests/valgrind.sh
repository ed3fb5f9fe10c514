#!/bin/bash
# make check-valgrind: the authorizer and the responder run under
#   valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1
# behind a real lighttpd and MariaDB, for a few thousand mixed requests
# (new, returning and changed users, every deny, sessions, logout, the
# signed assertion with a key rotation, claim and permission rules, deny
# and report rules, 300 groups over export_max_bytes, a permissions file
# changed and refused), and a second authorizer with identity.jwt (valid and refused tokens, a key
# rotation and a refused JWKS while it runs). Fails
# on any valgrind error or definite leak, or on any unexpected status.
set -u
. "$(dirname "$0")/integration/harness.sh"
ROUNDS=${ROUNDS:-150}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }

section "setting up MariaDB and lighttpd; gwauth under valgrind"
db_up || { fail "MariaDB setup"; summary; exit 1; }
d="$T/vg"
mkdir -p "$d/www/app" "$d/www/admin" "$d/www/pub"
cp "$GW_TOP/tests/integration/whoami.cgi" "$d/www/app/whoami"
for p in perm kc; do mkdir -p "$d/www/app/$p" && cp "$GW_TOP/tests/integration/whoami.cgi" "$d/www/app/$p/whoami"; done
echo admin >"$d/www/admin/index.html"
echo pub >"$d/www/pub/index.html"
(umask 077; printf '%s\n' "$DB_PASS" >"$d/db.password")
cat >"$d/gwauth.json" <<JSON
{ "database": { "socket": "$DB_DIR/mysql.sock", "user": "$DB_USER", "password_file": "$d/db.password",
                "name": "$DB_NAME" },
  "identity": { "max_bytes": 4096 },
  "groups": { "sync": "create", "max_count": 400,
              "claims": [{ "path": "groups" }, { "path": "realm_access.roles", "prefix": "role:", "lowercase": true }] },
  "session": { "enabled": true, "secure": false },
  "export": { "REMOTE_USER": "global_id", "GWAUTH_USER_ID": "id", "GWAUTH_EMAIL": "email",
              "GWAUTH_GROUPS": "@groups", "APP_PERMISSIONS": "@permissions" },
  "export_max_bytes": 1024,
  "access": { "permissions_file": "$d/permissions.json",
              "rules": [ { "prefix": "/admin/", "groups_any": ["staff"], "audience": "vg-admin" },
                         { "prefix": "/pub/", "access": "anonymous" },
                         { "prefix": "/app/perm/", "permissions_any": ["READ"] },
                         { "prefix": "/app/kc/", "claims_any": [{ "path": "resource_access.vg.roles", "any": ["editor"] }] },
                         { "prefix": "/app/deny/", "access": "deny" },
                         { "prefix": "/app/", "mode": "report",
                           "claims_all": [{ "path": "realm_access.roles", "all": ["user"] }] } ] },
  "assertion": { "key_file": "$d/keys", "issuer": "https://vg.example.org/gwauth", "audience": "vg",
                 "ttl_seconds": 10 },
  "fastcgi": { "secret_file": "$d/fastcgi.secret" },
  "monitor": { "metrics_file": "$d/metrics" },
  "log": { "level": "warn" } }
JSON
printf '%s\n' '{"READ": {"principals": ["vg-ret"], "groups": ["g1"]}, "WRITE": {"groups": ["staff"]}}' >"$d/permissions.json"
gw_secret "$d/fastcgi.secret"
mkdir -p "$d/keys"
jwt_key "$d/keys/1.pem" ec && chmod 600 "$d/keys/1.pem"
VG="valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --track-origins=yes"
$VG --log-file="$d/vg-authz.txt" "$GW_BIN/authorizer" -c "$d/gwauth.json" -s "unix:$d/authz.sock" -l "$d/authz.log" &
APID=$!
$VG --log-file="$d/vg-logout.txt" "$GW_BIN/logout" -c "$d/gwauth.json" -s "unix:$d/logout.sock" -l "$d/logout.log" &
LPID=$!
for i in $(seq 1 100); do [ -S "$d/authz.sock" ] && [ -S "$d/logout.sock" ] && break; sleep 0.2; done
PORT=$(gw_free_port)
gw_lighttpd_conf "$d/lighttpd.conf" "$PORT" "$d/www" "$d" "$d/authz.sock" "$d/logout.sock"
sed -i 's/"read-timeout" => 10/"read-timeout" => 60/' "$d/lighttpd.conf"
gw_lighttpd_start "$d/lighttpd.conf" "$d" "$PORT" || { fail "lighttpd"; summary; exit 1; }

# The identity.jwt authorizer: its own socket and lighttpd, no cache so
# that every request verifies its token.
j="$T/vgjwt"
mkdir -p "$j/www/app"
cp "$GW_TOP/tests/integration/whoami.cgi" "$j/www/app/whoami"
for k in a b; do jwt_key "$j/$k.pem" rsa; done
jwt_key "$j/ec.pem" ec
jwks_install "$j/jwks.json" ka="$j/a.pem" ec="$j/ec.pem"
ISS="https://sso.example.org/realms/vg"
sed -e 's|"identity": { "max_bytes": 4096 }|"identity": { "max_bytes": 4096, "cache_seconds": 0, "jwt": { "jwks_file": "'"$j"'/jwks.json", "issuers": ["'"$ISS"'"], "audiences": ["valgrind"] } }|' \
    "$d/gwauth.json" >"$j/gwauth.json"
grep -q '"jwt"' "$j/gwauth.json" || fail "identity.jwt configuration for valgrind"
$VG --log-file="$d/vg-jwt.txt" "$GW_BIN/authorizer" -c "$j/gwauth.json" -s "unix:$j/authz.sock" -l "$j/authz.log" &
JPID=$!
for i in $(seq 1 100); do [ -S "$j/authz.sock" ] && break; sleep 0.2; done
JPORT=$(gw_free_port)
gw_lighttpd_conf "$j/lighttpd.conf" "$JPORT" "$j/www" "$j" "$j/authz.sock" "$d/logout.sock" "$d/fastcgi.secret"
sed -i 's/"read-timeout" => 10/"read-timeout" => 60/' "$j/lighttpd.conf"
gw_lighttpd_start "$j/lighttpd.conf" "$j" "$JPORT" || { fail "lighttpd (jwt)"; summary; exit 1; }

# A session token to use in the mix.
TOKEN=$(curl -s -D - -o /dev/null -H "X-Userinfo: $(b64 '{"sub":"vg-sess","groups":["staff"]}')" \
    "$(url /establish_session)" | tr -d '\r' | sed -n 's/^Set-Cookie: gwauth_session=\([^;]*\).*/\1/p')
[ -n "$TOKEN" ] && ok "session established under valgrind" || fail "session established under valgrind"

# One curl process, keep-alive, one request per block; expected statuses
# go to a parallel file.
cfg="$d/curl.cfg" exp="$d/expected"
: >"$cfg"; : >"$exp"
add() { # add STATUS PATH [HEADER...]
    local st=$1 path=$2 h
    shift 2
    { printf 'url = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$(url "$path")"
      for h in "$@"; do printf 'header = "%s"\n' "$h"; done
      printf 'next\n'; } >>"$cfg"
    echo "$st" >>"$exp"
}
for r in $(seq 1 "$ROUNDS"); do
    add 200 /app/whoami "X-Userinfo: $(b64 "{\"sub\":\"vg-new-$r\",\"email\":\"n$r@example.org\",\"groups\":[\"g$((r % 5))\"]}")"
    add 200 /app/whoami "X-Userinfo: $(b64 '{"sub":"vg-ret","email":"r@example.org","groups":["staff"]}')"
    add 200 /app/whoami "X-Userinfo: $(b64 "{\"sub\":\"vg-chg\",\"email\":\"c$r@example.org\",\"country_code\":\"F$((r % 10))\"}")"
    add 200 /admin/ "X-Userinfo: $(b64 '{"sub":"vg-ret","email":"r@example.org","groups":["staff"]}')"
    add 200 /app/whoami "Cookie: gwauth_session=$TOKEN"
    add 200 /pub/
    add 401 /app/whoami
    add 401 /app/whoami "Cookie: gwauth_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    add 400 /app/whoami "X-Userinfo: $(b64 '{"sub":"x","sub":"y"}')"
    add 400 /app/whoami "X-Userinfo: not base64!"
    add 400 /app/whoami "X-Userinfo: $(b64 '{"sub":"a\u0000b"}')"
    # a client's X_Userinfo never arrives (lighttpd-header-guard.lua)
    add 200 /app/whoami "X-Userinfo: $(b64 '{"sub":"ok"}')" "X_Userinfo: $(b64 '{"sub":"other"}')"
    add 431 /app/whoami "X-Userinfo: $(head -c 5000 /dev/zero | tr '\0' 'A')"
    add 403 /admin/ "X-Userinfo: $(b64 '{"sub":"vg-nostaff"}')"
    add 400 "/pub/%2e%2e%2fadmin/" "X-Userinfo: $(b64 '{"sub":"vg-ret"}')"
    add 302 "/applogout?next=%2F%2Fevil.example"
    add 401 /applogout/x
    add 404 /applogout/x "X-Userinfo: $(b64 '{"sub":"vg-ret","email":"r@example.org","groups":["staff"]}')"
    add 200 /gwauth/health
    add 200 /gwauth/metrics
    add 200 /gwauth/jwks.json
    # claims, permissions, deny, a report rule, a header budget
    add 200 /app/perm/whoami "X-Userinfo: $(b64 '{"sub":"vg-ret","email":"r@example.org","groups":["staff"]}')"
    add 403 /app/perm/whoami "X-Userinfo: $(b64 '{"sub":"vg-nostaff"}')"
    add 200 /app/kc/whoami "X-Userinfo: $(b64 "{\"sub\":\"vg-kc-$((r % 3))\",\"realm_access\":{\"roles\":[\"User\"]},\"resource_access\":{\"vg\":{\"roles\":[\"editor\"]}}}")"
    add 403 /app/kc/whoami "X-Userinfo: $(b64 '{"sub":"vg-kc-x","resource_access":{"vg":{"roles":["viewer"]}}}')"
    add 403 /app/deny/x "X-Userinfo: $(b64 '{"sub":"vg-ret","email":"r@example.org","groups":["staff"]}')"
    add 200 /app/whoami "X-Userinfo: $(b64 "{\"sub\":\"vg-many-$((r % 4))\",\"groups\":[$(seq -s, -f '"g%03g"' 1 300)]}")"
done
# jwt: the same token made once per kind, sent many times
jtok() { jwt_sign "$j/$1.pem" "$2" "$3" \
    "{\"iss\":\"$ISS\",\"aud\":\"valgrind\",\"sub\":\"$4\",\"exp\":$(($(date +%s) + $5)),\"groups\":[\"staff\"]}"; }
JUI=$(b64 '{"sub":"vg-jwt","email":"j@example.org"}')
T_OK=$(jtok a RS256 ka vg-jwt 3600) T_EC=$(jtok ec ES256 ec vg-jwt 3600) T_B=$(jtok b RS256 kb vg-jwt 3600)
T_OLD=$(jtok a RS256 ka vg-jwt -3600) T_OTHER=$(jtok a RS256 ka vg-other 3600)
jmix() { # jmix ROUNDS CFG EXP: the jwt mix; $KB is the answer for key kb's token
    local r h
    : >"$2"; : >"$3"
    for r in $(seq 1 "$1"); do
        for h in "$T_OK:200" "$T_EC:200" "$T_B:$KB" "$T_OLD:401" "$T_OTHER:401" "hello:401" ":401"; do
            printf 'url = "http://127.0.0.1:%s/app/whoami"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$JPORT"
            printf 'header = "X-Userinfo: %s"\nheader = "X-Raw-ID-Token: %s"\nnext\n' "$JUI" "${h%:*}"
            echo "${h##*:}" >&3
        done
    done >"$2" 3>"$3"
    sed -i '$ d' "$2"
}
sed -i '$ d' "$cfg" # no "next" after the last request
expected=$(wc -l <"$exp")
t0=$(date +%s)
curl -s -K "$cfg" >"$d/got" 2>"$d/curl.err"
t1=$(date +%s)
expect_eq "all $expected requests answered as expected ($((t1 - t0)) s)" "$(diff "$exp" "$d/got" | grep -c '^[<>]')" 0

section "the assertion's keys rotated under valgrind"
jwt_key "$d/next.pem" ed && chmod 600 "$d/next.pem" && mv "$d/next.pem" "$d/keys/2.pem"
sleep 1.5
cfg="$d/curl2.cfg" exp="$d/expected2"
: >"$cfg"; : >"$exp"
for r in $(seq 1 20); do
    add 200 /app/whoami "X-Userinfo: $(b64 "{\"sub\":\"vg-rot-$r\",\"groups\":[\"staff\"]}")"
    add 200 /admin/ "X-Userinfo: $(b64 '{"sub":"vg-ret","email":"r@example.org","groups":["staff"]}')"
    add 200 /gwauth/jwks.json
done
sed -i '$ d' "$cfg"
curl -s -K "$cfg" >"$d/got2"
expect_eq "after a new key: $(wc -l <"$exp") requests as expected" "$(diff "$exp" "$d/got2" | grep -c '^[<>]')" 0
alg=$(jws_field "$(curl -s -H "X-Userinfo: $(b64 '{"sub":"vg-rot-1"}')" "$(url /app/whoami)" |
    sed -n 's/^GWAUTH_ASSERTION=//p')" 0 alg)
expect_eq "...the assertion is signed by the new key (EdDSA)" "$alg" EdDSA
expect_eq "...both keys are published" "$(curl -s "$(url /gwauth/jwks.json)" | grep -o '"kid"' | wc -l)" 2

section "the permissions file changed, then refused, under valgrind"
printf '%s\n' '{"READ": {"principals": ["vg-ret", "vg-rot-1"]}}' >"$d/permissions.new" && mv "$d/permissions.new" "$d/permissions.json"
sleep 1.5
expect_has "a new permissions file: taken" "$(curl -s -H "X-Userinfo: $(b64 '{"sub":"vg-rot-1"}')" "$(url /app/perm/whoami)")" "APP_PERMISSIONS=READ"
printf '%s\n' '{"READ": {"principals": "vg-ret"}}' >"$d/permissions.new" && mv "$d/permissions.new" "$d/permissions.json"
sleep 1.5
expect_has "a bad one: refused, the previous kept" "$(curl -s -H "X-Userinfo: $(b64 '{"sub":"vg-rot-1"}')" "$(url /app/perm/whoami)")" "APP_PERMISSIONS=READ"
expect_has "...a 300-group identity was answered without @groups" "$(cat "$d/authz.log")" "event=export_truncated groups=300"

section "identity.jwt under valgrind: tokens, a rotation, a refused JWKS"
KB=401 jmix 20 "$j/cfg1" "$j/exp1"
curl -s -K "$j/cfg1" >"$j/got1"
expect_eq "jwt: $(wc -l <"$j/exp1") requests answered as expected" "$(diff "$j/exp1" "$j/got1" | grep -c '^[<>]')" 0
jwks_install "$j/jwks.json" ka="$j/a.pem" ec="$j/ec.pem" kb="$j/b.pem"
sleep 1.5
KB=200 jmix 20 "$j/cfg2" "$j/exp2"
curl -s -K "$j/cfg2" >"$j/got2"
expect_eq "jwt after a rotation (kb added): $(wc -l <"$j/exp2") requests as expected" "$(diff "$j/exp2" "$j/got2" | grep -c '^[<>]')" 0
printf '{"keys":[]}\n' >"$j/jwks.new" && mv "$j/jwks.new" "$j/jwks.json"
sleep 1.5
curl -s -K "$j/cfg2" >"$j/got3"
expect_eq "jwt after a refused JWKS: the same answers (previous keys kept)" "$(diff "$j/exp2" "$j/got3" | grep -c '^[<>]')" 0
expect_has "...and the refusal was logged" "$(cat "$j/authz.log")" "event=jwks_refused keeping=previous keys=3"

section "valgrind verdict"
gw_stop_pidfile "$d/lighttpd.pid"
gw_stop_pidfile "$j/lighttpd.pid"
kill -TERM "$APID" "$LPID" "$JPID"
wait "$APID"; arc=$?
wait "$LPID"; lrc=$?
wait "$JPID"; jrc=$?
expect_eq "authorizer under valgrind: exit 0 (no error, no definite leak)" "$arc" 0
expect_eq "responder under valgrind: exit 0 (no error, no definite leak)" "$lrc" 0
expect_eq "identity.jwt authorizer under valgrind: exit 0 (no error, no definite leak)" "$jrc" 0
[ "$arc$lrc$jrc" = 000 ] || cat "$d"/vg-*.txt | head -80 | sed "s/^/#   /"
expect_eq "valgrind reported nothing" "$(cat "$d"/vg-*.txt)" ""
summary
