#!/bin/bash
# Group synchronisation (README "Groups"): create / existing, excluded
# groups, membership written only when it changed, @groups export.
# shellcheck shell=bash
# alone (prove, ./t_40_groups.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
stack_start gcreate '{"groups": {"sync": "create", "excluded": ["local-admins"]}}' 1 || return
GCREATE=$PORT
stack_start gexist '{"groups": {"sync": "existing", "claim": "roles"}}' 1 || return
GEXIST=$PORT

members() { sqlv "SELECT COALESCE(GROUP_CONCAT(g.name ORDER BY g.name), '') FROM user_groups ug JOIN \`groups\` g ON g.id = ug.group_id JOIN users u ON u.id = ug.user_id WHERE u.global_id = '$1'"; }

section "sync: create"
PORT=$GCREATE
whoami "$(b64 '{"sub":"gina-1","groups":["beta","alpha"]}')"
expect_eq "groups claim: 200" "$STATUS" 200
expect_eq "missing groups created and joined" "$(members gina-1)" "alpha,beta"
expect_has "@groups export sorted" "$BODY" "GWAUTH_GROUPS=alpha,beta"
autoinc() { sqlv "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA='$DB_NAME' AND TABLE_NAME='groups'"; }
ai=$(autoinc)
for i in 1 2 3 4 5; do whoami "$(b64 "{\"sub\":\"gina-join-$i\",\"groups\":[\"alpha\",\"beta\"]}")"; done
expect_eq "five users joining existing groups: members" "$(members gina-join-5)" "alpha,beta"
expect_eq "...no auto-increment id spent on the existing groups" "$(autoinc)" "$ai"
before=$(writes)
whoami "$(b64 '{"sub":"gina-1","groups":["alpha","beta"]}')"
expect_eq "same groups in another order: no write" "$(writes)" "$before"
whoami "$(b64 '{"sub":"gina-1","groups":"alpha"}')"
expect_eq "a group left the claim: membership removed" "$(members gina-1)" "alpha"
expect_has "...and the export follows" "$BODY" "GWAUTH_GROUPS=alpha"
expect_eq "...the group itself stays" "$(sqlv "SELECT COUNT(*) FROM \`groups\` WHERE name='beta'")" 1
sqlv "INSERT INTO \`groups\` (name) VALUES ('local-admins')"
sqlv "INSERT INTO user_groups (user_id, group_id) SELECT u.id, g.id FROM users u, \`groups\` g WHERE u.global_id='gina-1' AND g.name='local-admins'"
whoami "$(b64 '{"sub":"gina-1","groups":["alpha"]}')"
expect_eq "an excluded group is never removed" "$(members gina-1)" "alpha,local-admins"
expect_has "...and is exported as the database holds it" "$BODY" "GWAUTH_GROUPS=alpha,local-admins"
whoami "$(b64 '{"sub":"hugo-1","groups":["local-admins","gamma"]}')"
expect_eq "an excluded group is never added" "$(members hugo-1)" "gamma"
whoami "$(b64 '{"sub":"gina-1","groups":{}}')"
expect_eq "{} empties the membership (but excluded)" "$(members gina-1)" "local-admins"
whoami "$(b64 '{"sub":"gina-1","groups":[]}')"
expect_eq "[] too" "$(members gina-1)" "local-admins"
whoami "$(b64 '{"sub":"gina-1"}')"
expect_eq "no groups claim at all: no groups" "$(members gina-1)" "local-admins"
whoami "$(b64 '{"sub":"ivan-1","groups":" a , b,,a ,  "}')"
expect_eq "comma-separated string trimmed, empty and repeated names dropped" "$(members ivan-1)" "a,b"
expect_deny "a group name with a control character" 400 malformed_userinfo \
    -H "X-Userinfo: $(b64 '{"sub":"ivan-1","groups":["ok","bad\nname"]}')" "$(url /app/whoami)"
expect_deny "a non-string group" 400 malformed_userinfo -H "X-Userinfo: $(b64 '{"sub":"ivan-1","groups":["ok",5]}')" "$(url /app/whoami)"
expect_deny "groups claim of the wrong type" 400 malformed_userinfo -H "X-Userinfo: $(b64 '{"sub":"ivan-1","groups":7}')" "$(url /app/whoami)"
MANY=$(printf '"g%d",' $(seq 1 300)); MANY="[${MANY%,}]"
expect_deny "more than 256 groups" 400 malformed_userinfo -H "X-Userinfo: $(b64 "{\"sub\":\"ivan-1\",\"groups\":$MANY}")" "$(url /app/whoami)"
LONGG=$(printf 'x%.0s' $(seq 1 200))
whoami "$(b64 "{\"sub\":\"jane-1\",\"groups\":[\"$LONGG\"]}")"
expect_eq "over-long group name cut to 150 characters" "$(sqlv "SELECT MAX(CHAR_LENGTH(name)) FROM \`groups\` WHERE name LIKE 'xxx%'")" 150
RACEG=$(b64 '{"sub":"race-g","groups":["race-a","race-b","race-c"]}')
parallel 24 "$T/raceg.codes" -H "X-Userinfo: $RACEG" "$(url /app/whoami)"
expect_eq "24 parallel first logins with new groups: all 200" "$(sort "$T/raceg.codes" | uniq -c | tr -s ' ')" " 24 200"
expect_eq "...each group once, each membership once" \
    "$(sqlv "SELECT COUNT(*) FROM \`groups\` WHERE name LIKE 'race-%'"):$(members race-g)" "3:race-a,race-b,race-c"

section "sync: existing (claim \"roles\")"
PORT=$GEXIST
whoami "$(b64 '{"sub":"kim-1","roles":["alpha","no-such-group"]}')"
expect_eq "existing groups joined, missing ones not created" "$(members kim-1)" "alpha"
expect_eq "...no-such-group was not created" "$(sqlv "SELECT COUNT(*) FROM \`groups\` WHERE name='no-such-group'")" 0
before=$(writes)
whoami "$(b64 '{"sub":"kim-1","roles":["alpha","no-such-group"]}')"
expect_eq "same roles again: no row written" "$(writes)" "$before"
expect_has "export shows database membership" "$BODY" "GWAUTH_GROUPS=alpha"

section "sync off with sessions: a header's groups come from its claim, a session's from the database"
stack_start gsess '{"session": {"enabled": true, "secure": false}}' 1 || return
PORT=$PORT
whoami "$(b64 '{"sub":"lou-1","groups":["from-claim"]}')"
sqlv "INSERT IGNORE INTO \`groups\` (name) VALUES ('from-db')"
sqlv "INSERT INTO user_groups (user_id, group_id) SELECT u.id, g.id FROM users u, \`groups\` g WHERE u.global_id='lou-1' AND g.name='from-db'"
whoami "$(b64 '{"sub":"lou-1","groups":["from-claim"],"x":1}')"
expect_has "header: the claim's groups" "$BODY" "GWAUTH_GROUPS=from-claim"
req -H "X-Userinfo: $(b64 '{"sub":"lou-1","groups":["from-claim"]}')" "$(url /establish_session)"
LT=$(printf '%s\n' "$HEADERS" | sed -n 's/^Set-Cookie: gwauth_session=\([^;]*\).*/\1/p')
req -H "Cookie: gwauth_session=$LT" "$(url /app/whoami)"
expect_has "session: the database's groups" "$BODY" "GWAUTH_GROUPS=from-db"
expect_eq "...and nothing was synced (sync off)" "$(members lou-1)" "from-db"

section "group names that would read as two groups are never exported or matched"
PORT=$GCREATE
whoami "$(b64 '{"sub":"comma-1","groups":["staff,admins","users"]}')"
expect_has "a claimed group name with a comma is ignored" "$BODY" "GWAUTH_GROUPS=users"
expect_eq "...never created" "$(sqlv "SELECT COUNT(*) FROM \`groups\` WHERE name='staff,admins'")" 0
expect_eq "...nor joined" "$(members comma-1)" "users"
PORT=$(cat "$T/gsess/port")
sqlv "INSERT INTO \`groups\` (name) VALUES (CONCAT('x', CHAR(10), 'admins')), ('staff,admins')"
sqlv "INSERT INTO user_groups (user_id, group_id) SELECT u.id, g.id FROM users u, \`groups\` g WHERE u.global_id='lou-1' AND g.name IN (CONCAT('x', CHAR(10), 'admins'), 'staff,admins')"
req -H "Cookie: gwauth_session=$LT" "$(url /app/whoami)"
expect_eq "a session with a stored 'x<LF>admins' and 'staff,admins': 200" "$STATUS" 200
expect_has "...GWAUTH_GROUPS holds only the plain name" "$BODY" "GWAUTH_GROUPS=from-db"
expect_hasnt "...never admins" "$BODY" "admins"

section "claim paths: a Keycloak userinfo's realm roles and address (client roles: unit tests)"
stack_start kc '{"identity": {"cache_seconds": 0},
  "users": {"fields": {"preferred_username": "username", "address.country": "last_name",
                       "https://app.example.org/tier": "name"}},
  "groups": {"claim": "realm_access.roles", "sync": "create"},
  "export": {"REMOTE_USER": "global_id", "GWAUTH_GROUPS": "@groups", "GWAUTH_NAME": "name",
             "APP_COUNTRY": "last_name"},
  "access": {"rules": [{"prefix": "/app/admin/", "groups_any": ["admin"]}]}}' 1 || return
mkdir -p "$T/kc/www/app/admin" && cp "$GW_TOP/tests/integration/whoami.cgi" "$T/kc/www/app/admin/whoami"
KC=$(b64 '{"sub":"f:1b2c:kim","preferred_username":"kim","realm_access":{"roles":["offline_access","admin"]},
  "resource_access":{"my-app":{"roles":["editor"]}},"address":{"country":"NO"},"https://app.example.org/tier":"gold"}')
req -H "X-Userinfo: $KC" "$(url /app/admin/whoami)"
expect_eq "realm_access.roles drives groups_any: admin passes /app/admin/" "$STATUS" 200
expect_has "...the realm roles are the groups" "$BODY" "GWAUTH_GROUPS=admin,offline_access"
expect_has "...address.country fills a column" "$BODY" "APP_COUNTRY=NO"
expect_has "...a namespaced claim (its whole name holds dots) too" "$BODY" "GWAUTH_NAME=gold"
expect_eq "...the groups are stored" "$(sqlv "SELECT GROUP_CONCAT(g.name ORDER BY g.name) FROM user_groups ug
    JOIN \`groups\` g ON g.id = ug.group_id JOIN users u ON u.id = ug.user_id WHERE u.global_id = 'f:1b2c:kim'")" "admin,offline_access"
DENY_AFTER_SYNC=1 expect_deny "a user without the realm role: 403" 403 forbidden \
    -H "X-Userinfo: $(b64 '{"sub":"f:9:lee","realm_access":{"roles":["offline_access"]}}')" "$(url /app/admin/whoami)"
req -H "X-Userinfo: $(b64 '{"sub":"f:9:lee","realm_access":"admin"}')" "$(url /app/whoami)"
expect_eq "realm_access that is not an object: no groups, still the user" "$STATUS $(printf '%s' "$BODY" | grep -c GWAUTH_GROUPS)" "200 0"
stack_stop kc

section "groups.claims: realm roles and full-path groups, prefixed; groups.managed_prefix"
stack_start kcg '{"identity": {"cache_seconds": 0},
  "groups": {"sync": "create", "managed_prefix": "kc:",
             "claims": [{"path": "groups", "prefix": "kc:", "strip_slash": true},
                        {"path": "realm_access.roles", "prefix": "kc:role:", "lowercase": true}]},
  "export": {"REMOTE_USER": "global_id", "GWAUTH_GROUPS": "@groups"},
  "access": {"rules": [{"prefix": "/app/admin/", "groups_any": ["kc:role:kcg-admin"]}]}}' 1 || return
mkdir -p "$T/kcg/www/app/admin" && cp "$GW_TOP/tests/integration/whoami.cgi" "$T/kcg/www/app/admin/whoami"
stored() { sqlv "SELECT GROUP_CONCAT(g.name ORDER BY g.name) FROM user_groups ug JOIN \`groups\` g
    ON g.id = ug.group_id JOIN users u ON u.id = ug.user_id WHERE u.global_id = '$1'"; }
req -H "X-Userinfo: $(b64 '{"sub":"kcg-1","groups":["/kcg-staff/ops"],"realm_access":{"roles":["KCG-Admin","kcg-offline"]}}')" \
    "$(url /app/admin/whoami)"
expect_eq "a realm role, prefixed and lowercased, drives groups_any: 200" "$STATUS" 200
expect_eq "...the sources merged, each with its prefix" "$(stored kcg-1)" "kc:kcg-staff/ops,kc:role:kcg-admin,kc:role:kcg-offline"
# the application adds a membership of its own
sqlv "INSERT IGNORE INTO \`groups\` (name) VALUES ('beta-testers');
      INSERT INTO user_groups (user_id, group_id) SELECT u.id, g.id FROM users u, \`groups\` g
      WHERE u.global_id = 'kcg-1' AND g.name = 'beta-testers'" >/dev/null
req -H "X-Userinfo: $(b64 '{"sub":"kcg-1","groups":["/kcg-staff"],"realm_access":{"roles":["kcg-offline"]}}')" \
    "$(url /app/whoami)"
expect_eq "the roles change: the sync follows them, and leaves the application's group alone" \
    "$(stored kcg-1)" "beta-testers,kc:kcg-staff,kc:role:kcg-offline"
expect_has "...@groups holds them all" "$BODY" "GWAUTH_GROUPS=beta-testers,kc:kcg-staff,kc:role:kcg-offline"
expect_eq "...no group without the managed prefix was created" \
    "$(sqlv "SELECT COUNT(*) FROM \`groups\` WHERE name LIKE '%kcg%' AND name NOT LIKE 'kc:%'")" 0
stack_stop kcg

section "a header budget: 500 groups and export_max_bytes"
# 500 Keycloak-style group paths: some 11 KiB of @groups, more than the
# next hop's header limit (8 KiB for many servers and proxies)
many=$(/usr/bin/python3 -c 'import json; print(json.dumps({"sub": "many-1", "groups": ["/org/unit-%03d/team" % i for i in range(500)]}))')
STACK_FIELD_SIZE=65536 stack_start budget '{"identity": {"max_bytes": 65536, "cache_seconds": 30},
  "groups": {"max_count": 600}, "export_max_bytes": 4096,
  "export": {"REMOTE_USER": "global_id", "GWAUTH_EMAIL": "email", "GWAUTH_GROUPS": "@groups"},
  "access": {"rules": [{"prefix": "/app/admin/", "groups_any": ["/org/unit-499/team"]}]}}' 1 || return
mkdir -p "$T/budget/www/app/admin" && cp "$GW_TOP/tests/integration/whoami.cgi" "$T/budget/www/app/admin/whoami"
req -H "X-Userinfo: $(b64 "$many")" "$(url /app/admin/whoami)"
expect_eq "500 groups over export_max_bytes: 200, never a 5xx" "$STATUS" 200
expect_has "...the rules still see every group (the 500th opens /app/admin/)" "$BODY" "REMOTE_USER=many-1"
expect_has "...@groups is left out and the flag says so" "$BODY" "GWAUTH_GROUPS_TRUNCATED=1"
expect_hasnt "...no part of the groups is exported (no cut in the middle of a name)" "$BODY" "GWAUTH_GROUPS="
expect_has "...logged, without the names" "$(grep export_truncated "$T/budget/authz.log")" "event=export_truncated groups=500"
expect_hasnt "...(none of them)" "$(grep export_truncated "$T/budget/authz.log")" "unit-"
req -H "X-Userinfo: $(b64 "$many")" "$(url /app/whoami)"
expect_eq "...again from the cache: the same reply" "$STATUS $(printf '%s' "$BODY" | grep -c 'GWAUTH_GROUPS_TRUNCATED=1')" "200 1"
req "$(url /gwauth/metrics)"
expect_eq "...counted in gwauth_exports_truncated_total" \
    "$(printf '%s\n' "$BODY" | awk '$1 == "gwauth_exports_truncated_total" { print ($2 >= 1) ? "yes" : $2 }')" yes
req -H "X-Userinfo: $(b64 '{"sub":"few-1","groups":["/org/unit-499/team","/org/other"]}')" "$(url /app/admin/whoami)"
expect_has "a user with a few groups: @groups as always" "$BODY" "GWAUTH_GROUPS=/org/other,/org/unit-499/team"
expect_hasnt "...and no flag" "$BODY" "GWAUTH_GROUPS_TRUNCATED"
over=$(/usr/bin/python3 -c 'import json; print(json.dumps({"sub": "many-2", "groups": ["g%d" % i for i in range(601)]}))')
expect_deny "more groups than groups.max_count: 400" 400 malformed_userinfo -H "X-Userinfo: $(b64 "$over")" "$(url /app/whoami)"
stack_stop budget

STACK_FIELD_SIZE=65536 stack_start budget2 '{"identity": {"max_bytes": 65536},
  "groups": {"max_count": 600, "export_only": "rules"},
  "export": {"REMOTE_USER": "global_id", "GWAUTH_GROUPS": "@groups"},
  "access": {"rules": [{"prefix": "/app/admin/", "groups_any": ["/org/unit-499/team", "/org/unit-007/team"]}]}}' 1 || return
req -H "X-Userinfo: $(b64 "$many")" "$(url /app/whoami)"
expect_has "groups.export_only \"rules\": @groups holds only the groups the rules name" "$BODY" \
    "GWAUTH_GROUPS=/org/unit-007/team,/org/unit-499/team"
stack_stop budget2

section "group names: a process that has met more groups than its name map holds"
# The authorizer keeps 4096 group names (GW_GMAP_MAX). Four users of 1024
# groups each fill the map; a fifth user's groups, partly known and partly
# new, must come out whole: a map emptied halfway through reading one
# user's groups once left that user with freed names.
sqlv "INSERT IGNORE INTO \`groups\` (name) SELECT CONCAT('app-', LPAD(seq, 4, '0')) FROM seq_1_to_4100"
sqlv "INSERT INTO users (global_id, username, email, created_at, updated_at)
      SELECT CONCAT('nm-', seq), CONCAT('nm', seq), CONCAT('nm', seq, '@example.org'), NOW(6), NOW(6) FROM seq_1_to_5"
sqlv "INSERT INTO user_groups (user_id, group_id)
      SELECT u.id, g.id FROM users u JOIN seq_1_to_1024 s
      JOIN \`groups\` g ON g.name = CONCAT('app-', LPAD((CAST(SUBSTRING(u.global_id, 4) AS UNSIGNED) - 1) * 1024 + s.seq, 4, '0'))
      WHERE u.global_id IN ('nm-1', 'nm-2', 'nm-3', 'nm-4')"
sqlv "INSERT INTO user_groups (user_id, group_id)
      SELECT u.id, g.id FROM users u JOIN \`groups\` g ON g.name IN ('app-0001', 'app-0002', 'app-0003', 'app-4097', 'app-4098', 'app-4100')
      WHERE u.global_id = 'nm-5'"
stack_start namemap '{"identity": {"cache_seconds": 0}, "groups": {"sync": "existing", "managed_prefix": "kc:",
  "export_only": ["app-000*", "app-409*", "app-410*"]},
  "export": {"REMOTE_USER": "global_id", "GWAUTH_GROUPS": "@groups"}}' 1 || return
for i in 1 2 3 4; do
    req -H "X-Userinfo: $(b64 "{\"sub\":\"nm-$i\"}")" "$(url /app/whoami)"
    [ "$STATUS" = 200 ] || break
done
expect_eq "four users of 1024 groups each: 200 (the map is full)" "$STATUS" 200
req -H "X-Userinfo: $(b64 '{"sub":"nm-5"}')" "$(url /app/whoami)"
expect_has "a fifth user's groups, known and new, come out whole" "$BODY" \
    "GWAUTH_GROUPS=app-0001,app-0002,app-0003,app-4097,app-4098,app-4100"
req -H "X-Userinfo: $(b64 '{"sub":"nm-1"}')" "$(url /app/whoami)"
expect_has "...and the first user's again" "$BODY" "GWAUTH_GROUPS=app-0001,app-0002,app-0003,app-0004,"
stack_stop namemap
