#!/bin/bash
# make run: a private MariaDB under .run/, the migrations, the gwauth
# authorizer and responder under spawn-fcgi, and lighttpd on 127.0.0.1:8080
# (GWAUTH_PORT to change it) serving a small demo app with sessions on.
# Ctrl-C stops it all and exits 0. GWAUTH_RUN_DIR puts the state elsewhere.
# GWAUTH_PORT_BASE=N pins every port: lighttpd on N, MariaDB on N+1.
set -euo pipefail
GW_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$GW_TOP/scripts/lib.sh"
S=${GWAUTH_RUN_DIR:-$GW_TOP/.run}
PORT=${GWAUTH_PORT:-${GWAUTH_PORT_BASE:-8080}}
mkdir -p "$S/www/app"
# the next ports after lighttpd's (gw_free_port)
export GW_PORT_STATE="$S/ports.next"
echo 1 >"$GW_PORT_STATE"

# Stops everything, whatever already stopped by itself (Ctrl-C reaches
# lighttpd and the gwauth processes too, and lighttpd removes its pid file
# on the way out): nothing here may end the stop early.
stop_all() {
    set +e
    trap - INT TERM EXIT
    echo
    echo "stopping..."
    gw_stop_pidfile "$S/lighttpd.pid"
    local f pids
    for f in "$S/authz.pids" "$S/logout.pids"; do
        pids=$(cat "$f" 2>/dev/null)
        [ -n "$pids" ] && kill $pids 2>/dev/null
        rm -f "$f"
    done
    gw_db_stop "$S/mariadb"
    echo "stopped; data kept in $S (make clean-run removes it)"
}
# a previous run that was killed may have left processes behind
stop_all >/dev/null 2>&1 || true
set -e
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    gw_die "port $PORT is in use; set GWAUTH_PORT=another port"
fi

echo "starting MariaDB (data in $S/mariadb)..."
gw_db_init "$S/mariadb"
DBPORT=$(gw_free_port)
gw_db_start "$S/mariadb" "$DBPORT"
[ -s "$S/db.password" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$S/db.password")
gw_db_setup "$S/mariadb" gwauth gwauth "$(cat "$S/db.password")"

cat >"$S/gwauth.json" <<JSON
{
  "database": { "socket": "$S/mariadb/mysql.sock", "user": "gwauth",
                "password_file": "$S/db.password", "name": "gwauth" },
  "fastcgi": { "secret_file": "$S/fastcgi.secret" },
  "session": { "enabled": true, "secure": false },
  "monitor": { "metrics_file": "$S/metrics" },
  "log": { "level": "info" }
}
JSON
gw_secret "$S/fastcgi.secret"
cp "$GW_TOP/demo/index.html" "$S/www/app/index.html"
cp "$GW_TOP/demo/whoami" "$S/www/app/whoami"
"$GW_TOP/build/authorizer" -c "$S/gwauth.json" --check-config >/dev/null ||
    gw_die "configuration check failed: $GW_TOP/build/authorizer -c $S/gwauth.json --check-config"

spawn-fcgi -s "$S/authz.sock" -F 2 -P "$S/authz.pids" -- \
    "$GW_TOP/build/authorizer" -c "$S/gwauth.json" -l "$S/gwauth.log" >/dev/null
spawn-fcgi -s "$S/logout.sock" -F 1 -P "$S/logout.pids" -- \
    "$GW_TOP/build/logout" -c "$S/gwauth.json" -l "$S/gwauth.log" >/dev/null
gw_lighttpd_conf "$S/lighttpd.conf" "$PORT" "$S/www" "$S" "$S/authz.sock" "$S/logout.sock"
gw_lighttpd_start "$S/lighttpd.conf" "$S" "$PORT"

UI=$(printf '%s' '{"sub":"alice-0001","preferred_username":"alice","email":"alice@example.org","given_name":"Alice","family_name":"Liddell","name":"Alice Liddell","country_code":"GB","email_optin":true}' | base64 -w0)
cat <<TXT

gwauth is running: lighttpd on http://127.0.0.1:$PORT, authorizer x2 and responder
under spawn-fcgi, MariaDB on $S/mariadb/mysql.sock. Logs: $S/gwauth.log

Try (the gateway would add X-Userinfo; here you do):

  # no identity: 401 {"error":"unauthenticated"}
  curl -i http://127.0.0.1:$PORT/app/whoami

  # Alice's first request creates her; the app sees REMOTE_USER and GWAUTH_*
  curl -H "X-Userinfo: $UI" http://127.0.0.1:$PORT/app/whoami

  # make your own identity from JSON
  curl -H "X-Userinfo: \$(scripts/userinfo.sh '{"sub":"bob","email":"bob@example.org"}')" http://127.0.0.1:$PORT/app/whoami

  # a persistent session: the gateway's identity on /establish_session sets
  # a cookie; then the cookie alone is Alice (GWAUTH_SOURCE=session), until
  # /applogout ends it
  curl -i -c $S/cookies.txt -H "X-Userinfo: $UI" http://127.0.0.1:$PORT/establish_session
  curl -b $S/cookies.txt http://127.0.0.1:$PORT/app/whoami
  curl -i -b $S/cookies.txt http://127.0.0.1:$PORT/applogout

  # the health check, and the counters of all four gwauth processes (Prometheus)
  curl -i http://127.0.0.1:$PORT/gwauth/health
  curl -s http://127.0.0.1:$PORT/gwauth/metrics | grep requests_total

  # malformed identity: 400 {"error":"malformed_userinfo"}
  curl -i -H "X-Userinfo: not-base64!" http://127.0.0.1:$PORT/app/whoami

  # the rows in MariaDB
  mariadb --socket=$S/mariadb/mysql.sock -u$(id -un) gwauth -e 'SELECT * FROM users; SELECT * FROM user_profiles'

Press Ctrl-C to stop.
TXT
while pid=$(cat "$S/lighttpd.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; do sleep 1; done
echo "lighttpd exited; see $S/error.log"
exit 1
