#!/bin/bash
# make check-cluster: three MariaDB Galera nodes on loopback (as the mysql
# user, rsync SST), three lighttpd + gwauth front-ends, one per node, and
# the counts that say whether a cluster loses writes, answers 500 or
# serves stale sessions. Prints TAP-like lines and "N passed, N failed".
set -u
GW_TOP=${GW_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=../integration/harness.sh
. "$GW_TOP/tests/integration/harness.sh"
# shellcheck source=../../scripts/galera.sh
. "$GW_TOP/scripts/galera.sh"

G="$T/galera"
chmod 755 "$T" # the nodes run as the mysql user
cluster_cleanup() { gw_galera_stop "$G"; gw_cleanup; }
trap cluster_cleanup EXIT

section "booting a 3-node Galera cluster"
t0=$(date +%s)
if ! gw_galera_init "$G" || ! gw_galera_start "$G"; then
    fail "Galera cluster boot"
    summary
    exit 1
fi
ok "3 nodes synced in $(( $(date +%s) - t0 )) s"
# The harness's superuser helpers (sqlv, writes, gw_db_setup) talk to node 1.
DB_DIR="$T/node1"
mkdir -p "$DB_DIR"
ln -sf "$(gw_galera_sock "$G" 1)" "$DB_DIR/mysql.sock"
gw_db_setup "$DB_DIR" "$DB_NAME" "$DB_USER" "$DB_PASS" >/dev/null || { fail "schema on the cluster"; summary; exit 1; }
# sql_on N QUERY: one value from node N.
sql_on() { gw_galera_sql "$G" "$1" "$DB_NAME" --batch --skip-column-names -e "$2"; }

CONF='{"identity": {"cache_seconds": 0}, "groups": {"sync": "create"},
  "session": {"enabled": true, "secure": false}}'
FE=()
for n in 1 2 3; do
    STACK_DB="\"hosts\": [\"127.0.0.1:$(gw_galera_port "$G" "$n")\"], \"cluster\": \"galera\"" \
        stack_start "fe$n" "$CONF" 2 || { summary; exit 1; }
    FE[$n]=$PORT
done
fe() { PORT=${FE[$1]}; }

# counts FILE: "N×CODE ..." of a file of status codes.
counts() { sort "$1" | uniq -c | awk '{printf "%s%d×%s", (NR > 1 ? " " : ""), $1, $2}'; }
# burst OUT N URL_FN: N requests spread over the three front-ends, at once;
# URL_FN I prints the curl arguments of request I.
burst() {
    local out=$1 n=$2 fn=$3 i pids=()
    : >"$out"
    for i in $(seq 1 "$n"); do
        # shellcheck disable=SC2046
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 $($fn "$i") >>"$out" &
        pids+=($!)
    done
    wait "${pids[@]}"
}
five_xx() { grep -c '^5' "$1"; }
# until_served N PREFIX: new users through front-end N, every 0.2 s for at
# most 20 s, until one is served (200); leaves STATUS.
until_served() {
    local i
    for i in $(seq 1 100); do
        fe "$1"
        whoami "$(b64 "{\"sub\":\"$2-$i\"}")"
        [ "$STATUS" = 200 ] && break
        sleep 0.2
    done
}

section "one user's first login through three nodes at once"
one_user() { echo "-H X-Userinfo:$(b64 '{"sub":"race-g","email":"race@example.org"}') http://127.0.0.1:${FE[$(( $1 % 3 + 1 ))]}/app/whoami"; }
burst "$T/race" 48 one_user
expect_eq "48 parallel first logins: $(counts "$T/race")" "$(counts "$T/race")" "48×200"
for n in 1 2 3; do
    expect_eq "node $n: one users row, one profile" \
        "$(sql_on "$n" "SELECT CONCAT(COUNT(DISTINCT u.id), '/', COUNT(p.user_id)) FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.global_id = 'race-g'")" "1/1"
done

section "48 new users with overlapping new groups, 20 rounds, through three nodes"
ROUND=0
new_users() {
    local i=$1
    echo "-H X-Userinfo:$(b64 "{\"sub\":\"burst-$ROUND-$i\",\"groups\":[\"red-$ROUND-$(( i % 4 ))\",\"blue-$ROUND-$(( i % 3 ))\",\"all\"]}") http://127.0.0.1:${FE[$(( i % 3 + 1 ))]}/app/whoami"
}
: >"$T/burst.all"
for ROUND in $(seq 1 20); do
    burst "$T/burst" 48 new_users
    cat "$T/burst" >>"$T/burst.all"
done
expect_eq "960 first logins: $(counts "$T/burst.all"), no 5xx" "$(five_xx "$T/burst.all")" 0
for n in 1 2 3; do
    expect_eq "node $n: every 200 is a committed user with its profile and its three groups" \
        "$(sql_on "$n" "SELECT COUNT(*) FROM users u JOIN user_profiles p ON p.user_id = u.id
            WHERE u.global_id LIKE 'burst-%' AND (SELECT COUNT(*) FROM user_groups ug WHERE ug.user_id = u.id) = 3")" \
        "$(grep -c '^200$' "$T/burst.all")"
