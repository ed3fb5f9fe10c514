#!/bin/bash
# The responder's health check and metrics (monitor.*), and the log lines
# an operator reads: every deny with method, path, client and user, values
# escaped, an allow line at debug, and log.format json.
# shellcheck shell=bash
# alone (prove, ./t_58_monitor.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
FC="$GW_BIN/tests/fcgiclient"
stack_start mon '{"session": {"enabled": true, "secure": false},
  "access": {"rules": [{"prefix": "/admin/", "groups_any": ["admins"]}]},
  "log": {"level": "debug"}}' 2 || return
d="$T/mon"
MON=$PORT

# metric NAME{LABELS}: its value in the last scrape ($SCRAPE), or "absent"
metric() { printf '%s\n' "$SCRAPE" | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print "absent" }'; }
scrape() { SCRAPE=$(curl -s --max-time 10 "http://127.0.0.1:$MON/gwauth/metrics"); }

section "health: 200 while the database answers and matches the configuration"
req "$(url /gwauth/health)"
expect_eq "GET /gwauth/health: 200" "$STATUS" 200
expect_eq "...{\"status\":\"ok\"}" "$BODY" '{"status":"ok"}'
expect_has "...JSON, not cached" "$HEADERS" "Cache-Control: no-store"
req -I "$(url /gwauth/health)"
expect_eq "HEAD: 200" "$STATUS" 200
req --data x "$(url /gwauth/health)"
expect_eq "POST: 405" "$STATUS" 405
expect_has "...Allow: GET, HEAD" "$HEADERS" "Allow: GET, HEAD"
w0=$(writes)
req "$(url /gwauth/health)"
expect_eq "a health check writes nothing" "$(writes)" "$w0"
req -H "X-Userinfo: $(b64 '{"sub":"mon-admin","groups":["admins"]}')" "$(url /gwauth/health)"
expect_eq "...and needs no identity, but takes one" "$STATUS" 200

section "metrics: mixed traffic from two authorizer processes, a responder and a third process"
scrape
a0=$(metric 'gwauth_requests_total{program="authorizer",code="ok"}')
u0=$(metric 'gwauth_requests_total{program="authorizer",code="unauthenticated"}')
m0=$(metric 'gwauth_requests_total{program="authorizer",code="malformed_userinfo"}')
f0=$(metric 'gwauth_requests_total{program="authorizer",code="forbidden"}')
l0=$(metric 'gwauth_requests_total{program="logout",code="ok"}')
c0=$(metric 'gwauth_users_written_total{event="created"}')
h0=$(metric 'gwauth_cache_lookups_total{result="hit"}')
s0=$(metric 'gwauth_sessions_created_total')
e0=$(metric 'gwauth_sessions_ended_total{reason="logout"}')
db0=$(metric 'gwauth_db_seconds_count')
expect_ne "a first scrape has the request counter" "$a0" absent
for i in $(seq 1 12); do req -H "X-Userinfo: $(b64 "{\"sub\":\"mon-$((i % 4))\"}")" "$(url /app/whoami)"; done
for i in $(seq 1 5); do req "$(url /app/whoami)"; done
for i in $(seq 1 3); do req -H "X-Userinfo: not-base64!" "$(url /app/whoami)"; done
for i in $(seq 1 2); do req -H "X-Userinfo: $(b64 '{"sub":"mon-1"}')" "$(url /admin/)"; done
req -c "$d/jar" -H "X-Userinfo: $(b64 '{"sub":"mon-s"}')" "$(url /establish_session)"
expect_eq "a session made: 302" "$STATUS" 302
req -b "$d/jar" "$(url /applogout)"
expect_eq "...and ended: 302" "$STATUS" 302
# a third authorizer, started on its own (--workers 2), counting into the same file
mkdir -p "$d/third"
"$GW_BIN/authorizer" -c "$d/gwauth.json" -s "unix:$d/third/authz.sock" -w 2 -l "$d/third/authz.log" &
THIRD=$!
for i in $(seq 1 50); do [ -S "$d/third/authz.sock" ] && break; sleep 0.1; done
sleep 0.3
SECRET=$(cat "$d/fastcgi.secret")
ok3=0
for i in $(seq 1 6); do
    out=$("$FC" "unix:$d/third/authz.sock" REQUEST_METHOD=GET REQUEST_URI=/app/ REMOTE_ADDR=127.0.0.1 \
        "GWAUTH_SECRET=$SECRET" "HTTP_X_USERINFO=$(b64 '{"sub":"mon-third"}')")
    case $out in *"Status: 200"*) ok3=$((ok3 + 1)) ;; esac
done
expect_eq "the third process allowed its 6 requests" "$ok3" 6
scrape
expect_eq "processes: 2 + 2 authorizers counted" "$(metric 'gwauth_processes{program="authorizer"}')" 4
expect_eq "...and the responder" "$(metric 'gwauth_processes{program="logout"}')" 1
# sent through lighttpd since the first scrape: 12 allowed + the establish,
# the logout, the second scrape (each passes the authorizer first) + 6 direct
expect_eq "authorizer ok: the allowed requests of all three processes add up" \
    "$(metric 'gwauth_requests_total{program="authorizer",code="ok"}')" "$((a0 + 12 + 3 + 6))"
