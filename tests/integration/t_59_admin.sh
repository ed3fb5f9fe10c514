#!/bin/bash
# gwauth-admin against the real database: users, sessions, explain,
# status; what each command changes is seen by the running programs.
# shellcheck shell=bash
# alone (prove, ./t_59_admin.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
stack_start adm '{"session": {"enabled": true, "secure": false},
  "identity": {"cache_seconds": 1},
  "access": {"rules": [{"prefix": "/admin/", "groups_any": ["admins"]}]}}' 2 || return
d="$T/adm"
ADM() { "$GW_BIN/admin" -c "$d/gwauth.json" "$@"; }
# jq-like: jf EXPR: evaluates a Python expression over the JSON on stdin (as j)
jf() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

section "gwauth-admin: usage and exit codes"
out=$(ADM --help); rc=$?
expect_eq "--help: exit 0" "$rc" 0
expect_has "...lists the commands" "$out" "sessions revoke --user ID | --session PREFIX | --all"
ADM >/dev/null 2>&1; expect_eq "no command: exit 2" "$?" 2
ADM frobnicate >/dev/null 2>&1; expect_eq "an unknown command: exit 2" "$?" 2
ADM user show abc >/dev/null 2>&1; expect_eq "user show with a non-numeric id: exit 2" "$?" 2
ADM sessions revoke --session 12ab >/dev/null 2>&1; expect_eq "a session prefix under 8 digits: exit 2" "$?" 2
out=$("$GW_BIN/admin" -c "$d/none.json" status 2>&1); rc=$?
expect_eq "a missing configuration: exit 1" "$rc" 1
expect_has "...saying which file" "$out" "none.json"

section "gwauth-admin: user show"
ALICE=$(b64 '{"sub":"adm-alice","email":"adm-alice@example.org","preferred_username":"alice"}')
req -H "X-Userinfo: $ALICE" "$(url /app/whoami)"
AID=$(sqlv "SELECT id FROM users WHERE global_id = 'adm-alice'")
out=$(ADM user show "$AID"); rc=$?
expect_eq "user show ID: exit 0" "$rc" 0
expect_has "...the global id" "$out" "adm-alice"
expect_has "...a mapped column" "$out" "adm-alice@example.org"
js=$(ADM --json user show "$AID")
expect_eq "--json: the user as one object" "$(jf 'j["id"], j["global_id"], j["is_active"], j["groups"], j["sessions"]' <<<"$js")" \
    "$AID adm-alice True [] 0"
expect_eq "user show --global-id" "$(ADM --json user show --global-id adm-alice | jf 'j["id"]')" "$AID"
expect_eq "user show --email" "$(ADM --json user show --email adm-alice@example.org | jf 'j["id"]')" "$AID"
ADM user show 999999999 >/dev/null 2>&1; expect_eq "an unknown user: exit 3" "$?" 3
expect_eq "...with --json: not_found" "$(ADM --json user show 999999999 2>/dev/null)" '{"error":"not_found"}'

section "gwauth-admin: sessions list, deactivate, activate"
req -H "X-Userinfo: $ALICE" -H "User-Agent: adm-browser/1" "$(url /establish_session)"
S1=$(cookie gwauth_session)
req -H "X-Userinfo: $ALICE" "$(url /establish_session)"
S2=$(cookie gwauth_session)
js=$(ADM --json sessions list --user "$AID")
expect_eq "sessions list --user: her two sessions" "$(jf 'len(j)' <<<"$js")" 2
expect_eq "...with where they were made" "$(jf 'sorted(s["user_agent"] for s in j)[0], j[0]["client_addr"], j[0]["global_id"]' <<<"$js")" \
    "adm-browser/1 127.0.0.1 adm-alice"
