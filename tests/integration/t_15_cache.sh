#!/bin/bash
# The in-process cache (README "The in-process cache", step 9): the same header value within
# identity.cache_seconds is answered from memory (even with the database
# down); any other value goes to the database; rules still apply per path.
# shellcheck shell=bash
# alone (prove, ./t_15_cache.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
shared_stack opts || return # (cache_seconds 0: t_10_core.sh's stack)
stack_start cache '{"identity": {"cache_seconds": 4},
  "access": {"rules": [{"prefix": "/admin/", "groups_any": ["staff"]}]}}' 1 || return
CACHE=$PORT
section "cache: hits, misses, expiry, database down"
GUS=$(b64 '{"sub":"gus-1","email":"gus@example.org","groups":["staff"]}')
whoami "$GUS"
expect_eq "first request: 200 (from the database)" "$STATUS" 200
sqlv "UPDATE users SET email = 'changed-in-db@example.org' WHERE global_id = 'gus-1'"
before=$(writes)
whoami "$GUS"
expect_has "same header within cache_seconds: answered from memory" "$BODY" "GWAUTH_EMAIL=gus@example.org"
expect_eq "...without touching the database" "$(writes)" "$before"
whoami "$(b64 '{"sub":"gus-1","email":"gus@example.org","groups":["staff"],"x":1}')"
expect_has "another header value for the same user goes to the database" "$BODY" "GWAUTH_EMAIL=gus@example.org"
expect_eq "...which it updates" "$(sqlv "SELECT email FROM users WHERE global_id='gus-1'")" "gus@example.org"
DENY_AFTER_SYNC=1 expect_deny "a cached identity still meets the rules of each path" 403 forbidden \
    -H "X-Userinfo: $(b64 '{"sub":"hal-1"}')" "$(url /admin/)"
expect_deny "...also on the cached (second) request" 403 forbidden -H "X-Userinfo: $(b64 '{"sub":"hal-1"}')" "$(url /admin/)"
expect_deny "...and a bad path is still refused" 400 bad_path --path-as-is -H "X-Userinfo: $GUS" "$(url /admin/%2fx)"
# cached afresh just before the database goes: the checks above take time
GUS2=$(b64 '{"sub":"gus-1","email":"gus@example.org","groups":["staff"],"y":2}')
whoami "$GUS2"
gw_db_stop "$DB_DIR"
whoami "$GUS2"
expect_eq "database down: a cached identity is still served" "$STATUS" 200
expect_deny "database down: an uncached one gets 503" 503 unavailable -H "X-Userinfo: $(b64 '{"sub":"ivy-1"}')" "$(url /app/whoami)"
gw_db_start "$DB_DIR" "$DB_PORT" || fail "MariaDB restart"
sqlv "UPDATE users SET is_active = 0 WHERE global_id = 'gus-1'"
sleep 4.2
expect_deny "after cache_seconds the database decides again (inactive)" 403 inactive_user -H "X-Userinfo: $GUS2" "$(url /app/whoami)"
PORT=$OPTS
whoami "$(b64 '{"uid":"jon-1"}')"
sqlv "UPDATE users SET is_active = 0 WHERE global_id = 'jon-1'"
expect_deny "cache_seconds = 0: every request asks the database" 403 inactive_user -H "X-Userinfo: $(b64 '{"uid":"jon-1"}')" "$(url /app/whoami)"