expect_eq "authorizer unauthenticated: 5 more" \
    "$(metric 'gwauth_requests_total{program="authorizer",code="unauthenticated"}')" "$((u0 + 5))"
expect_eq "authorizer malformed_userinfo: 3 more" \
    "$(metric 'gwauth_requests_total{program="authorizer",code="malformed_userinfo"}')" "$((m0 + 3))"
expect_eq "authorizer forbidden: 2 more" \
    "$(metric 'gwauth_requests_total{program="authorizer",code="forbidden"}')" "$((f0 + 2))"
expect_eq "responder ok: the establish, the logout and the first scrape" \
    "$(metric 'gwauth_requests_total{program="logout",code="ok"}')" "$((l0 + 3))"
expect_eq "users created: mon-0..3, mon-s, mon-third" \
    "$(metric 'gwauth_users_written_total{event="created"}')" "$((c0 + 6))"
hits=$(metric 'gwauth_cache_lookups_total{result="hit"}')
expect_eq "cache hits counted (the same identities again)" "$([ "$hits" -gt "$h0" ] && echo yes)" yes
expect_eq "sessions created: 1" "$(metric 'gwauth_sessions_created_total')" "$((s0 + 1))"
expect_eq "sessions ended by logout: 1" "$(metric 'gwauth_sessions_ended_total{reason="logout"}')" "$((e0 + 1))"
dbn=$(metric 'gwauth_db_seconds_count')
expect_eq "database operations timed" "$([ "$dbn" -gt "$db0" ] && echo yes)" yes
expect_eq "...the +Inf bucket is the count" "$(metric 'gwauth_db_seconds_bucket{le="+Inf"}')" "$dbn"
expect_eq "the counters are shared (monitor.metrics_file)" "$(metric gwauth_metrics_shared)" 1
expect_eq "build info" "$(metric "gwauth_build_info{version=\"$("$GW_BIN/authorizer" -V | awk '{print $2}')\"}")" 1
req "$(url /gwauth/metrics)"
expect_has "Content-Type: the Prometheus text format 0.0.4" "$HEADERS" "Content-Type: text/plain; version=0.0.4"
printf '%s\n' "$SCRAPE" >"$d/scrape.txt"
if out=$(promtool check metrics <"$d/scrape.txt" 2>&1); then ok "promtool check metrics: no problem"
else fail "promtool check metrics: no problem" "$out"; fi
kill "$THIRD" 2>/dev/null; wait "$THIRD" 2>/dev/null
for i in $(seq 1 30); do scrape; [ "$(metric 'gwauth_processes{program="authorizer"}')" = 2 ] && break; sleep 0.1; done
expect_eq "a stopped process leaves the list" "$(metric 'gwauth_processes{program="authorizer"}')" 2
expect_eq "...and its counts stay" "$([ "$(metric 'gwauth_requests_total{program="authorizer",code="ok"}')" -ge "$((a0 + 21))" ] && echo yes)" yes

section "metrics: for the monitoring server's address only (the example's lighttpd rule)"
st=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "http://127.0.0.1:$MON/gwauth/metrics")
expect_eq "from 127.0.0.2: 403" "$st" 403
st=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "http://127.0.0.1:$MON/gwauth/health")
expect_eq "...the health check stays open" "$st" 200

section "a real Prometheus scrapes it"
PP=$(gw_free_port)
mkdir -p "$d/prom"
cat >"$d/prom/prometheus.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: gwauth
    metrics_path: /gwauth/metrics
    static_configs: [ { targets: ["127.0.0.1:$MON"] } ]
YML
prometheus --config.file="$d/prom/prometheus.yml" --storage.tsdb.path="$d/prom/data" \
    --web.listen-address="127.0.0.1:$PP" >"$d/prom/log" 2>&1 &
