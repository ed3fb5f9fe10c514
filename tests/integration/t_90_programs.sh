#!/bin/bash
# The programs themselves: options, configuration errors, --check-config,
# SIGTERM, and what the logs hold.
# shellcheck shell=bash
# alone (prove, ./t_90_programs.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
shared_stack main || return # (its configuration: a good setup)
shared_stack opts || return # (id_claim uid: for --print-config)
section "programs: options, configuration errors, --check-config, SIGTERM"
A="$GW_BIN/authorizer"
out=$("$A" --version); expect_has "--version" "$out" "gwauth-authorizer"
out=$("$A" --help); expect_has "--help lists --check-config" "$out" "--check-config"
out=$("$GW_BIN/logout" --help); expect_has "responder --help" "$out" "gwauth-logout"
"$A" --bogus >/dev/null 2>&1; expect_eq "unknown option exits 2" "$?" 2
printf '{"identity": {"sourse": "apisix"}, "database": {"port": "x"}}' >"$T/bad.json"
out=$("$A" -c "$T/bad.json" 2>&1); rc=$?
expect_eq "invalid configuration exits 1" "$rc" 1
expect_has "...naming the unknown key" "$out" "identity.sourse: unknown key"
expect_has "...and the mistyped one in the same run" "$out" "database.port: expected an integer"
out=$(GWAUTH_CONFIG="$T/bad.json" "$A" 2>&1)
expect_has "GWAUTH_CONFIG is read" "$out" "identity.sourse: unknown key"
out=$("$A" -c "$T/main/gwauth.json" --check-config 2>&1); rc=$?
expect_eq "--check-config on a good setup prints OK" "$out" "OK"
expect_eq "...and exits 0" "$rc" 0
cp "$T/main/db.password" "$T/pw-open" && chmod 644 "$T/pw-open" && : >"$T/pw-empty"
out=$("$A" -c <(sed "s|\"password_file\": \"[^\"]*\"|\"password_file\": \"$T/pw-open\"|" "$T/main/gwauth.json") --check-config 2>&1); rc=$?
expect_has "a password_file every user can read: a warning" "$out" "warning: database.password_file $T/pw-open is readable by every user"
expect_eq "...still OK (exit 0)" "$rc" 0
out=$("$A" -c <(sed "s|\"password_file\": \"[^\"]*\"|\"password_file\": \"$T/pw-empty\"|" "$T/main/gwauth.json") --check-config 2>&1)
expect_has "an empty password_file: a warning" "$out" "warning: database.password_file $T/pw-empty is empty"
out=$("$A" -c "$T" --check-config 2>&1); rc=$?
expect_has "a directory given as the configuration file: said so" "$out" "$T: cannot read: Is a directory"
expect_eq "...exit 1" "$rc" 1
sed 's/"database"/"users": {"fields": {"nick": "nickname"}, "related": {"user_extras": [["a","b",""]]}}, "export": {"X_TEAM": "team"}, "database"/' \
    "$T/main/gwauth.json" >"$T/missing.json"
out=$("$A" -c "$T/missing.json" --check-config 2>&1); rc=$?
expect_eq "--check-config with missing columns exits 1" "$rc" 1
expect_has "...names the missing column" "$out" "users.fields.nick: column users.nickname not found"
expect_has "...names the missing table" "$out" "users.related.user_extras: table not found"
expect_has "...names the missing export column" "$out" "export.X_TEAM: column users.team not found"
out=$(GWAUTH_DB_PASSWORD=x "$A" -c <(sed 's/"password_file": "[^"]*",//' "$T/main/gwauth.json") --check-config 2>&1); rc=$?
expect_eq "--check-config with a wrong password exits 1" "$rc" 1
expect_has "...and says why" "$out" "Access denied"
expect_hasnt "...without printing the password" "$out" "$DB_PASS"
"$A" -c "$T/main/gwauth.json" -s "unix:$T/term.sock" -l "$T/term.log" &
tpid=$!
for i in $(seq 1 50); do [ -S "$T/term.sock" ] && break; sleep 0.1; done
kill -TERM "$tpid"
wait "$tpid"; rc=$?
expect_eq "SIGTERM: exits 0" "$rc" 0
expect_has "SIGTERM: logs its stop" "$(cat "$T/term.log")" "event=stop"
"$A" -c "$T/main/gwauth.json" </dev/null >/dev/null 2>"$T/nosock.err"; rc=$?
expect_eq "started without a FastCGI socket: exits 1" "$rc" 1
expect_has "...and says how to start it" "$(cat "$T/nosock.err")" "spawn-fcgi"

