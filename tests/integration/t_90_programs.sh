# The programs themselves: options, configuration errors, --check-config,
# SIGTERM, and what the logs hold.
# shellcheck shell=bash
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
LOG=$(cat "$T"/*/authz.log)
expect_has "denies are logged with their code" "$LOG" "event=deny status=400 code=malformed_userinfo"
expect_hasnt "the identity header never appears in a log" "$LOG" "$ALICE"
expect_hasnt "no claim value (email) in a log" "$LOG" "alice@example.org"
expect_hasnt "the database password never appears in a log" "$LOG" "$DB_PASS"

