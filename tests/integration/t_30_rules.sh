#!/bin/bash
# Access rules (README "How a request is decided", step 7): anonymous and authenticated prefixes,
# groups_any and scopes_any, and attempts to dodge a rule through the path.
# shellcheck shell=bash
# alone (prove, ./t_30_rules.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
stack_start rules '{"access": {"default": "authenticated", "rules": [
    {"prefix": "/public/", "access": "anonymous"},
    {"prefix": "/admin/", "groups_any": ["staff", "ops"]},
    {"prefix": "/admin/help/", "access": "anonymous"},
    {"prefix": "/api/", "scopes_any": ["read", "admin"]},
    {"prefix": "/api/", "methods": ["OPTIONS"], "access": "anonymous"}]}}' 1 || return
RULES=$PORT
W="$T/rules/www"
mkdir -p "$W/public" "$W/admin/help" "$W/api"
echo "public page" >"$W/public/index.html"
echo "TOP SECRET" >"$W/admin/secret.html"
echo "admin help" >"$W/admin/help/index.html"
echo "api data" >"$W/api/data.txt"

STAFF=$(b64 '{"sub":"sam-1","groups":["readers","staff"]}')
NOSTAFF=$(b64 '{"sub":"nora-1","groups":["readers","staff-ish"]}')
COMMA=$(b64 '{"sub":"olga-1","groups":"readers, ops"}')

section "anonymous and authenticated prefixes"
req "$(url /public/index.html)"
expect_eq "anonymous prefix without identity: 200" "$STATUS" 200
expect_eq "...serves the page" "$BODY" "public page"
expect_deny "default (authenticated) without identity: 401" 401 unauthenticated "$(url /app/whoami)"
expect_deny "groups rule without identity: 401" 401 unauthenticated "$(url /admin/secret.html)"
req "$(url /admin/help/index.html)"
expect_eq "longer anonymous prefix inside a protected one: 200" "$STATUS" 200

section "groups_any"
req -H "X-Userinfo: $STAFF" "$(url /admin/secret.html)"
expect_eq "member of staff: 200" "$STATUS" 200
expect_eq "...gets the page" "$BODY" "TOP SECRET"
req -H "X-Userinfo: $COMMA" "$(url /admin/secret.html)"
expect_eq "comma-separated groups claim (ops): 200" "$STATUS" 200
DENY_AFTER_SYNC=1 expect_deny "not in any listed group: 403" 403 forbidden -H "X-Userinfo: $NOSTAFF" "$(url /admin/secret.html)"
req -H "X-Userinfo: $STAFF" "$(url /app/whoami)"
expect_has "GWAUTH_GROUPS sorted and comma-joined" "$BODY" "GWAUTH_GROUPS=readers,staff"

section "dodging a rule through the path (a non-member asks for /admin/secret.html)"
for p in "/public/../admin/secret.html" "/public/%2e%2e/admin/secret.html" "/public/%2E%2E/admin/secret.html" \
    "/public/.%2e/admin/secret.html" "//admin/secret.html" "///admin//secret.html" "/admin/./secret.html" \
    "/%61dmin/secret.html" "/adm%69n/secret.html" "/admin/x/../secret.html" "/./admin/secret.html" \
    "/public/./../admin/secret.html" "/admin/secret.html?/public/" "/admin/secret.html#/public/" \
    "/admin/help/../secret.html" "/admin/help/%2e%2e/secret.html"; do
    req --path-as-is -H "X-Userinfo: $NOSTAFF" "$(url "$p")"
    if [ "$STATUS" = 403 ] && [ "$BODY" = '{"error":"forbidden"}' ]; then ok "dodge $p: 403 forbidden"; else fail "dodge $p" "status $STATUS body $BODY"; fi
done
# paths above the root: lighttpd asks gwauth (400 bad_path), nginx refuses them itself
above="/../admin/secret.html /public/../../admin/secret.html"
[ "${GW_SERVER:-lighttpd}" = nginx ] && to_gwauth="" || to_gwauth=$above
# shellcheck disable=SC2086
for p in "/admin%2fsecret.html" "/admin%2Fsecret.html" "/public%2f..%2fadmin/secret.html" "/public/..%2fadmin/secret.html" \
    $to_gwauth "/admin%5c..%2fsecret.html"; do
    expect_deny "dodge $p: 400 bad_path" 400 bad_path --path-as-is -H "X-Userinfo: $NOSTAFF" "$(url "$p")"