done
expect_eq "...and no user beyond them" "$(sql_on 2 "SELECT COUNT(*) FROM users WHERE global_id LIKE 'burst-%'")" \
    "$(grep -c '^200$' "$T/burst.all")"
section "certification conflicts retried on the way: $(cat "$T"/fe*/authz.log | grep -c 'event=db_retry')"

section "sessions: read-your-writes across front-ends"
# One curl process per check, so that the next request follows at once
# (its cookie engine carries the new session to the other ports).
misses=0 accepted=0
U1="http://127.0.0.1:${FE[1]}" U2="http://127.0.0.1:${FE[2]}" U3="http://127.0.0.1:${FE[3]}"
for i in $(seq 1 200); do
    rm -f "$T/jar" "$T/b2" "$T/b3" "$T/b4"
    curl -s --max-time 20 -c "$T/jar" -o /dev/null -H "X-Userinfo: $(b64 "{\"sub\":\"sess-g-$(( i % 10 ))\"}")" \
        "$U1/establish_session" --next -s -b "$T/jar" -o "$T/b2" "$U2/app/whoami" \
        --next -s -b "$T/jar" -o "$T/b3" "$U3/app/whoami"
    grep -q "GWAUTH_SOURCE=session" "$T/b2" || misses=$((misses + 1))
    grep -q "GWAUTH_SOURCE=session" "$T/b3" || misses=$((misses + 1))
    tok=$(awk '$6 == "gwauth_session" {print $7}' "$T/jar")
    curl -s --max-time 20 -o /dev/null -H "Cookie: gwauth_session=$tok" "$U1/applogout" \
        --next -s -o "$T/b4" -H "Cookie: gwauth_session=$tok" "$U2/app/whoami"
    grep -q "GWAUTH_SOURCE=session" "$T/b4" && accepted=$((accepted + 1))
done
expect_eq "200 sessions made on node 1, used at once on nodes 2 and 3: misses" "$misses" 0
expect_eq "200 sessions ended on node 1, reused at once on node 2: accepted" "$accepted" 0

section "sessions while node 2 applies late (its applier paused for 1.2 s)"
# FLUSH TABLES WITH READ LOCK on a Galera node pauses its applier: what
# node 1 commits meanwhile is not yet visible on node 2. A session lookup
# there must wait for it (wsrep_sync_wait) rather than answer from the
# past. Front-end 2's processes are connected beforehand (a new connection
# would see the node desynced and refuse it).
for i in $(seq 1 8); do fe 2; whoami "$(b64 '{"sub":"pause-warm"}')"; done
paused() { gw_galera_sql "$G" 2 -e "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(1.2); UNLOCK TABLES" >/dev/null; }
late_miss=0 late_accepted=0
for i in 1 2 3; do
    rm -f "$T/jar"
    paused &
    PAUSE=$!
    sleep 0.3
    curl -s --max-time 20 -c "$T/jar" -o /dev/null -H "X-Userinfo: $(b64 "{\"sub\":\"pause-$i\"}")" \
        "$U1/establish_session" --next -s -b "$T/jar" -o "$T/b2" "$U2/app/whoami"
    grep -q "GWAUTH_SOURCE=session" "$T/b2" || late_miss=$((late_miss + 1))
    wait "$PAUSE"
    tok=$(awk '$6 == "gwauth_session" {print $7}' "$T/jar")
    paused &
    PAUSE=$!
    sleep 0.3
    curl -s --max-time 20 -o /dev/null -H "Cookie: gwauth_session=$tok" "$U1/applogout" \
        --next -s -o "$T/b4" -H "Cookie: gwauth_session=$tok" "$U2/app/whoami"
    grep -q "GWAUTH_SOURCE=session" "$T/b4" && late_accepted=$((late_accepted + 1))
    wait "$PAUSE"
done
expect_eq "3 sessions made on node 1 while node 2 applies late, used at once there: misses" "$late_miss" 0
expect_eq "3 sessions ended on node 1 while node 2 applies late, reused at once there: accepted" "$late_accepted" 0

