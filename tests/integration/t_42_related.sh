#!/bin/bash
# Related tables are written on user_id alone: a table with a second
# UNIQUE key (here user_handles.handle) can never make one user's login
# write another user's row; the collision is refused and writes nothing.
# shellcheck shell=bash
# alone (prove, ./t_42_related.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
shared_stack main || return # (its configuration, without user_handles)
gw_sql "$DB_DIR" "$DB_NAME" -e "CREATE TABLE user_handles (
    user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    handle VARCHAR(64) NOT NULL DEFAULT '' , bio VARCHAR(255) NOT NULL DEFAULT '',
    UNIQUE KEY uq_handle (handle),
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE) DEFAULT CHARSET=utf8mb4"
stack_start related '{"identity": {"cache_seconds": 0},
  "users": {"related": {"user_handles": [["handle", "handle", ""], ["bio", "bio", ""]]}}}' 2 || return

handle_of() { sqlv "SELECT CONCAT(h.handle, '|', h.bio) FROM user_handles h JOIN users u ON u.id = h.user_id WHERE u.global_id = '$1'"; }

whoami "$(b64 '{"sub":"rel-victim","handle":"vic","bio":"the original"}')"
expect_eq "the victim's first login: 200" "$STATUS" 200
expect_eq "...her row" "$(handle_of rel-victim)" "vic|the original"

section "a new user whose handle is another user's"
expect_deny "first login with the victim's handle: 400" 400 malformed_userinfo \
    -H "X-Userinfo: $(b64 '{"sub":"rel-attacker","handle":"vic","bio":"PWNED by attacker"}')" "$(url /app/whoami)"
expect_eq "...the victim's row is untouched" "$(handle_of rel-victim)" "vic|the original"
expect_eq "...and no attacker user, half-written or whole" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='rel-attacker'")" 0
expect_has "...logged with the table, without the value" "$(cat "$T/related/authz.log")" "event=related_conflict table=user_handles"
expect_hasnt "...never with the claim" "$(cat "$T/related/authz.log")" "PWNED"

section "a returning user who claims another user's handle"
whoami "$(b64 '{"sub":"rel-other","handle":"oth","bio":"mine"}')"
expect_eq "another user: 200" "$STATUS" 200
expect_deny "...then the victim's handle: 400" 400 malformed_userinfo \
    -H "X-Userinfo: $(b64 '{"sub":"rel-other","handle":"vic","bio":"PWNED by other"}')" "$(url /app/whoami)"
expect_eq "...the victim's row is untouched" "$(handle_of rel-victim)" "vic|the original"
expect_eq "...and so is the user's own" "$(handle_of rel-other)" "oth|mine"
sqlv "DELETE h FROM user_handles h JOIN users u ON u.id = h.user_id WHERE u.global_id = 'rel-other'"
expect_deny "...a returning user without a row yet: the same (400)" 400 malformed_userinfo \
    -H "X-Userinfo: $(b64 '{"sub":"rel-other","handle":"vic","bio":"PWNED again"}')" "$(url /app/whoami)"
expect_eq "...the victim's row is untouched" "$(handle_of rel-victim)" "vic|the original"
expect_eq "...no row for the user" "$(handle_of rel-other)" ""

section "racing requests that create a returning user's related row"
parallel 16 "$T/related.codes" -H "X-Userinfo: $(b64 '{"sub":"rel-other","handle":"oth2","bio":"raced"}')" "$(url /app/whoami)"
expect_eq "16 parallel requests: all 200" "$(sort "$T/related.codes" | uniq -c | tr -s ' ')" " 16 200"
expect_eq "...one row, the claimed one" "$(handle_of rel-other)" "oth2|raced"
whoami "$(b64 '{"sub":"rel-victim","handle":"vic2","bio":"moved"}')"
expect_eq "the victim changes her own handle: 200" "$STATUS" 200
expect_eq "...her row follows" "$(handle_of rel-victim)" "vic2|moved"

out=$("$GW_BIN/authorizer" -c "$T/related/gwauth.json" --check-config 2>&1); rc=$?
expect_eq "--check-config: still OK (exit 0)" "$rc" 0
expect_has "...and names the table's other unique key" "$out" "note: users.related.user_handles: other unique keys (uq_handle)"
out=$("$GW_BIN/authorizer" -c "$T/main/gwauth.json" --check-config 2>&1)
expect_hasnt "...which user_profiles (keyed on user_id alone) has not" "$out" "note:"