done
# the web server refuses these itself before asking gwauth: still never served
[ "${GW_SERVER:-lighttpd}" = nginx ] && itself=$above || itself=""
# shellcheck disable=SC2086
for p in "/admin/secret.html%00" "/admin/%0asecret.html" "/admin/secret.html%7f" $itself; do
    req --path-as-is -H "X-Userinfo: $NOSTAFF" "$(url "$p")"
    if [ "$STATUS" = 400 ] && ! printf '%s' "$BODY" | grep -q "TOP SECRET"; then
        ok "dodge $p: 400 (${GW_SERVER:-lighttpd} itself)"
    elif [ "${GW_SERVER:-lighttpd}" = nginx ] && [ "$STATUS" = 403 ] && [ "$BODY" = '{"error":"forbidden"}' ]; then
        ok "dodge $p: 403 forbidden (nginx passes it to gwauth)"
    else
        fail "dodge $p" "status $STATUS"
    fi
done
for p in "/ADMIN/secret.html" "/Admin/secret.html" "/admin/SECRET.html"; do
    req --path-as-is -H "X-Userinfo: $NOSTAFF" "$(url "$p")"
    if [ "$STATUS" != 200 ] && ! printf '%s' "$BODY" | grep -q "TOP SECRET"; then
        ok "mixed case $p never serves the protected file ($STATUS)"
    else
        fail "mixed case $p" "status $STATUS body $BODY"
    fi
done
for p in "/public/../admin/secret.html" "/%61dmin/secret.html" "/public/%2e%2e/admin/secret.html"; do
    req --path-as-is "$(url "$p")"
    expect_eq "anonymous dodge $p: 401" "$STATUS" 401
done

section "methods: a CORS preflight on an authenticated path"
denies() { grep -c 'event=deny' "$T/rules/authz.log"; }
before=$(denies)
req -X OPTIONS -H "Origin: https://app.example.org" -H "Access-Control-Request-Method: GET" \
    -H "Accept: text/html" "$(url /api/data.txt)"
expect_eq "OPTIONS without identity on /api/ (an OPTIONS rule): the authorizer allows it, no login redirect" \
    "$(denies) $(case $STATUS in 302 | 401) echo "$STATUS" ;; *) echo allowed ;; esac)" "$before allowed"
DENY_AFTER_SYNC=1 expect_deny "...GET there still needs the scope: 401" 401 unauthenticated -H "Accept: application/json" \
    "$(url /api/data.txt)"
req -X OPTIONS -H "Accept: application/json" "$(url /admin/secret.html)"
expect_eq "OPTIONS elsewhere follows the path's own rule: 401" "$STATUS" 401
expect_eq "gwauth-admin explain agrees: OPTIONS /api/ allowed, GET not" \
    "$("$GW_BIN/admin" -c "$T/rules/gwauth.json" explain --path /api/x --method OPTIONS >/dev/null; echo $?) $("$GW_BIN/admin" -c "$T/rules/gwauth.json" explain --path /api/x --method GET >/dev/null; echo $?)" "0 3"

section "scopes_any"
req -H "X-Userinfo: $(b64 '{"sub":"sc-1","scope":"openid profile read"}')" "$(url /api/data.txt)"
expect_eq "scope string with read: 200" "$STATUS" 200
req -H "X-Userinfo: $(b64 '{"sub":"sc-2","scp":["write","admin"]}')" "$(url /api/data.txt)"
expect_eq "scp array with admin: 200" "$STATUS" 200
DENY_AFTER_SYNC=1 expect_deny "scope without read/admin: 403" 403 forbidden -H "X-Userinfo: $(b64 '{"sub":"sc-3","scope":"openid reader"}')" "$(url /api/data.txt)"
DENY_AFTER_SYNC=1 expect_deny "no scope claim: 403" 403 forbidden -H "X-Userinfo: $(b64 '{"sub":"sc-4"}')" "$(url /api/data.txt)"

section "claim rules on Keycloak's shapes: realm roles, client roles, full-path groups"
stack_start claimrules '{"identity": {"cache_seconds": 30}, "groups": {"claim": "groups"},
  "access": {"default": "authenticated", "rules": [
    {"prefix": "/admin/", "claims_any": [{"path": "realm_access.roles", "any": ["admin"]}]},
    {"prefix": "/edit/", "claims_all": [{"path": "resource_access.my-app.roles", "any": ["editor"]},
                                        {"path": "email_verified", "any": ["1"]}]},
    {"prefix": "/ops/", "groups_any": ["/staff/ops"]},
    {"prefix": "/internal/", "access": "deny"},
    {"prefix": "/internal/health", "access": "anonymous"},
    {"prefix": "/api/", "mode": "report", "claims_any": [{"path": "resource_access.my-app.roles", "any": ["api"]}]}]}}' 1 || return