expect_has "...as text, a table" "$(ADM sessions list --user "$AID")" "session	user_id	global_id"
req -H "Cookie: gwauth_session=$S1" "$(url /app/whoami)"
expect_eq "her session works" "$STATUS" 200
js=$(ADM --json user deactivate "$AID")
expect_eq "user deactivate: her sessions end with it" "$(jf 'j["is_active"], j["sessions_ended"]' <<<"$js")" "False 2"
expect_eq "...is_active = 0 in the database" "$(sqlv "SELECT is_active FROM users WHERE id = $AID")" 0
req -H "Cookie: gwauth_session=$S2" "$(url /app/whoami)"
expect_eq "...a session request is refused at once" "$STATUS" 401
sleep 1.2
expect_deny "...a header request within cache_seconds (1 s): 403 inactive_user" 403 inactive_user -H "X-Userinfo: $ALICE" "$(url /app/whoami)"
ADM user activate "$AID" >/dev/null
req -H "X-Userinfo: $ALICE" "$(url /app/whoami)"
expect_eq "user activate: 200 again" "$STATUS" 200
ADM user deactivate 999999999 >/dev/null 2>&1; expect_eq "deactivating an unknown user: exit 3" "$?" 3

section "gwauth-admin: sessions revoke and purge"
for i in 1 2 3; do req -H "X-Userinfo: $ALICE" "$(url /establish_session)"; done
S3=$(cookie gwauth_session)
BOB=$(b64 '{"sub":"adm-bob"}')
req -H "X-Userinfo: $BOB" "$(url /establish_session)"
SB=$(cookie gwauth_session)
BID=$(sqlv "SELECT id FROM users WHERE global_id = 'adm-bob'")
prefix=$(printf '%s' "$S3" | openssl dgst -sha256 -hex | sed 's/.*= //' | cut -c1-12)
expect_eq "sessions revoke --session PREFIX: one" "$(ADM --json sessions revoke --session "$prefix" | jf 'j["sessions_ended"]')" 1
req -H "Cookie: gwauth_session=$S3" "$(url /app/whoami)"
expect_eq "...that cookie is no identity any more" "$STATUS" 401
sqlv "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (UNHEX(CONCAT('abcdef01', REPEAT('1', 56))), $BID, NOW(6) + INTERVAL 1 HOUR), (UNHEX(CONCAT('abcdef01', REPEAT('2', 56))), $BID, NOW(6) + INTERVAL 1 HOUR)"
out=$(ADM sessions revoke --session abcdef01 2>&1); rc=$?
expect_eq "a prefix that names two sessions: exit 1, nothing ended" "$rc $(sqlv "SELECT COUNT(*) FROM sessions WHERE HEX(token_hash) LIKE 'ABCDEF01%'")" "1 2"
expect_has "...saying so" "$out" "names 2 sessions: give more digits"
expect_eq "...more digits: one" "$(ADM --json sessions revoke --session "abcdef01$(printf '1%.0s' $(seq 1 8))" | jf 'j["sessions_ended"]')" 1
sqlv "DELETE FROM sessions WHERE HEX(token_hash) LIKE 'ABCDEF01%'"
expect_eq "sessions revoke --user: the rest of hers" "$(ADM --json sessions revoke --user "$AID" | jf 'j["sessions_ended"]')" 2
req -H "Cookie: gwauth_session=$SB" "$(url /app/whoami)"
expect_eq "...Bob's session stays" "$STATUS" 200
sqlv "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (UNHEX(SHA2('adm-old-1', 256)), $BID, NOW(6) - INTERVAL 1 HOUR), (UNHEX(SHA2('adm-old-2', 256)), $BID, NOW(6) - INTERVAL 1 HOUR)"
sqlv "UPDATE leases SET expires_at = '1970-01-01 00:00:01' WHERE name = 'session_purge'"
js=$(ADM --json sessions purge)
expect_eq "sessions purge: the expired rows go, under the lease" "$(jf 'j["lease_taken"], j["sessions_purged"] >= 2' <<<"$js")" "True True"
expect_eq "...none left" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE expires_at < NOW(6)")" 0
expect_eq "...Bob's live session stays" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE user_id = $BID")" 1
expect_eq "sessions revoke --all" "$(ADM --json sessions revoke --all | jf 'j["sessions_ended"] >= 1')" True
expect_eq "...none left" "$(sqlv "SELECT COUNT(*) FROM sessions")" 0
req "$(url /gwauth/metrics)"
expect_eq "revoked sessions are counted in the host's metrics" \
    "$(printf '%s\n' "$BODY" | awk '$1 == "gwauth_sessions_ended_total{reason=\"revoked\"}" { print ($2 >= 6) ? "yes" : $2 }')" yes

section "gwauth-admin: explain writes nothing and names the rule"
w0=$(writes)
js=$(ADM --json explain --claims '{"sub":"adm-carol","groups":["staff"]}' --path /admin/x); rc=$?
expect_eq "a user without the group on /admin/: deny 403 forbidden, exit 3" \
    "$rc $(jf 'j["decision"], j["status"], j["code"], j["rule"], j["user_state"]' <<<"$js")" \
    "3 deny 403 forbidden /admin/ new: would be created"
js=$(ADM --json explain --claims '{"sub":"adm-carol","groups":["admins"]}' --path '/admin/../admin/x'); rc=$?
expect_eq "with the group: allow, exit 0, the path normalized" "$rc $(jf 'j["decision"], j["path"], j["groups"]' <<<"$js")" \
    "0 allow /admin/x ['admins']"
js=$(ADM --json explain --header "$(b64 '{"sub":"adm-alice","groups":["admins"]}')" --path /admin/); rc=$?
expect_eq "--header: a known user" "$rc $(jf 'j["decision"], j["user_id"], j["user_state"]' <<<"$js")" "0 allow $AID active"
js=$(ADM --json explain --path /app/)
expect_eq "no identity on an authenticated path: 401" "$(jf 'j["code"], j["rule"]' <<<"$js")" "unauthenticated (none: access.default)"
js=$(ADM --json explain --path /applogout)
expect_eq "...the logout path's implied rule: allow" "$(jf 'j["decision"], j["rule"], j["rule_access"]' <<<"$js")" "allow /applogout anonymous"
js=$(ADM --json explain --claims '{"sub":"adm-carol"}' --path '/a/%2e%2e/%2e%2e/x')
expect_eq "a path that climbs above /: bad_path" "$(jf 'j["code"]' <<<"$js")" bad_path
js=$(ADM --json explain --claims '{"sub":"adm-carol","email":{"a":1}}' --path /app/)
expect_eq "claims the mapping refuses: malformed_userinfo" "$(jf 'j["code"]' <<<"$js")" malformed_userinfo
ADM user deactivate "$BID" >/dev/null
js=$(ADM --json explain --claims '{"sub":"adm-bob"}' --path /app/)
expect_eq "an inactive user: inactive_user" "$(jf 'j["code"]' <<<"$js")" inactive_user
ADM user activate "$BID" >/dev/null
w1=$(writes)
ADM explain --claims '{"sub":"adm-dave","groups":["admins"]}' --path /admin/ >/dev/null
ADM explain --header "$ALICE" --path /app/ >/dev/null
expect_eq "explain wrote nothing" "$(writes)" "$w1"
expect_eq "...no user adm-carol or adm-dave was created" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id IN ('adm-carol', 'adm-dave')")" 0
: "$w0"

section "gwauth-admin: status"
js=$(ADM --json status); rc=$?
expect_eq "status: exit 0, the database matches" "$rc $(jf 'j["database"], j["version"]' <<<"$js")" "0 ok $("$GW_BIN/authorizer" -V | awk '{print $2}')"
expect_eq "...the configuration's hash" "$(jf 'j["config_sha256"]' <<<"$js")" "$(sha256sum "$d/gwauth.json" | cut -d' ' -f1)"
expect_eq "...the schema version" "$(jf 'j["schema"]' <<<"$js")" "$(ls "$GW_TOP/sql" | sed -n 's/\.sql$//p' | sort | tail -1)"
expect_eq "...and counts" "$(jf 'j["users"] >= 2, j["active_users"] >= 2, j["sessions"]' <<<"$js")" "True True 0"
expect_has "as text" "$(ADM status)" "config_sha256"
DEAD=$(gw_free_port)
sed "s|\"socket\": \"[^\"]*\"|\"host\": \"127.0.0.1\", \"port\": $DEAD|" "$d/gwauth.json" >"$d/dead.json"
out=$("$GW_BIN/admin" -c "$d/dead.json" --json status 2>/dev/null); rc=$?
expect_eq "status with the database down: exit 1, unreachable" "$rc $(jf 'j["database"]' <<<"$out")" "1 unreachable"
out=$("$GW_BIN/admin" -c "$d/dead.json" user show 1 2>&1); rc=$?
expect_eq "a command with the database down: exit 1" "$rc" 1
expect_has "...saying so" "$out" "the database is unavailable"