section "logs: one line per deny, never the header"
# without t_10_core.sh before it no log holds a deny yet, nor saw alice's
# header: main gets both here
if ! gw_ran t_10_core.sh; then
    PORT=$MAIN
    whoami "$ALICE"
    whoami "not*base64!"
fi
LOG=$(cat "$T"/*/authz.log)
expect_has "denies are logged with their code" "$LOG" "event=deny status=400 code=malformed_userinfo"
expect_hasnt "the identity header never appears in a log" "$LOG" "$ALICE"
expect_hasnt "no claim value (email) in a log" "$LOG" "alice@example.org"
expect_hasnt "the database password never appears in a log" "$LOG" "$DB_PASS"


section "programs: --print-config, SIGHUP reload, --workers"
out=$(GWAUTH_DB_PASSWORD=hunter2-secret "$A" -c "$T/opts/gwauth.json" --print-config 2>"$T/print.err"); rc=$?
expect_eq "--print-config exits 0" "$rc" 0
expect_has "...shows values from the file" "$out" '"id_claim":	"uid"'
expect_has "...and defaults" "$out" '"establish_path":	"/establish_session"'
expect_hasnt "...never the password" "$out$(cat "$T/print.err")" "hunter2-secret"
printf '%s\n' "$out" >"$T/printed.json"
expect_eq "...prints a file that loads to the same configuration" \
    "$("$A" -c "$T/printed.json" --print-config 2>/dev/null)" "$out"

stack_start reload '{"access": {"default": "authenticated"}}' 1 || return
RELOAD=$PORT
req "$(url /app/whoami)"
expect_eq "reload: before, anonymous gets 401" "$STATUS" 401
sed -i 's/"default": "authenticated"/"default": "anonymous"/' "$T/reload/gwauth.json"
RPID=$(stack_pids reload)
kill -HUP $RPID
for i in $(seq 1 20); do req "$(url /app/whoami)"; [ "$STATUS" = 200 ] && break; sleep 0.1; done
expect_eq "reload: after SIGHUP the new configuration answers (200)" "$STATUS" 200
expect_has "...and says so in the log" "$(cat "$T/reload/authz.log")" "event=reloaded"
cp "$T/reload/gwauth.json" "$T/reload/gwauth.json.ok"
printf '{"access": {"default": "nonsense"}}' >"$T/reload/gwauth.json"
kill -HUP $RPID
sleep 0.3
req "$(url /app/whoami)"
expect_eq "reload: an invalid file is refused and the old configuration kept (200)" "$STATUS" 200
expect_has "...the problem is logged with its key" "$(cat "$T/reload/authz.log")" 'gwauth.json: access.default: invalid value'
expect_eq "...and the process is the same" "$(stack_pids reload)" "$RPID"
kill -0 $RPID && ok "...and alive" || fail "...and alive"

section "programs: a reload or start the database does not match is refused; SIGHUP reopens the log"
# a configuration that maps a column before its migration ran
cp "$T/reload/gwauth.json.ok" "$T/reload/gwauth.json"
python3 - "$T/reload/gwauth.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c.setdefault("users", {})["fields"] = {"team": "team_not_migrated"}
json.dump(c, open(p, "w"))
PY
kill -HUP $RPID
sleep 0.3
ok_n=0
for i in 1 2 3 4 5; do req -H "X-Userinfo: $(b64 '{"sub":"reload-1"}')" "$(url /app/whoami)"; [ "$STATUS" = 200 ] && ok_n=$((ok_n + 1)); done
expect_eq "reload naming a column the database lacks: the old configuration keeps serving (5 × 200)" "$ok_n" 5
expect_has "...the log names the column" "$(cat "$T/reload/authz.log")" 'column users.team_not_migrated not found'
expect_has "...and keeps the previous configuration" "$(tail -3 "$T/reload/authz.log")" 'event=reload_refused keeping=previous reason="the database does not match the new configuration"'
out=$(timeout 10 "$A" -c "$T/reload/gwauth.json" -s "unix:$T/reload/other.sock" 2>&1); rc=$?
expect_eq "start with that configuration: exit 1" "$rc" 1
expect_has "...printing the problem" "$out" "users.fields.team: column users.team_not_migrated not found"
expect_eq "...without leaving a socket behind" "$([ -S "$T/reload/other.sock" ] && echo left || echo none)" "none"
cp "$T/reload/gwauth.json.ok" "$T/reload/gwauth.json"
mv "$T/reload/authz.log" "$T/reload/authz.log.1"
kill -HUP $RPID
for i in $(seq 1 20); do [ -s "$T/reload/authz.log" ] && break; sleep 0.1; done
req -H "X-Userinfo: $(b64 '{"sub":"reload-2"}')" "$(url /app/whoami)"
expect_eq "log rotated, SIGHUP: served" "$STATUS" 200
expect_has "...the new lines land in the new file" "$(cat "$T/reload/authz.log" 2>/dev/null)" "event=reloaded"
expect_hasnt "...not in the rotated one" "$(tail -1 "$T/reload/authz.log.1")" "event=reloaded"
mv "$T/reload/authz.log" "$T/reload/authz.log.2"
kill -USR1 $RPID
sleep 0.3
req -H "X-Userinfo: not-base64!" "$(url /app/usr1-probe)"
expect_eq "SIGUSR1: the process lives on and serves (here a 400, which is logged)" "$STATUS $(kill -0 $RPID 2>/dev/null && echo alive)" "400 alive"
expect_has "...its log lines go to a new file" "$(cat "$T/reload/authz.log" 2>/dev/null)" 'path="/app/usr1-probe"'
expect_hasnt "...not to the rotated one" "$(cat "$T/reload/authz.log.2")" 'path="/app/usr1-probe"'
expect_hasnt "...and the configuration was not re-read" "$(cat "$T/reload/authz.log" 2>/dev/null)" "event=reloaded"

W="$T/workers"
mkdir -p "$W"
"$A" -c "$T/main/gwauth.json" -s "unix:$W/authz.sock" -w 3 -l "$W/authz.log" &
SUP=$!
for i in $(seq 1 50); do [ -S "$W/authz.sock" ] && [ "$(pgrep -P $SUP | wc -l)" = 3 ] && break; sleep 0.1; done
expect_eq "--workers 3: three workers under the supervisor" "$(pgrep -P $SUP | wc -l)" 3
site_start "$W" "$W/authz.sock" "$T/main/fastcgi.secret" || fail "workers: lighttpd"
whoami "$ALICE2"
expect_has "--workers: requests are served" "$BODY" "REMOTE_USER=alice-1"
victim=$(pgrep -P $SUP | head -1)
kill -9 "$victim"
for i in $(seq 1 40); do
    [ "$(pgrep -P $SUP | wc -l)" = 3 ] && ! pgrep -P $SUP | grep -qx "$victim" && break
    sleep 0.1
done
expect_eq "--workers: a killed worker is replaced" "$(pgrep -P $SUP | grep -vx "$victim" | wc -l)" 3
expect_has "...and the supervisor logs it" "$(cat "$W/authz.log")" "event=worker_died pid=$victim"
parallel 12 "$T/workers.codes" -H "X-Userinfo: $ALICE2" "$(url /app/whoami)"
expect_eq "--workers: 12 parallel requests all 200" "$(sort "$T/workers.codes" | uniq -c | tr -s ' ')" " 12 200"
gw_stop_pidfile "$W/lighttpd.pid"
kill -TERM $SUP
wait $SUP; rc=$?
expect_eq "--workers: SIGTERM stops the supervisor and its workers, exit 0" "$rc:$(pgrep -f "$W/authz.sock" | wc -l)" "0:0"