section "the session purge: once per cluster, not once per node"
sql_on 1 "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) SELECT UNHEX(SHA2(CONCAT('old-', seq), 256)), u.id, NOW(6) - INTERVAL 2 DAY, NOW(6) - INTERVAL 1 DAY FROM seq_1_to_3000 JOIN users u ON u.global_id = 'sess-g-1'"
sql_on 1 "UPDATE leases SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE name = 'session_purge'"
# the 24 users exist first: the burst measures session creation and the
# purge, not first logins on a loaded machine
for i in $(seq 0 23); do fe $(( i % 3 + 1 )); whoami "$(b64 "{\"sub\":\"purge-g-$i\"}")"; done
purges_before=$(cat "$T"/fe*/logout.log | grep -c 'event=sessions_purged')
establish() { echo "-H X-Userinfo:$(b64 "{\"sub\":\"purge-g-$(( $1 % 24 ))\"}") http://127.0.0.1:${FE[$(( $1 % 3 + 1 ))]}/establish_session"; }
burst "$T/purge" 240 establish
expect_eq "240 sessions made through three nodes over 3 000 expired rows: $(counts "$T/purge")" \
    "$(grep -cv '^302$' "$T/purge")" 0
expect_eq "...one purge in the whole cluster" \
    "$(( $(cat "$T"/fe*/logout.log | grep -c 'event=sessions_purged') - purges_before ))" 1
expect_eq "...of 2 000 rows, the rest left for the next turn" \
    "$(sql_on 3 "SELECT COUNT(*) FROM sessions WHERE expires_at < NOW(6)")" 1000

section "a node killed under load, then back"
fe 3
load() { echo "-H X-Userinfo:$(b64 "{\"sub\":\"kill-$1\"}") http://127.0.0.1:${FE[$(( $1 % 3 + 1 ))]}/app/whoami"; }
( for r in $(seq 1 30); do burst "$T/kill.$r" 12 load; sleep 0.1; done ) &
LOAD=$!
sleep 0.5
gw_galera_node_kill "$G" 3
wait "$LOAD"
cat "$T"/kill.* >"$T/kill.all"
expect_eq "360 requests while node 3 is killed: $(counts "$T/kill.all"); only 200 or 503" \
    "$(grep -cvE '^(200|503)$' "$T/kill.all")" 0
fe 1
whoami "$(b64 '{"sub":"while-3-down"}')"
expect_eq "front-end 1 serves meanwhile" "$STATUS" 200
t0=$(date +%s)
gw_galera_node_start "$G" 3 && gw_galera_wait_synced "$G" 3 120 || fail "node 3 rejoins"
until_served 3 back-3
expect_eq "node 3 back: front-end 3 serves again without a restart of gwauth ($(( $(date +%s) - t0 )) s)" "$STATUS" 200

section "quorum lost: 503, never 500"
gw_galera_quorum_loss "$G"
: >"$T/quorum"
for i in $(seq 1 30); do
    fe 1
    req -H "X-Userinfo: $(b64 "{\"sub\":\"quorum-$i\"}")" "$(url /app/whoami)"
    echo "$STATUS" >>"$T/quorum"
done
expect_eq "30 requests without quorum: $(counts "$T/quorum"); none is 500" "$(grep -c '^500$' "$T/quorum")" 0
expect_eq "...and none is served from a node outside the primary component" "$(grep -c '^200$' "$T/quorum")" 0
fe 1
req "$(url /gwauth/health)"
expect_eq "...the health check says why: 503 node_not_ready" "$STATUS $BODY" '503 {"error":"unavailable","reason":"node_not_ready"}'
gw_galera_quorum_restore "$G" || fail "quorum restored"
until_served 1 quorum-back
expect_eq "quorum back: 200 again without a restart of gwauth" "$STATUS" 200
for i in $(seq 1 50); do req "$(url /gwauth/health)"; [ "$STATUS" = 200 ] && break; sleep 0.1; done
expect_eq "...and the health check: 200" "$STATUS" 200

section "database.hosts: failover to the next node and back"
P1=$(gw_galera_port "$G" 1) P2=$(gw_galera_port "$G" 2)
STACK_DB="\"hosts\": [\"127.0.0.1:$P1\", \"127.0.0.1:$P2\"], \"cluster\": \"galera\", \"failback_seconds\": 2" \
    stack_start feh "$CONF" 1 || { summary; exit 1; }
whoami "$(b64 '{"sub":"hosts-g-0"}')"
expect_eq "on node 1: 200" "$STATUS" 200
gw_galera_node_kill "$G" 1
: >"$T/failover"
t0=$(date +%s%N)
for i in $(seq 1 40); do
    whoami "$(b64 "{\"sub\":\"hosts-g-$i\"}")"
    echo "$STATUS" >>"$T/failover"
    [ "$STATUS" = 200 ] && break
    sleep 0.1
done
expect_eq "node 1 killed: the front-end moves to node 2 ($(( ($(date +%s%N) - t0) / 1000000 )) ms, $(counts "$T/failover"))" "$STATUS" 200
expect_has "...logged" "$(cat "$T/feh/authz.log")" "event=db_connected node=127.0.0.1:$P2"
gw_galera_node_start "$G" 1 && gw_galera_wait_synced "$G" 1 120 || fail "node 1 rejoins"
sleep 2.5
whoami "$(b64 '{"sub":"hosts-g-back"}')"
expect_eq "node 1 back: 200" "$STATUS" 200
expect_has "...and the front-end went back to it" "$(tail -3 "$T/feh/authz.log")" "event=db_connected node=127.0.0.1:$P1"

summary
rc=$?
echo "$PASS passed, $FAIL failed"
exit $rc
