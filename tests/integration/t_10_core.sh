#!/bin/bash
# Core authorizer: README "How a request is decided", steps 1-5, 8, 9 through lighttpd.
# shellcheck shell=bash
# alone (prove, ./t_10_core.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
# main, strict and opts are the harness's shared stacks (later files use them)
shared_stack main || return
stack_start anon '{"access": {"default": "anonymous"}}' 1 || return
ANON=$PORT
shared_stack strict || return
shared_stack opts || return
stack_start nocreate '{"users": {"create": false, "update": false}}' 1 || return
NOCREATE=$PORT

# ---------------------------------------------------------------------------
section "allow: a new user is created and its identity reaches the application"
PORT=$MAIN
# ALICE, and ALICE2 below: alice's identities, the harness's (later files use them)
whoami "$ALICE"
expect_eq "new user: 200" "$STATUS" 200
expect_has "REMOTE_USER is the global id" "$BODY" "REMOTE_USER=alice-1"
expect_has "GWAUTH_EMAIL exported" "$BODY" "GWAUTH_EMAIL=alice@example.org"
expect_has "GWAUTH_USERNAME exported" "$BODY" "GWAUTH_USERNAME=alice"
expect_has "GWAUTH_NAME exported" "$BODY" "GWAUTH_NAME=Alice Liddell"
expect_has "GWAUTH_SOURCE is header" "$BODY" "GWAUTH_SOURCE=header"
ALICE_ID=$(sqlv "SELECT id FROM users WHERE global_id='alice-1'")
expect_has "GWAUTH_USER_ID is the row id" "$BODY" "GWAUTH_USER_ID=$ALICE_ID"
expect_hasnt "no GWAUTH_GROUPS when the claim names none" "$BODY" "GWAUTH_GROUPS="
expect_eq "users row holds the mapped claims" \
    "$(sqlv "SELECT CONCAT_WS('|', username, email, first_name, last_name, name, is_active) FROM users WHERE global_id='alice-1'")" \
    "alice|alice@example.org|Alice|Liddell|Alice Liddell|1"
expect_eq "related row created from claims" \
    "$(sqlv "SELECT CONCAT_WS('|', country_code, email_optin) FROM user_profiles WHERE user_id=$ALICE_ID")" "GB|1"
expect_hasnt "the 200's own headers do not reach the client" "$HEADERS" "Variable-"
req -H "X-Userinfo: $ALICE" "$(url /app/index.html)"
expect_eq "static file behind the authorizer: 200" "$STATUS" 200
expect_eq "static file content served" "$BODY" "hello from the demo app"

section "returning users: no write when nothing changed, exact writes when something did"
before=$(writes)
UPD0=$(sqlv "SELECT updated_at FROM users WHERE global_id='alice-1'")
for i in 1 2 3 4 5; do whoami "$ALICE"; done
expect_eq "returning user: 200" "$STATUS" 200
expect_eq "returning user with unchanged claims writes no row" "$(writes)" "$before"
expect_eq "updated_at untouched" "$(sqlv "SELECT updated_at FROM users WHERE global_id='alice-1'")" "$UPD0"
whoami "$ALICE2"
expect_has "changed email exported at once" "$BODY" "GWAUTH_EMAIL=alice@new.example"
expect_eq "changed email stored" "$(sqlv "SELECT email FROM users WHERE global_id='alice-1'")" "alice@new.example"
expect_ne "updated_at moved" "$(sqlv "SELECT updated_at FROM users WHERE global_id='alice-1'")" "$UPD0"
expect_eq "still one row" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='alice-1'")" 1
ALICE3=$(b64 '{"sub":"alice-1","email":"alice@new.example","preferred_username":"alice","given_name":"Alice","family_name":"Liddell","name":"Alice Liddell","country_code":"FR"}')
whoami "$ALICE3"
expect_eq "related row updated; absent claim falls back to its default" \
    "$(sqlv "SELECT CONCAT_WS('|', country_code, email_optin) FROM user_profiles WHERE user_id=$ALICE_ID")" "FR|0"
ALICE4=$(b64 '{"sub":"alice-1","country_code":"FR"}')
whoami "$ALICE4"
expect_eq "absent claims leave users columns as they are" \
    "$(sqlv "SELECT CONCAT_WS('|', username, email, name) FROM users WHERE global_id='alice-1'")" \
    "alice|alice@new.example|Alice Liddell"
