#!/bin/bash
# Errors that arrive in the middle of a result: a row already received,
# the error only at the next fetch, where Connector/C reports it on the
# connection and not on the statement. Made deterministic with a view:
# `users` becomes a view over the real table whose is_active column goes
# through a function that raises an error on the calls a plan names. The
# plan is an Aria table and the counter a sequence, so neither is undone
# by the rollback they cause.
# shellcheck shell=bash
# alone (prove, ./t_44_fetch_faults.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
FDB=gwauth_f
gw_db_setup "$DB_DIR" "$FDB" "$DB_USER" "$DB_PASS" >/dev/null || { fail "fault database"; return; }
gw_sql "$DB_DIR" "$FDB" <<'SQL' || { fail "fault view"; return; }
RENAME TABLE users TO users_t;
CREATE SEQUENCE fault_calls;
CREATE TABLE fault_plan (call_no BIGINT NOT NULL PRIMARY KEY, errno INT NOT NULL) ENGINE=Aria;
DELIMITER //
CREATE FUNCTION fault(v TINYINT) RETURNS TINYINT NOT DETERMINISTIC MODIFIES SQL DATA
BEGIN
  DECLARE e INT DEFAULT NULL;
  DECLARE n BIGINT DEFAULT NEXTVAL(fault_calls);
  SELECT errno INTO e FROM fault_plan WHERE call_no = n;
  IF e = 1213 THEN
    SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213,
      MESSAGE_TEXT = 'Deadlock found when trying to get lock; try restarting transaction';
  ELSEIF e IS NOT NULL THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1644, MESSAGE_TEXT = 'injected fault';
  END IF;
  RETURN v;
END//
DELIMITER ;
CREATE VIEW users AS SELECT id, global_id, username, email, first_name, last_name, name,
  fault(is_active) AS is_active, created_at, updated_at FROM users_t;
SQL
# the account reads the view, whose column calls the function
gw_sql "$DB_DIR" -e "GRANT EXECUTE ON \`$FDB\`.* TO '$DB_USER'@'localhost'" || fail "grant EXECUTE"
fsql() { gw_sql "$DB_DIR" "$FDB" --batch --skip-column-names -e "$1"; }
# plan_after K ERRNO [COUNT]: the next K calls pass, the COUNT (1) after
# them raise ERRNO.
plan_after() {
    local next
    next=$(fsql "SELECT NEXTVAL(fault_calls)")
    fsql "DELETE FROM fault_plan"
    for i in $(seq 1 "${3:-1}"); do fsql "INSERT INTO fault_plan VALUES ($((next + $1 + i)), $2)"; done
}
rows() { fsql "SELECT COUNT(*) FROM users_t WHERE global_id = '$1'"; }
members() { fsql "SELECT COUNT(*) FROM user_groups ug JOIN users_t u ON u.id = ug.user_id WHERE u.global_id = '$1'"; }

OLD_DB_NAME=$DB_NAME
DB_NAME=$FDB
stack_start fetchfault '{"groups": {"sync": "create"}, "identity": {"cache_seconds": 0}}' 1
DB_NAME=$OLD_DB_NAME
PORT=$(cat "$T/fetchfault/port")
FLOG="$T/fetchfault/authz.log"

section "an error after the first row of a result"
# A returning user with two groups: the lookup returns one row per group;
# the second row's evaluation raises the deadlock.
whoami "$(b64 '{"sub":"fetch-1","groups":["fa","fb"]}')"
expect_eq "fetch-1 created with two groups" "$STATUS $(members fetch-1)" "200 2"
: >"$FLOG"
plan_after 1 1213
whoami "$(b64 '{"sub":"fetch-1","groups":["fa","fb"]}')"
expect_eq "deadlock on the second row of the lookup: retried, 200" "$STATUS" 200
expect_has "...with both groups (the whole result, not its first row)" "$BODY" "GWAUTH_GROUPS=fa,fb"
expect_has "...the retry is logged" "$(cat "$FLOG")" "event=db_retry"
expect_eq "...one row" "$(rows fetch-1)" 1
expect_eq "...with both memberships" "$(members fetch-1)" 2