PROM=$!
pq() { curl -s --max-time 5 "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" |
       python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")' 2>/dev/null; }
up=none
for i in $(seq 1 60); do up=$(pq 'up{job="gwauth"}'); [ "$up" = 1 ] && break; sleep 0.5; done
expect_eq "Prometheus: the target is up" "$up" 1
n=$(pq 'sum(gwauth_requests_total{program="authorizer"})')
expect_eq "...and has the request counters" "$([ "${n%.*}" -gt 20 ] 2>/dev/null && echo yes)" yes
expect_eq "...and the histogram" "$([ "$(pq 'count(gwauth_db_seconds_bucket)')" = 14 ] && echo yes)" yes
kill "$PROM" 2>/dev/null; wait "$PROM" 2>/dev/null

section "log lines: each deny with method, path, client and user, once"
log=$(cat "$d/authz.log")
line=$(grep -F 'code=forbidden' <<<"$log" | tail -1)
expect_has "a deny names method, normalized path and client" "$line" 'method=GET path="/admin/" client=127.0.0.1 '
expect_has "...and the user" "$line" "user=mon-1 user_id="
expect_eq "...one line per deny" "$(grep -c 'code=forbidden' <<<"$log")" 2
req -H "X-Userinfo: $(b64 '{"sub":"mon-s"}')" -c "$d/jar2" "$(url /establish_session)"
req --path-as-is -b "$d/jar2" "$(url '/admin//x/../y?token=secret-in-query')"
expect_eq "a session user on a forbidden path: 403" "$STATUS" 403
line=$(grep -F 'code=forbidden' "$d/authz.log" | tail -1)
expect_has "...logged with the session's user" "$line" "user=mon-s user_id="
expect_has "...path normalized" "$line" 'path="/admin/y"'
expect_hasnt "...never the query" "$line" "secret-in-query"
expect_has "an allow at level debug: one line with its source" "$(cat "$d/authz.log")" \
    'event=allow status=200 code=ok reason="allowed" method=GET path="/app/whoami" client=127.0.0.1 user=mon-0'
"$FC" "unix:$d/authz.sock" REQUEST_METHOD=GET 'REQUEST_URI=/app/a"b\c' REMOTE_ADDR=127.0.0.1 \
    "GWAUTH_SECRET=$SECRET" 'HTTP_X_USERINFO=x"y' >/dev/null
line=$(grep -F 'code=malformed_userinfo' "$d/authz.log" | tail -1)
expect_has "a quote and a backslash in the path are escaped" "$line" 'path="/app/a\"b\\c"'
expect_hasnt "...the value sent is not logged" "$line" 'x"y'

section "health: 503 with the reason, and back by itself"
sqlv "CREATE TABLE mon_extra (user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY, note VARCHAR(40) NOT NULL DEFAULT '')"
sqlv "CREATE USER IF NOT EXISTS 'gwmon'@'localhost' IDENTIFIED BY '$DB_PASS'; GRANT ALL ON \`$DB_NAME\`.* TO 'gwmon'@'localhost'"
STACK_DB_USER=gwmon stack_start monx '{"users": {"related": {"mon_extra": [["note", "note", ""]]}},
  "log": {"format": "json"}}' 1 || return
req "$(url /gwauth/health)"
expect_eq "healthy at first" "$STATUS" 200
sqlv "RENAME TABLE mon_extra TO mon_extra_gone"
# the responder's connection goes (as after a restart of the server)
for id in $(sqlv "SELECT id FROM information_schema.PROCESSLIST WHERE user = 'gwmon'"); do sqlv "KILL $id" 2>/dev/null; done
req "$(url /gwauth/health)"
expect_eq "a table the configuration names is gone: 503" "$STATUS" 503
expect_eq "...with the reason" "$BODY" '{"error":"unavailable","reason":"schema_mismatch"}'
expect_has "...and Retry-After" "$HEADERS" "Retry-After: 5"
req "$(url /gwauth/health)"
expect_eq "...answered from memory for 2 s (no connect, no schema check per request)" \
    "$STATUS $(grep -c 'db_connect_failed' "$T/monx/logout.log")" "503 1"
sqlv "RENAME TABLE mon_extra_gone TO mon_extra"
for i in $(seq 1 50); do req "$(url /gwauth/health)"; [ "$STATUS" = 200 ] && break; sleep 0.1; done
expect_eq "the table back: 200 again within 5 s, no restart" "$STATUS" 200
bad=$(python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    try:
        o = json.loads(l)
        assert isinstance(o, dict) and "ts" in o and "event" in o
    except Exception:
        n += 1
print(n)' "$T/monx/logout.log")
expect_eq "log.format json: every line is one JSON object" "$bad" 0
expect_has "...the deny's reason among them" "$(cat "$T/monx/logout.log")" '"code":"unavailable","reason":"schema_mismatch"'
stack_stop monx
DEAD=$(gw_free_port)
STACK_DB="\"hosts\": [\"127.0.0.1:$DEAD\"]" stack_start mondown '{}' 1 || return
req "$(url /gwauth/health)"
expect_eq "the database down: 503" "$STATUS" 503
expect_eq "...database_unreachable" "$BODY" '{"error":"unavailable","reason":"database_unreachable"}'
stack_stop mondown

section "metrics: a counters' file another user owns, or every user may write, is not used"
: >"$T/metrics.nobody" && chown nobody "$T/metrics.nobody"
(umask 0; : >"$T/metrics.open"; chmod 666 "$T/metrics.open")
for f in nobody open; do
    stack_start "monf$f" "{\"monitor\": {\"metrics_file\": \"$T/metrics.$f\"}}" 1 || return
    req "$(url /gwauth/metrics)"
    expect_has "metrics file ($f): counted alone" "$BODY" "gwauth_metrics_shared 0"
    expect_has "...and logged once, with why" "$(cat "$T/monf$f/authz.log")" "event=metrics_unshared"
    expect_eq "...the file untouched" "$(stat -c %s "$T/metrics.$f")" 0
    stack_stop "monf$f"
done
PORT=$MON