expect_has "...and are still exported" "$BODY" "GWAUTH_EMAIL=alice@new.example"
URLSAFE=$(printf '%s' '{"sub":"url-safe","name":"???>>>"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
whoami "$URLSAFE"
expect_eq "URL-safe base64 without padding accepted" "$STATUS" 200
expect_has "...and decoded" "$BODY" "GWAUTH_NAME=???>>>"

section "identities are exact: case, spaces and Unicode are not folded"
for id in "Alice-1" "ALICE-1" "alice-1\\u00a0" "ａlice-1"; do
    whoami "$(b64 "{\"sub\":\"$id\"}")"
    expect_hasnt "id '$id' is not alice-1" "$BODY" "GWAUTH_USER_ID=$ALICE_ID"
done
expect_eq "each spelling is its own user" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id LIKE '%lice-1%' OR global_id LIKE '%LICE-1%'")" 5
# the web servers strip leading white space from Variable- values: " alice-1"
# would reach the application as REMOTE_USER=alice-1
for id in "alice-1 " " alice-1"; do
    expect_deny "id '$id' (edge white space): 400" 400 malformed_userinfo -H "X-Userinfo: $(b64 "{\"sub\":\"$id\"}")" "$(url /app/whoami)"
done

section "over-long values are cut at a character boundary, never refused"
LONGNAME=$(printf 'é%.0s' $(seq 1 300))
whoami "$(b64 "{\"sub\":\"long-1\",\"name\":\"$LONGNAME\",\"country_code\":\"FRA\",\"preferred_username\":\"$(printf 'u%.0s' $(seq 1 200))\"}")"
expect_eq "long values: 200" "$STATUS" 200
expect_eq "name cut to 255 characters" "$(sqlv "SELECT CHAR_LENGTH(name) FROM users WHERE global_id='long-1'")" 255
expect_eq "cut name is still valid UTF-8 é" "$(sqlv "SELECT name = REPEAT('é', 255) FROM users WHERE global_id='long-1'")" 1
expect_eq "country_code cut to 2" "$(sqlv "SELECT country_code FROM user_profiles p JOIN users u ON u.id=p.user_id WHERE global_id='long-1'")" "FR"
expect_eq "username cut to 150" "$(sqlv "SELECT CHAR_LENGTH(username) FROM users WHERE global_id='long-1'")" 150
expect_has "truncation is logged" "$(cat "$T/main/authz.log")" "event=value_truncated table=users column=name"
before=$(writes)
whoami "$(b64 "{\"sub\":\"long-1\",\"name\":\"$LONGNAME\",\"country_code\":\"FRA\",\"preferred_username\":\"$(printf 'u%.0s' $(seq 1 200))\"}")"
expect_eq "the same long values again write nothing" "$(writes)" "$before"

section "denies (README steps 1-4): status, JSON code, no identity, nothing written"
PORT=$MAIN
expect_deny "no identity on an authenticated path" 401 unauthenticated "$(url /app/whoami)"
# lighttpd.conf.example removes X_Userinfo and X.Userinfo before gwauth
# runs; gwauth's own refusal of a repeated variable is tested without it
# (t_12_caller.sh, a FastCGI client with two HTTP_X_USERINFO)
whoami "$ALICE2" -H "X_Userinfo: $(b64 '{"sub":"mallory"}')"
expect_has "a spoofed X_Userinfo beside the real one: the gateway's identity" "$BODY" "REMOTE_USER=alice-1"
whoami "$ALICE2" -H "X.Userinfo: $(b64 '{"sub":"mallory"}')"
expect_has "a spoofed X.Userinfo beside the real one: the gateway's identity" "$BODY" "REMOTE_USER=alice-1"
expect_eq "...mallory was never created" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='mallory'")" 0
expect_deny "not base64" 400 malformed_userinfo -H "X-Userinfo: not*base64!" "$(url /app/whoami)"
expect_deny "base64 with a bad length" 400 malformed_userinfo -H "X-Userinfo: eyJzdWIiOiJ4In0x" "$(url /app/whoami)"
expect_deny "mixed base64 alphabets" 400 malformed_userinfo -H "X-Userinfo: ab+_" "$(url /app/whoami)"
for bad in 'not json' '["sub","x"]' '"just a string"' '{"sub":"x"' '{"sub":"x"} trailing' \
    '{"sub":"x","sub":"y"}' '{"sub":"x","a":{"b":1,"b":2}}' '{}' '{"sub":""}' '{"sub":42}' '{"sub":null}' \
    '{"sub":["x"]}' '{"SUB":"case-matters"}' '{"sub":"line\nbreak"}' '{"sub":"cr\rlf"}' '{"sub":"nul\u0000byte"}' \
'{"sub":"tab\there"}' '{"sub":"del\u007f"}' '{"sub":"esc\u001b"}' \
    '{"sub":"ok","email":"a@b\r\nX-Injected: 1"}' '{"sub":"ok","name":"x\u0000y"}' '{"sub":"ok","email":{"a":1}}' \
    '{"sub":"ok","email":["a"]}' '{"sub":"lone \ud800 surrogate"}' '{"sub":"lone \udc00 low"}'; do
    expect_deny "malformed: $bad" 400 malformed_userinfo -H "X-Userinfo: $(b64 "$bad")" "$(url /app/whoami)"
done
whoami "$(b64 '{"sub\u0000x":"nul-key","sub":"y"}')"
expect_eq "an escaped NUL in a key never makes it alias another key" "$(printf '%s' "$BODY" | grep REMOTE_USER)" "REMOTE_USER=y"
expect_deny "malformed: id claim over 255 bytes" 400 malformed_userinfo \
    -H "X-Userinfo: $(b64 "{\"sub\":\"$(printf 'x%.0s' $(seq 1 256))\"}")" "$(url /app/whoami)"
expect_deny "malformed: invalid UTF-8" 400 malformed_userinfo \
    -H "X-Userinfo: $(printf '{"sub":"\xff\xfe"}' | base64 -w0)" "$(url /app/whoami)"
expect_deny "malformed: overlong UTF-8 for '/'" 400 malformed_userinfo \
    -H "X-Userinfo: $(printf '{"sub":"a\xc0\xafb"}' | base64 -w0)" "$(url /app/whoami)"
expect_deny "malformed: UTF-8 encoded surrogate" 400 malformed_userinfo \
    -H "X-Userinfo: $(printf '{"sub":"a\xed\xa0\x80b"}' | base64 -w0)" "$(url /app/whoami)"
expect_deny "malformed: byte order mark" 400 malformed_userinfo \
    -H "X-Userinfo: $(printf '\xef\xbb\xbf{"sub":"bom"}' | base64 -w0)" "$(url /app/whoami)"
expect_deny "malformed: raw control byte in JSON" 400 malformed_userinfo \
    -H "X-Userinfo: $(printf '{"sub":"a\x01b"}' | base64 -w0)" "$(url /app/whoami)"
DEEP=$(printf '{"sub":"deep","x":%s1%s}' "$(printf '[%.0s' $(seq 1 3000))" "$(printf ']%.0s' $(seq 1 3000))")
expect_deny "malformed: 3000 levels of nesting" 400 malformed_userinfo -H "X-Userinfo: $(b64 "$DEEP")" "$(url /app/whoami)"
expect_eq "no user row for any malformed identity" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id IN ('x','ok','case-matters','nul-key','deep','bom','mallory')")" 0
expect_deny "a bad value type for a column (BOOL) denies, writes nothing" 400 malformed_userinfo \
    -H "X-Userinfo: $(b64 '{"sub":"badtype","email_optin":"not a number"}')" "$(url /app/whoami)"
expect_eq "...and leaves no half-written user" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='badtype'")" 0
expect_has "...the database's refusal is logged" "$(cat "$T/main/authz.log")" "1366 Incorrect integer value: '?' for column"
expect_hasnt "...without the value it quotes" "$(cat "$T/main/authz.log")" "not a number"
expect_has "...and the deny's reason says what happened" "$(cat "$T/main/authz.log")" 'reason="a value the database refuses (its column'
# values the application stored: never exported when a header would
# change or cut them
whoami "$(b64 '{"sub":"stored-1"}')"
expect_eq "a user whose claims name no column" "$STATUS" 200
sqlv "UPDATE users SET name = CONCAT('Ann', CHAR(0), 'admin') WHERE global_id='stored-1'"
expect_deny "a stored name holding NUL: 500, never cut" 500 internal_error -H "X-Userinfo: $(b64 '{"sub":"stored-1","x":1}')" "$(url /app/whoami)"
expect_has "...logged" "$(cat "$T/main/authz.log")" "a stored value holds a NUL byte"
sqlv "UPDATE users SET name = ' admin' WHERE global_id='stored-1'"
expect_deny "a stored name with a leading space: 500, not exported" 500 internal_error -H "X-Userinfo: $(b64 '{"sub":"stored-1","x":2}')" "$(url /app/whoami)"
sqlv "UPDATE users SET name = 'Ann' WHERE global_id='stored-1'"
whoami "$(b64 '{"sub":"stored-1","x":3}')"
expect_has "...and exported again once it is plain" "$BODY" "GWAUTH_NAME=Ann"

PORT=$STRICT
expect_deny "identity from an untrusted REMOTE_ADDR" 403 untrusted_source -H "X-Userinfo: $ALICE" "$(url /app/whoami)"
expect_deny "untrusted beats malformed (nothing is decoded)" 403 untrusted_source -H "X-Userinfo: %%%" "$(url /app/whoami)"
expect_deny "untrusted beats size" 403 untrusted_source -H "X-Userinfo: $(printf 'A%.0s' $(seq 1 4000))" "$(url /app/whoami)"
expect_deny "no identity from an untrusted address is just unauthenticated" 401 unauthenticated "$(url /app/whoami)"

PORT=$OPTS
expect_deny "identity over max_bytes" 431 userinfo_too_large \
    -H "X-Userinfo: $(b64 "{\"uid\":\"big\",\"pad\":\"$(printf 'p%.0s' $(seq 1 2000))\"}")" "$(url /app/whoami)"
req -H "X-Userinfo: $(b64 "{\"uid\":\"big\",\"pad\":\"$(printf 'p%.0s' $(seq 1 1400))\"}")" "$(url /app/whoami)"
expect_eq "identity just under max_bytes: 200" "$STATUS" 200

PORT=$NOCREATE
expect_deny "unknown user with users.create = false" 403 unknown_user -H "X-Userinfo: $(b64 '{"sub":"stranger"}')" "$(url /app/whoami)"
whoami "$(b64 '{"sub":"alice-1","email":"changed@example.org"}')"
expect_eq "known user with users.update = false: 200" "$STATUS" 200
expect_eq "...and nothing is updated" "$(sqlv "SELECT email FROM users WHERE global_id='alice-1'")" "alice@new.example"

PORT=$MAIN
whoami "$(b64 '{"sub":"bob-1","email":"bob@example.org"}')"
sqlv "UPDATE users SET is_active = 0 WHERE global_id = 'bob-1'"
expect_deny "inactive user" 403 inactive_user -H "X-Userinfo: $(b64 '{"sub":"bob-1","email":"bob@evil.example"}')" "$(url /app/whoami)"
expect_eq "inactive user is not updated" "$(sqlv "SELECT email FROM users WHERE global_id='bob-1'")" "bob@example.org"

section "configured mapping: other id claim, overwrite:false, defaults, other exports"
PORT=$OPTS
whoami "$(b64 '{"uid":"carol-1","sub":"ignored","mail":"carol@first.example","display":"Carol"}')"
expect_eq "custom id claim: 200" "$STATUS" 200
expect_has "custom export of a column" "$BODY" "REMOTE_USER=carol-1"
expect_has "APP_MAIL exported" "$BODY" "APP_MAIL=carol@first.example"
expect_has "APP_SRC is @source" "$BODY" "APP_SRC=header"
expect_has "unmapped column exported (created_at)" "$BODY" "APP_CREATED=20"
expect_hasnt "unconfigured GWAUTH_ variables are not exported" "$BODY" "GWAUTH_"
expect_eq "related defaults applied (\"ZZ\", true)" \
    "$(sqlv "SELECT CONCAT_WS('|', country_code, email_optin) FROM user_profiles p JOIN users u ON u.id=p.user_id WHERE global_id='carol-1'")" "ZZ|1"
whoami "$(b64 '{"uid":"carol-1","mail":"carol@second.example","display":"Carol B"}')"
expect_eq "overwrite:false keeps the first value" "$(sqlv "SELECT email FROM users WHERE global_id='carol-1'")" "carol@first.example"
expect_eq "overwrite:true field updated" "$(sqlv "SELECT name FROM users WHERE global_id='carol-1'")" "Carol B"
sqlv "UPDATE users SET email = '' WHERE global_id = 'carol-1'"
whoami "$(b64 '{"uid":"carol-1","mail":"carol@third.example","display":"Carol B"}')"
expect_eq "overwrite:false writes again once the column is back to its default" \
    "$(sqlv "SELECT email FROM users WHERE global_id='carol-1'")" "carol@third.example"

section "anonymous default access"
PORT=$ANON
req "$(url /app/whoami)"
expect_eq "anonymous request on an anonymous path: 200" "$STATUS" 200
expect_eq "...with no identity variables" "$BODY" ""
whoami "$ALICE2"
expect_has "identity still used when present" "$BODY" "REMOTE_USER=alice-1"
req "$(url /no/such/path)"
expect_eq "authorizer allows, lighttpd answers 404 for a missing file" "$STATUS" 404
req "$(url /applogout/unknown)"
expect_eq "responder: unknown path is 404" "$STATUS" 404
expect_eq "responder: 404 body is JSON" "$BODY" '{"error":"not_found"}'

section "concurrent first logins of one new user"
PORT=$MAIN
RACE=$(b64 '{"sub":"race-1","email":"race@example.org","country_code":"DE"}')
parallel 48 "$T/race.codes" -H "X-Userinfo: $RACE" "$(url /app/whoami)"
expect_eq "48 parallel first logins all get 200" "$(sort "$T/race.codes" | uniq -c | tr -s ' ')" " 48 200"
expect_eq "exactly one users row" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='race-1'")" 1
expect_eq "exactly one related row" "$(sqlv "SELECT COUNT(*) FROM user_profiles p JOIN users u ON u.id=p.user_id WHERE global_id='race-1'")" 1
expect_eq "one creation logged" "$(cat "$T/main/authz.log" | grep -c 'event=user_created user=race-1')" 1

section "database faults: lost connection, database down, database back"
PORT=$MAIN
for cid in $(sqlv "SELECT ID FROM information_schema.PROCESSLIST WHERE USER='$DB_USER'"); do
    sqlv "KILL $cid" 2>/dev/null
done
# new header values: the cache must not answer these
whoami "$(b64 '{"sub":"alice-1","email":"alice@new.example","x":"k1"}')"
expect_eq "connection killed between requests: next request still 200" "$STATUS" 200
# an idle worker is woken only when the others are busy: keep both busy
parallel 24 "$T/kill.codes" -H "X-Userinfo: $(b64 '{"sub":"alice-1","email":"alice@new.example","x":"k2"}')" "$(url /app/whoami)"
expect_eq "...and 24 at once after it (both processes) too" "$(sort "$T/kill.codes" | uniq -c | tr -s ' ')" " 24 200"
expect_has "...both reconnected" "$(grep -c 'event=db_connected' "$T/main/authz.log")" "4"
gw_db_stop "$DB_DIR"
expect_deny "database down: new identity gets 503" 503 unavailable \
    -H "X-Userinfo: $(b64 '{"sub":"while-down"}')" "$(url /app/whoami)" 2>/dev/null
printf '%s' "$HEADERS" | grep -q '^Retry-After: 5' && ok "503 carries Retry-After: 5" || fail "503 carries Retry-After: 5" "$HEADERS"
expect_deny "database down: malformed input is still 400, not 503" 400 malformed_userinfo \
    -H "X-Userinfo: bad!" "$(url /app/whoami)" 2>/dev/null
gw_db_start "$DB_DIR" "$DB_PORT" || fail "MariaDB restart"
whoami "$(b64 '{"sub":"after-restart"}')"
expect_eq "database back: 200 without restarting gwauth" "$STATUS" 200
expect_eq "...and the user was created" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='after-restart'")" 1
for pid in $(stack_pids main); do
    kill -0 "$pid" 2>/dev/null && ok "authorizer $pid survived" || fail "authorizer $pid survived"
done