# A changed user and profile: the lookup (calls 1 and 2), two writes in
# a transaction, then the read-back inside it (calls 3 and 4), whose
# second row fails.
whoami "$(b64 '{"sub":"fetch-2","email":"old@example.org","country_code":"FR","groups":["fa","fb"]}')"
expect_eq "fetch-2 created" "$STATUS" 200
: >"$FLOG"
plan_after 3 1644
whoami "$(b64 '{"sub":"fetch-2","email":"new@example.org","country_code":"DE","groups":["fa","fb"]}')"
expect_eq "another error on the second row of the read-back: 500, not 200" "$STATUS" 500
expect_eq "...{\"error\":\"internal_error\"}" "$BODY" '{"error":"internal_error"}'
expect_hasnt "...no identity" "$HEADERS$BODY" "GWAUTH_"
expect_eq "...nothing committed (the old email and country)" \
    "$(fsql "SELECT CONCAT(u.email, ' ', p.country_code) FROM users_t u JOIN user_profiles p ON p.user_id = u.id WHERE global_id = 'fetch-2'")" \
    "old@example.org FR"
expect_has "...the error is logged with its code" "$(cat "$FLOG")" 'event=db_error error="1644 '
# One write (the email alone) is one statement, committed on its own, and
# read back after it: an error there is a 500 too, and the write stands,
# whole (a single statement is never half-done).
: >"$FLOG"
plan_after 3 1644
whoami "$(b64 '{"sub":"fetch-2","email":"new@example.org","country_code":"FR","groups":["fa","fb"]}')"
expect_eq "one write, then an error in the read-back: 500" "$STATUS $BODY" '500 {"error":"internal_error"}'
expect_eq "...the one statement committed" "$(fsql "SELECT email FROM users_t WHERE global_id = 'fetch-2'")" "new@example.org"
whoami "$(b64 '{"sub":"fetch-2","email":"new@example.org","country_code":"FR","groups":["fa","fb"]}')"
expect_eq "...the next request: 200, nothing left to write" "$STATUS" 200
expect_has "...with the new email" "$BODY" "REMOTE_USER=fetch-2"
fsql "DELETE FROM fault_plan"

section "an error in the row that INSERT ... RETURNING sends back"
# A first login: the INSERT returns the stored row (one call); the error
# arrives with it, after the server has inserted the row.
: >"$FLOG"
plan_after 0 1644
whoami "$(b64 '{"sub":"fetch-4","groups":["fa","fb"]}')"
expect_eq "an error in the returned row: 500, not 200" "$STATUS" 500
expect_hasnt "...no identity" "$HEADERS$BODY" "GWAUTH_"
expect_eq "...nothing committed: no user" "$(rows fetch-4)" 0
expect_eq "...and no membership" "$(members fetch-4)" 0
expect_has "...the error is logged with its code" "$(cat "$FLOG")" 'event=db_error error="1644 '
expect_hasnt "...and no user_created" "$(cat "$FLOG")" "event=user_created"
: >"$FLOG"
plan_after 0 1213
whoami "$(b64 '{"sub":"fetch-5","groups":["fa"]}')"
expect_eq "a deadlock in the returned row: retried, 200" "$STATUS" 200
expect_has "...the retry is logged" "$(cat "$FLOG")" "event=db_retry"
expect_eq "...one row, one membership" "$(rows fetch-5) $(members fetch-5)" "1 1"
fsql "DELETE FROM fault_plan"

section "an error on the first row"
whoami "$(b64 '{"sub":"fetch-3","groups":["fa"]}')"
expect_eq "fetch-3 created" "$STATUS" 200
: >"$FLOG"
plan_after 0 1644
whoami "$(b64 '{"sub":"fetch-3","groups":["fa"]}')"
expect_eq "error during the first fetch of a lookup: 500" "$STATUS" 500
expect_has "...logged with the server's code, not 0" "$(cat "$FLOG")" 'event=db_error error="1644 '
plan_after 0 1213 100
whoami "$(b64 '{"sub":"fetch-3","groups":["fa"]}')"
expect_eq "a deadlock on every try: 503" "$STATUS" 503
expect_has "...with Retry-After" "$HEADERS" "Retry-After:"
fsql "DELETE FROM fault_plan"
whoami "$(b64 '{"sub":"fetch-3","groups":["fa"]}')"
expect_eq "faults gone: 200 again, no restart" "$STATUS" 200
expect_eq "...still one row" "$(rows fetch-3)" 1
stack_stop fetchfault