W="$T/claimrules/www"
for d in admin edit ops internal api; do mkdir -p "$W/$d" && echo "$d page" >"$W/$d/index.html"; done
echo ok >"$W/internal/health"
# as Keycloak's token and userinfo carry them
KC_ANA=$(b64 '{"sub":"kc-ana","email_verified":true,"realm_access":{"roles":["offline_access","uma_authorization","admin"]},"resource_access":{"my-app":{"roles":["editor","api"]},"account":{"roles":["manage-account","view-profile"]}},"groups":["/staff/ops","/staff"]}')
KC_BEN=$(b64 '{"sub":"kc-ben","email_verified":false,"realm_access":{"roles":["offline_access"]},"resource_access":{"my-app":{"roles":["editor"]}},"groups":["/staff"]}')
req -H "X-Userinfo: $KC_ANA" "$(url /admin/)"
expect_eq "claims_any on realm_access.roles: 200" "$STATUS $BODY" "200 admin page"
DENY_AFTER_SYNC=1 expect_deny "...without the realm role: 403" 403 forbidden -H "X-Userinfo: $KC_BEN" "$(url /admin/)"
req -H "X-Userinfo: $KC_ANA" "$(url /admin/)"
expect_eq "...again, from the cache: 200" "$STATUS" 200
DENY_AFTER_SYNC=1 expect_deny "...and the refused user again, from the cache: 403" 403 forbidden -H "X-Userinfo: $KC_BEN" "$(url /admin/)"
req -H "X-Userinfo: $KC_ANA" "$(url /edit/)"
expect_eq "claims_all: a client role (resource_access.my-app.roles) and email_verified: 200" "$STATUS" 200
DENY_AFTER_SYNC=1 expect_deny "...the client role without a verified email: 403" 403 forbidden -H "X-Userinfo: $KC_BEN" "$(url /edit/)"
req -H "X-Userinfo: $KC_ANA" "$(url /ops/)"
expect_eq "groups_any on a full-path group (/staff/ops): 200" "$STATUS" 200
DENY_AFTER_SYNC=1 expect_deny "...its parent group alone: 403" 403 forbidden -H "X-Userinfo: $KC_BEN" "$(url /ops/)"
expect_deny "access deny: 403 without an identity (no login redirect)" 403 forbidden -H "Accept: text/html" "$(url /internal/)"
DENY_AFTER_SYNC=1 expect_deny "...and 403 with one" 403 forbidden -H "X-Userinfo: $KC_ANA" "$(url /internal/)"
req "$(url /internal/health)"
expect_eq "...a longer anonymous prefix inside it: 200" "$STATUS" 200

section "a rule in report mode logs and counts, and denies nothing"
reports() { req "$(url /gwauth/metrics)"; printf '%s\n' "$BODY" | awk -v r="$1" '$1 == "gwauth_rule_reports_total{result=\"" r "\"}" { print $2 }'; }
wd=$(reports would_deny) wa=$(reports would_allow)
req -H "X-Userinfo: $KC_BEN" "$(url /api/)"
expect_eq "a user the report rule would refuse: 200 all the same" "$STATUS $BODY" "200 api page"
expect_has "...logged: the rule, what it would answer, what was answered" "$(cat "$T/claimrules/authz.log")" \
    'event=rule_report rule="/api/" would=403 code=forbidden enforced=200'
req -H "X-Userinfo: $KC_ANA" "$(url /api/)"
expect_eq "a user it would let in: 200" "$STATUS" 200
expect_eq "...counted: one would_deny, one would_allow" "$(reports would_deny) $(reports would_allow)" \
    "$((${wd:-0} + 1)) $((${wa:-0} + 1))"
expect_deny "...without an identity the enforced rule still answers: 401" 401 unauthenticated \
    -H "Accept: application/json" "$(url /api/)"
out=$("$GW_BIN/admin" --json -c "$T/claimrules/gwauth.json" explain --path /api/x --header "$KC_BEN")
expect_has "gwauth-admin explain shows the rule in report mode and what it would answer" \
    "$(printf '%s' "$out" | tr -d ' \t\n')" '"report_rule":"/api/","report_would":403'

section "permissions (access.permissions_file): permissions_any and @permissions"
P="$T/perms.json"
printf '%s\n' '{"READ_EXAMPLES": {"principals": ["pat-1@person"], "groups": ["105217"]},
  "WRITE_EXAMPLES": {"principals": ["wgd23@person"]}}' >"$P.new" && mv "$P.new" "$P"
