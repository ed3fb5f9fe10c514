#!/bin/bash
# The plain-header source with the presets of examples/ (Authelia,
# oauth2-proxy, the Cambridge API gateway), exactly as the README shows them.
# shellcheck shell=bash
# alone (prove, ./t_50_headers.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
stack_start authelia "$(cat "$GW_TOP/examples/authelia.json")" 1 || return
AUTHELIA=$PORT
stack_start o2p "$(cat "$GW_TOP/examples/oauth2-proxy.json")" 1 || return
O2P=$PORT
stack_start cam "$(cat "$GW_TOP/examples/cambridge-gateway.json")" 1 || return
CAM=$PORT

section "Authelia (Remote-User, Remote-Email, Remote-Name, Remote-Groups)"
PORT=$AUTHELIA
req -H "Remote-User: lena" -H "Remote-Email: lena@example.org" -H "Remote-Name: Lena L" \
    -H "Remote-Groups: admins,dev" "$(url /app/whoami)"
expect_eq "Authelia headers: 200" "$STATUS" 200
expect_has "REMOTE_USER from Remote-User" "$BODY" "REMOTE_USER=lena"
expect_has "email mapped" "$BODY" "GWAUTH_EMAIL=lena@example.org"
expect_has "name mapped" "$BODY" "GWAUTH_NAME=Lena L"
expect_has "groups from the comma-separated header" "$BODY" "GWAUTH_GROUPS=admins,dev"
expect_eq "row written" "$(sqlv "SELECT CONCAT_WS('|', username, email, name) FROM users WHERE global_id='lena'")" "lena|lena@example.org|Lena L"
expect_deny "Authelia: no Remote-User but other headers: the id is missing" 400 malformed_userinfo \
    -H "Remote-Email: x@example.org" "$(url /app/whoami)"
# (lighttpd-header-guard.lua drops names with '_' or '.' before gwauth runs)
req -H "Remote-User: lena" -H "Remote-Email: lena@example.org" -H "Remote_Email: evil@example.org" "$(url /app/whoami)"
expect_has "Authelia: a client's Remote_Email (underscore) never arrives" "$BODY" "GWAUTH_EMAIL=lena@example.org"
req -H "Remote-User: lena" -H "Remote.User: admin" "$(url /app/whoami)"
expect_has "Authelia: a client's Remote.User never arrives" "$BODY" "REMOTE_USER=lena"
expect_deny "Authelia: Remote_User alone is no identity" 401 unauthenticated -H "Remote_User: admin" "$(url /app/whoami)"
expect_deny "Authelia: two Remote-User lines (a proxy that appends): 400" 400 duplicate_identity_header \
    -H "Remote-User: lena" -H "Remote-User: admin" "$(url /app/whoami)"
expect_deny "Authelia: two Remote-Email lines: 400" 400 duplicate_identity_header \
    -H "Remote-User: lena" -H "Remote-Email: lena@example.org" -H "Remote-Email: boss@example.org" "$(url /app/whoami)"
req -H "Remote-User: lena" -H "Remote-Groups: dev" -H "Remote-Groups: admins" "$(url /app/whoami)"
expect_has "Authelia: two Remote-Groups lines are one list (undetectable: the proxy must replace)" "$BODY" "GWAUTH_GROUPS=admins,dev"
expect_deny "Authelia: header with invalid UTF-8" 400 malformed_userinfo \
    -H "$(printf 'Remote-User: bad\xff')" "$(url /app/whoami)"
expect_deny "Authelia: no headers at all" 401 unauthenticated "$(url /app/whoami)"

section "oauth2-proxy (X-Forwarded-User, -Email, -Preferred-Username, -Groups)"
PORT=$O2P
req -H "X-Forwarded-User: 1234-uid" -H "X-Forwarded-Email: max@example.org" \
    -H "X-Forwarded-Preferred-Username: max" -H "X-Forwarded-Groups: ops" "$(url /app/whoami)"
expect_eq "oauth2-proxy headers: 200" "$STATUS" 200
expect_has "REMOTE_USER from X-Forwarded-User" "$BODY" "REMOTE_USER=1234-uid"
expect_has "username from X-Forwarded-Preferred-Username" "$BODY" "GWAUTH_USERNAME=max"
expect_has "groups" "$BODY" "GWAUTH_GROUPS=ops"
req -H "X-Forwarded-User: 1234-uid" -H "X_Forwarded_User: other" "$(url /app/whoami)"
expect_has "oauth2-proxy: a client's X_Forwarded_User beside the real one never arrives" "$BODY" "REMOTE_USER=1234-uid"

section "Cambridge API gateway (X-Api-Oauth2-User, X-Api-Oauth2-Scope)"
PORT=$CAM
req -H "X-Api-Oauth2-User: mockuser1" \
    -H "X-Api-Oauth2-Scope: https://api.apps.cam.ac.uk/example/read https://api.apps.cam.ac.uk/other" "$(url /app/whoami)"
expect_eq "Cambridge headers with the scope: 200" "$STATUS" 200
expect_eq "only the configured exports" "$(printf '%s\n' "$BODY" | sort | tr '\n' ' ')" \
    "GWAUTH_SOURCE=header GWAUTH_USER_ID=$(sqlv "SELECT id FROM users WHERE global_id='mockuser1'") REMOTE_USER=mockuser1 "
expect_deny "Cambridge: without the scope: 403" 403 forbidden \
    -H "X-Api-Oauth2-User: mockuser1" -H "X-Api-Oauth2-Scope: https://api.apps.cam.ac.uk/other" "$(url /app/whoami)"
