#!/bin/bash
# Faults with the real servers: the database restarted under load, slowed
# by a table lock, back within 2 s; an authorizer killed; a slow client
# with a large body.
# shellcheck shell=bash
# alone (prove, ./t_97_faults.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
shared_stack main || return # (its configuration and secret, for lighttpd's bin-path)
stack_start faults '{"identity": {"cache_seconds": 0}}' 2 || return
FAULTS=$PORT

section "database restarted under load"
cfgf="$T/loadcfg.txt"
: >"$cfgf"
for i in $(seq 1 400); do
    printf 'url = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nheader = "X-Userinfo: %s"\nnext\n' \
        "$(url /app/whoami)" "$(b64 "{\"sub\":\"load-$((i % 120))\",\"email\":\"l$i@example.org\"}")" >>"$cfgf"
done
sed -i '$ d' "$cfgf"
pids=()
for w in 1 2 3 4; do
    curl -s -K "$cfgf" --max-time 60 >"$T/loadout.$w" 2>/dev/null &
    pids+=($!)
done
sleep 0.4
gw_db_stop "$DB_DIR"
sleep 0.5
gw_db_start "$DB_DIR" "$DB_PORT" || fail "MariaDB restart"
wait "${pids[@]}"
codes=$(cat "$T"/loadout.* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
expect_eq "1600 requests around a restart: all answered" "$(cat "$T"/loadout.* | wc -l)" 1600
expect_eq "...every answer is 200 or 503" "$(cat "$T"/loadout.* | grep -cvE '^(200|503)$')" 0
expect_has "...some were refused while it was down ($codes)" "$codes" " 503"
expect_has "...and most served" "$codes" " 200"
expect_eq "...no duplicate user" "$(sqlv "SELECT COUNT(*) FROM (SELECT global_id FROM users GROUP BY global_id HAVING COUNT(*) > 1) d")" 0
expect_eq "...one profile per user created under load" \
    "$(sqlv "SELECT COUNT(*) FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.global_id LIKE 'load-%' AND p.user_id IS NULL")" 0
for pid in $(stack_pids faults); do kill -0 "$pid" 2>/dev/null && ok "authorizer $pid alive" || fail "authorizer $pid alive"; done

section "database back: 200 within 2 s, no restart of gwauth"
gw_db_stop "$DB_DIR"
expect_deny "database stopped: 503" 503 unavailable -H "X-Userinfo: $(b64 '{"sub":"back-1"}')" "$(url /app/whoami)"
gw_db_start "$DB_DIR" "$DB_PORT" || fail "MariaDB restart"
t0=$(date +%s%N)
for i in $(seq 1 40); do
    req -H "X-Userinfo: $(b64 "{\"sub\":\"back-$i\"}")" "$(url /app/whoami)"
    [ "$STATUS" = 200 ] && break
    sleep 0.05
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "first 200 after the database is back" "$STATUS" 200
expect_eq "...within 2 s ($ms ms)" "$([ "$ms" -le 2000 ] && echo yes)" yes

section "database slow: a table locked by another session"
( printf 'LOCK TABLES users WRITE; SELECT SLEEP(8); UNLOCK TABLES;\n' | gw_sql "$DB_DIR" "$DB_NAME" >/dev/null 2>&1 ) &
LOCKER=$!
sleep 0.5
t0=$(date +%s%N)
req -H "X-Userinfo: $(b64 '{"sub":"slow-1"}')" "$(url /app/whoami)"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "request while users is locked: 503 unavailable" "$STATUS $BODY" '503 {"error":"unavailable"}'
expect_hasnt "...no identity" "$HEADERS$BODY" "GWAUTH_"
expect_eq "...within read_timeout_ms (2000) plus a margin ($ms ms)" "$([ "$ms" -ge 1500 ] && [ "$ms" -le 4000 ] && echo yes)" yes
req -m 1 "$(url /public/missing)"
expect_eq "...lighttpd itself is not hung (answers at once)" "$([ "$STATUS" != 000 ] && echo yes)" yes
for cid in $(sqlv "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP%'"); do sqlv "KILL $cid" 2>/dev/null; done
wait "$LOCKER" 2>/dev/null
whoami "$(b64 '{"sub":"slow-1"}')"
expect_eq "lock released: 200 again" "$STATUS" 200

section "database read-only (SET GLOBAL read_only = 1)"
whoami "$(b64 '{"sub":"ro-known"}')"
expect_eq "a user known before" "$STATUS" 200
sqlv "SET GLOBAL read_only = 1"
expect_deny "a first login while the database is read-only: 503, not 500" 503 unavailable \
    -H "X-Userinfo: $(b64 '{"sub":"ro-new"}')" "$(url /app/whoami)"
expect_has "...with Retry-After" "$HEADERS" "Retry-After: 5"
expect_has "...logged as the database being unavailable" "$(cat "$T/faults/authz.log")" "event=db_unavailable error=\"1290 "
whoami "$(b64 '{"sub":"ro-known"}')"
expect_eq "...a returning user without changes needs no write: 200" "$STATUS" 200
sqlv "SET GLOBAL read_only = 0"
whoami "$(b64 '{"sub":"ro-new"}')"
expect_eq "writable again: the first login succeeds without a restart" "$STATUS" 200
expect_eq "...one row" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='ro-new'")" 1

section "an authorizer killed"
stack_start lone '{}' 1 || return
LONE=$PORT
echo "SECRET RESOURCE" >"$T/lone/www/app/secret.txt"
kill -9 $(stack_pids lone)
sleep 0.2
req -H "X-Userinfo: $ALICE2" "$(url /app/secret.txt)"
expect_eq "killed authorizer (spawn-fcgi does not respawn): lighttpd answers 5xx" "$(printf '%s' "$STATUS" | cut -c1)" 5
expect_hasnt "...and never serves the resource" "$BODY" "SECRET RESOURCE"
rm -f "$T/lone/authz.pids"
# the remedy: lighttpd's bin-path + max-procs starts and restarts the processes
R="$T/respawn"
mkdir -p "$R/www/app"
echo "SECRET RESOURCE" >"$R/www/app/secret.txt"
RPORT=$(gw_free_port)
gw_lighttpd_conf "$R/lighttpd.conf" "$RPORT" "$R/www" "$R" "$R/authz.sock" "$R/none.sock" "$T/main/fastcgi.secret"
sed -i "s|\"socket\"       => var.gwauth_authz_sock,|\"socket\" => var.gwauth_authz_sock, \"bin-path\" => \"$GW_BIN/authorizer -c $T/main/gwauth.json -l $R/authz.log\", \"max-procs\" => 1,|" "$R/lighttpd.conf"
gw_lighttpd_start "$R/lighttpd.conf" "$R" "$RPORT" || fail "bin-path: lighttpd"
PORT=$RPORT
req -H "X-Userinfo: $ALICE2" "$(url /app/secret.txt)"
expect_eq "bin-path: served" "$STATUS" 200
victim=$(pgrep -f "$R/authz.log" | head -1)
kill -9 "$victim"
for i in $(seq 1 30); do
    req -H "X-Userinfo: $ALICE2" "$(url /app/secret.txt)"
    [ "$STATUS" = 200 ] && break
    sleep 0.2
done
expect_eq "bin-path: lighttpd restarts a killed authorizer, then 200 again" "$STATUS" 200
expect_ne "...in a new process" "$(pgrep -f "$R/authz.log" | head -1)" "$victim"
gw_stop_pidfile "$R/lighttpd.pid"

section "a slow client with a large body (one authorizer process)"
stack_start slowpost '{}' 1 || return
head -c 300000 /dev/zero | tr '\0' 'x' >"$T/body.bin"
curl -s -o /dev/null --limit-rate 30k -X POST --data-binary @"$T/body.bin" \
    -H "X-Userinfo: $ALICE2" --max-time 30 "$(url /app/index.html)" &
SLOW=$!
sleep 1
t0=$(date +%s%N)
whoami "$(b64 '{"sub":"while-slow-post"}')"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "while a slow 300 kB POST is being sent, another request is answered at once" "$STATUS" 200
expect_eq "...in under a second ($ms ms)" "$([ "$ms" -lt 1000 ] && echo yes)" yes
kill "$SLOW" 2>/dev/null
wait "$SLOW" 2>/dev/null
for pid in $(stack_pids slowpost); do kill -0 "$pid" 2>/dev/null && ok "authorizer $pid alive after the slow body" || fail "authorizer $pid died"; done

section "database.hosts: a node that does not answer is skipped"
DEAD=$(gw_free_port)
STACK_DB="\"hosts\": [\"127.0.0.1:$DEAD\", \"127.0.0.1:$DB_PORT\"]" \
    stack_start hosts '{"identity": {"cache_seconds": 0}}' 1 || return
whoami "$(b64 '{"sub":"hosts-1"}')"
expect_eq "the first node down, the second serves: 200" "$STATUS" 200
expect_has "...the skip is logged with the node" "$(cat "$T/hosts/authz.log")" "event=db_node_skipped node=127.0.0.1:$DEAD"
expect_has "...and where it connected" "$(cat "$T/hosts/authz.log")" "event=db_connected node=127.0.0.1:$DB_PORT"
out=$("$GW_BIN/authorizer" -c "$T/hosts/gwauth.json" --check-config 2>&1)
expect_has "--check-config reports each node: the dead one" "$out" "note: database.hosts[0] 127.0.0.1:$DEAD: 2002"
expect_has "...and the one that answers" "$out" "note: database.hosts[1] 127.0.0.1:$DB_PORT: answers"
expect_has "...and is OK" "$out" "OK"
