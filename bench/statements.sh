#!/bin/bash
# shellcheck disable=SC2016 # the SQL is quoted with backquotes, never expanded
# bench/statements.sh DIR: what each lookup costs MariaDB itself, on the
# benchmark's idle database (bench/run.sh calls it after its rounds, with
# its own temporary directory DIR).
#
# The statements are the ones the programs really prepare: the floor's
# authorizer (bench/floor_db) and gwauth's authorizer (DIR/gw-nocache.json,
# DIR/gw-session.json) each answer one request on a socket of their own
# while MariaDB's general log is on; the SELECTs they prepared are taken
# from the log. bench/stmt then runs each, and a few variants that leave
# out what the floor does not do, BENCH_STATEMENT_COUNT times (20000) from
# one connection, and prints the server's CPU time per execution: a
# Markdown table on standard output. Measurements only: nothing here
# fails on a timing.
#
# Environment: BENCH_DB_USER, BENCH_DB_PASSWORD, BENCH_DB_NAME (as
# bench/run.sh sets them), GW_BUILD (build).
set -u
GW_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$GW_TOP/scripts/lib.sh"
D=${1:?usage: bench/statements.sh DIR}
BIN="$GW_TOP/${GW_BUILD:-build}"
COUNT=${BENCH_STATEMENT_COUNT:-20000}
SOCK="$D/db/mysql.sock"
say() { printf '%s\n' "$*" >&2; }
for p in "$BIN/bench/stmt" "$BIN/bench/floor_db" "$BIN/authorizer" "$BIN/tests/fcgiclient"; do
    [ -x "$p" ] || { say "statements: $p is missing"; exit 1; }
done
PIDS=""
stop() {
    # shellcheck disable=SC2086
    [ -n "$PIDS" ] && kill $PIDS 2>/dev/null
    gw_sql "$D/db" -e "SET GLOBAL general_log = 0" 2>/dev/null
    rm -f "$D"/st-*.sock
}
trap stop EXIT

# spawn NAME PROGRAM...: PROGRAM as a FastCGI application on DIR/st-NAME.sock
spawn() {
    local name=$1
    shift
    rm -f "$D/st-$name.sock" "$D/st-$name.pid"
    BENCH_DB_SOCKET="$SOCK" spawn-fcgi -s "$D/st-$name.sock" -F 1 -P "$D/st-$name.pid" -- "$@" >/dev/null 2>&1 ||
        { say "statements: cannot start $1"; return 1; }
    PIDS="$PIDS $(cat "$D/st-$name.pid")"
}
# the log is on from before they connect: they prepare their statements then
gw_sql "$D/db" -e "SET GLOBAL log_output = 'TABLE'; TRUNCATE mysql.general_log; SET GLOBAL general_log = 1" || exit 1
spawn floor "$BIN/bench/floor_db" || exit 1
spawn returning "$BIN/authorizer" -c "$D/gw-nocache.json" || exit 1
spawn session "$BIN/authorizer" -c "$D/gw-session.json" || exit 1

USERINFO=$(printf '{"sub":"bench-1","email":"b1@example.org","preferred_username":"b1"}' | base64 -w0)
SECRET=$(cat "$D/fastcgi.secret")
for app in floor returning session; do
    args=("HTTP_X_USERINFO=$USERINFO")
    [ "$app" = session ] && args=("HTTP_COOKIE=gwauth_session=bench$(printf '%038d' 1)")
    out=$("$BIN/tests/fcgiclient" "unix:$D/st-$app.sock" REQUEST_METHOD=GET REQUEST_URI=/app/index.html \
        REMOTE_ADDR=127.0.0.1 "GWAUTH_SECRET=$SECRET" "${args[@]}")
    case $out in *"Status: 200"*) ;; *) say "statements: $app did not answer 200: $(head -c 200 <<<"$out")"; exit 1 ;; esac
done
gw_sql "$D/db" -e "SET GLOBAL general_log = 0" || exit 1
# the SELECTs prepared on the connection of each program's one request
prepared() {
    gw_sql "$D/db" -N -e "SELECT argument FROM mysql.general_log WHERE command_type = 'Prepare'
        AND argument LIKE 'SELECT%' AND argument LIKE '$1' ORDER BY event_time LIMIT 1"
}
FLOOR=$(prepared 'SELECT id FROM users WHERE global_id = ?%')
SEL=$(prepared '% FROM `users` u%WHERE u.`global_id` = ?')
SSEL=$(prepared '%FROM `sessions` s JOIN `users` u%')
for v in FLOOR SEL SSEL; do
    [ -n "${!v}" ] || { say "statements: no prepared statement found for $v"; exit 1; }
done
# unjoin SQL: SQL without its LEFT JOINs (related tables, groups), their
# columns NULL: what reading the user's (or the session's and the user's)
# own row costs
unjoin() {
    sed -E -e 's/ LEFT JOIN `[a-z_0-9]+` [a-z0-9]+ ON [a-z0-9]+\.`user_id` = u\.`id`//g' \
        -e 's/(r[0-9]+|ug)\.`[a-z_0-9]+`( IS NOT NULL)?/NULL/g' <<<"$1"
}
SESS_ROW='SELECT s.`user_id` FROM `sessions` s WHERE s.`token_hash` = ?'

DBPID=$(cat "$D/db/mariadbd.pid")
# measure LABEL KIND SQL: one table row
measure() {
    local r
    r=$("$BIN/bench/stmt" "$SOCK" "$DBPID" "$2" "$COUNT" "$3") || { say "statements: $1: bench/stmt failed"; return 1; }
    say "statements: $1: ${r% *} us per execution"
    printf '| %s | %s | %s | `` %s `` |\n' "$1" "${r% *}" "${r#* }" "$3"
}
echo "| statement | MariaDB µs per execution | rows | SQL |"
echo "|---|---:|---:|---|"
measure "floor-db's lookup" user "$FLOOR"
measure "gwauth's returning user (returning-nocache)" user "$SEL"
measure "...without its LEFT JOINs (the user's row only)" user "$(unjoin "$SEL")"
measure "gwauth's session lookup (session)" session "$SSEL"
measure "...without its LEFT JOINs (the session's and the user's rows)" session "$(unjoin "$SSEL")"
measure "...the session's row only" session "$SESS_ROW"