stack_start perms "$(printf '{"identity": {"cache_seconds": 30}, "access": {"permissions_file": "%s",
  "rules": [{"prefix": "/app/examples/", "permissions_any": ["READ_EXAMPLES", "WRITE_EXAMPLES"]}]},
  "export": {"REMOTE_USER": "global_id", "GWAUTH_USER_ID": "id", "APP_PERMISSIONS": "@permissions"}}' "$P")" 1 || return
mkdir -p "$T/perms/www/app/examples"
# behind nginx, /app/ is the FastCGI application (envapp), which prints the same
[ "${GW_SERVER:-lighttpd}" = nginx ] || cp "$GW_TOP/tests/integration/whoami.cgi" "$T/perms/www/app/examples/whoami"
req -H "X-Userinfo: $(b64 '{"sub":"pat-1@person"}')" "$(url /app/examples/whoami)"
expect_eq "a principal that holds READ_EXAMPLES: 200" "$STATUS" 200
expect_has "...@permissions names it" "$BODY" "APP_PERMISSIONS=READ_EXAMPLES"
req -H "X-Userinfo: $(b64 '{"sub":"kai-1@person","groups":["105217"]}')" "$(url /app/examples/whoami)"
expect_eq "a member of a group that holds it: 200" "$STATUS" 200
DENY_AFTER_SYNC=1 expect_deny "a user who holds neither permission: 403" 403 forbidden \
    -H "X-Userinfo: $(b64 '{"sub":"eve-1@person","groups":["other"]}')" "$(url /app/examples/whoami)"
req -H "X-Userinfo: $(b64 '{"sub":"wgd23@person"}')" "$(url /app/examples/whoami)"
expect_has "WRITE_EXAMPLES alone is enough (permissions_any)" "$BODY" "APP_PERMISSIONS=WRITE_EXAMPLES"
printf '%s\n' '{"READ_EXAMPLES": {"principals": ["pat-1@person"], "groups": ["105217"]},
  "WRITE_EXAMPLES": {"principals": ["wgd23@person", "pat-1@person"]}}' >"$P.new" && mv "$P.new" "$P"
sleep 1.2
req -H "X-Userinfo: $(b64 '{"sub":"pat-1@person"}')" "$(url /app/examples/whoami)"
expect_has "the file changed: re-read without a restart, the cached reply gone" "$BODY" \
    "APP_PERMISSIONS=READ_EXAMPLES,WRITE_EXAMPLES"
expect_has "...logged" "$(cat "$T/perms/authz.log")" "event=permissions_reloaded permissions=2"
printf '%s\n' '{"READ_EXAMPLES": {"principals": "pat-1@person"}}' >"$P.new" && mv "$P.new" "$P"
sleep 1.2
req -H "X-Userinfo: $(b64 '{"sub":"wgd23@person"}')" "$(url /app/examples/whoami)"
expect_eq "a bad new file: the previous permissions stay (200)" "$STATUS" 200
expect_has "...the problem logged with the permission and key" "$(cat "$T/perms/authz.log")" \
    "READ_EXAMPLES.principals: expected an array of strings"
expect_has "...and what was kept" "$(cat "$T/perms/authz.log")" "event=permissions_refused keeping=previous permissions=2"
expect_hasnt "...never a principal" "$(grep permissions_refused "$T/perms/authz.log")" "pat-1"
sed 's/"WRITE_EXAMPLES"\]/"WRITE_EXAMPLE"]/' "$T/perms/gwauth.json" >"$T/perms/typo.json"
printf '%s\n' '{"READ_EXAMPLES": {"principals": ["pat-1@person"]}}' >"$T/perms.good"
sed -i "s|$P|$T/perms.good|" "$T/perms/typo.json"
out=$("$GW_BIN/authorizer" -c "$T/perms/typo.json" --check-config 2>&1); rc=$?
expect_eq "--check-config with a rule naming a permission the file lacks: OK, with a note" "$rc" 0
expect_has "...naming the rule and the permission" "$out" \
    'note: access.rules (prefix /app/examples/): permission "WRITE_EXAMPLE" is not in the permissions file: nobody holds it'
out=$("$GW_BIN/authorizer" -c "$T/perms/gwauth.json" --check-config 2>&1); rc=$?
expect_eq "--check-config with the bad permissions file: exit 1" "$rc" 1
expect_has "...naming the file's problem" "$out" "access.permissions_file: $P: READ_EXAMPLES.principals: expected an array of strings"
out=$("$GW_BIN/authorizer" -c "$T/perms/gwauth.json" -s "$T/perms/refused.sock" 2>&1); rc=$?
expect_eq "starting with the bad file: exit 1" "$rc" 1
expect_has "...naming the permission and the key" "$out" "READ_EXAMPLES.principals: expected an array of strings"
stack_stop perms
