#!/bin/bash
# make bench: gwauth behind lighttpd, measured with wrk side by side with
# baselines in the same run, alternating scenarios round after round.
#
#   static             lighttpd alone, one small static file (the ceiling)
#   floor              + a FastCGI authorizer that answers 200 at once (bench/floor.c)
#   floor-db           + an authorizer doing one prepared SELECT (bench/floor_db.c)
#   floor-create       + an authorizer creating each new user and its profile
#                      in one transaction (bench/floor_db.c create), as "new"
#   returning          gwauth, default config, a random one of 1000 known users
#   returning-nocache  the same with identity.cache_seconds = 0
#   returning-jwt      returning, with identity.jwt: each user's X-Userinfo
#                      comes with its RS256 ID token (X-Raw-ID-Token)
#   returning-jwt-nocache  the same with identity.cache_seconds = 0: every
#                      request verifies its token's signature
#   new                gwauth, every request a user never seen (user + profile row)
#   changed            gwauth, known users whose email changes every request
#   session            gwauth, requests carrying only a session cookie
#   returning-assert   returning, with the signed identity assertion (ES256):
#                      cached with the identity, renewed at half its life
#   django-returning   the Django peer (bench/django: what mitol-django-apigateway
#                      does, Django 3.2 under gunicorn, as many sync workers
#                      as authorizer processes, proxied by the same
#                      lighttpd), the users of returning
#   django-new         the Django peer, every request a new user, as new
#   nginx-floor        nginx (auth_request, nginx.conf.example) with the
#                      trivial authorizer (bench/floor.c), a static file
#   nginx-returning    nginx with gwauth (fastcgi.nginx_auth_request), as
#                      returning
#   session-galera     the same with database.cluster "galera": every lookup
#                      waits for the cluster's writes (wsrep_sync_wait);
#                      BENCH_GALERA=1 only
#
# Environment: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_PROCS ("2 4"),
# BENCH_THREADS (2), BENCH_CONNECTIONS (16), BENCH_SCENARIOS (all),
# BENCH_OUT (BENCH.md; "-" for none).
# BENCH_GALERA=1 (make bench-cluster): the database is node 1 of a
# three-node Galera cluster on loopback instead of one server; the
# scenarios default to the ones a cluster changes, the table goes to
# BENCH-cluster.md.
set -u
GW_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$GW_TOP/scripts/lib.sh"
ROUNDS=${BENCH_ROUNDS:-3}
DUR=${BENCH_SECONDS:-5}
PROCS=${BENCH_PROCS:-"2 4"}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-16}
# floor-create writes thousands of rows, whose flushing costs the server
# CPU for a while: it runs just before new, not before the read scenarios
ALL="static floor floor-db returning returning-nocache returning-jwt returning-jwt-nocache returning-assert floor-create new changed session"
command -v nginx >/dev/null 2>&1 && ALL="$ALL nginx-floor nginx-returning"
# the Django peer, when its Debian packages are there
DJANGO_MISSING=""
/usr/bin/python3 -c 'import django, MySQLdb' 2>/dev/null || DJANGO_MISSING="python3-django python3-mysqldb"
command -v gunicorn >/dev/null 2>&1 || DJANGO_MISSING="$DJANGO_MISSING gunicorn"
[ -z "$DJANGO_MISSING" ] && ALL="$ALL django-returning django-new"
GALERA=${BENCH_GALERA:-0}
if [ "$GALERA" = 1 ]; then
    ALL="floor floor-db floor-create returning-nocache new session session-galera"
    . "$GW_TOP/scripts/galera.sh"
fi
SCENARIOS=${BENCH_SCENARIOS:-$ALL}
OUT=${BENCH_OUT:-$GW_TOP/BENCH$([ "$GALERA" = 1 ] && echo -cluster).md}
BIN="$GW_TOP/${GW_BUILD:-build}"
B=$(mktemp -d "${TMPDIR:-/tmp}/gwauth-bench.XXXXXX")
TICK=$(getconf CLK_TCK)

cleanup() {
    gw_stop_pidfile "$B/lighttpd.pid"
    [ -f "$B/pool.pids" ] && kill $(cat "$B/pool.pids") 2>/dev/null
    if [ "$GALERA" = 1 ]; then gw_galera_stop "$B/galera"; else gw_db_stop "$B/db"; fi
    rm -rf "$B"
}
trap cleanup EXIT
say() { printf '%s\n' "$*" >&2; }

say "bench: MariaDB, 2000 users and 1000 sessions in $B"
if [ "$GALERA" = 1 ]; then
    chmod 755 "$B" # the nodes run as the mysql user
    gw_galera_init "$B/galera" && gw_galera_start "$B/galera" || exit 1
    # the rest talks to node 1 as if it were the one server
    mkdir -p "$B/db"
    ln -s "$(gw_galera_sock "$B/galera" 1)" "$B/db/mysql.sock"
    ln -s "$B/galera/n1/mariadbd.pid" "$B/db/mariadbd.pid"
else
    gw_db_init "$B/db" && gw_db_start "$B/db" "$(gw_free_port)" || exit 1
fi
PW="bench-$RANDOM$RANDOM"
gw_db_setup "$B/db" gwauth gwauth "$PW" >/dev/null || exit 1
gw_sql "$B/db" gwauth <<'SQL' || exit 1
INSERT INTO users (global_id, username, email, created_at, updated_at)
  SELECT CONCAT('bench-', seq), CONCAT('b', seq), CONCAT('b', seq, '@example.org'), NOW(6), NOW(6)
  FROM seq_1_to_2000;
INSERT INTO user_profiles (user_id) SELECT id FROM users WHERE global_id LIKE 'bench-%';
INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
  SELECT UNHEX(SHA2(CONCAT('bench', LPAD(seq, 38, '0')), 256)), u.id, NOW(6), NOW(6) + INTERVAL 1 DAY
  FROM seq_1_to_1000 JOIN users u ON u.global_id = CONCAT('bench-', seq);
SQL
(umask 077; printf '%s\n' "$PW" >"$B/db.password")
mkdir -p "$B/www/app"
printf '<!doctype html><title>bench</title><p>hello\n' >"$B/www/app/index.html"
gw_secret "$B/fastcgi.secret"
dbconf="\"database\": {\"socket\": \"$B/db/mysql.sock\", \"user\": \"gwauth\", \"password_file\": \"$B/db.password\", \"name\": \"gwauth\"},
  \"fastcgi\": {\"secret_file\": \"$B/fastcgi.secret\"}"
echo "{ $dbconf }" >"$B/gw.json"
echo "{ $dbconf, \"identity\": {\"cache_seconds\": 0} }" >"$B/gw-nocache.json"
echo "{ $dbconf, \"session\": {\"enabled\": true} }" >"$B/gw-session.json"
sed 's|"name": "gwauth"}|"name": "gwauth", "cluster": "galera"}|' "$B/gw-session.json" >"$B/gw-session-galera.json"
ISS="https://sso.example.org/realms/bench"
jwtconf="\"jwt\": {\"jwks_file\": \"$B/jwks.json\", \"issuers\": [\"$ISS\"], \"audiences\": [\"bench\"]}"
echo "{ $dbconf, \"identity\": {$jwtconf} }" >"$B/gw-jwt.json"
echo "{ $dbconf, \"identity\": {\"cache_seconds\": 0, $jwtconf} }" >"$B/gw-jwt-nocache.json"
mkdir -p "$B/keys"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$B/keys/a.pem" 2>/dev/null && chmod 600 "$B/keys/a.pem" || exit 1
echo "{ $dbconf, \"assertion\": {\"key_file\": \"$B/keys\", \"issuer\": \"https://bench.example/gwauth\", \"audience\": \"bench\"} }" >"$B/gw-assert.json"
sed 's|"fastcgi": {|"fastcgi": {"nginx_auth_request": true, |' "$B/gw.json" >"$B/gw-nginx.json"
MINT="$BIN/tests/jwtmint"
[ -x "$MINT" ] || { say "bench: $MINT is missing (make $BIN/tests/jwtmint)"; exit 1; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$B/rsa.pem" 2>/dev/null || exit 1
"$MINT" jwks bench-1="$B/rsa.pem" >"$B/jwks.json" || exit 1

# The Django peer's database: its own, on the same server, made by
# Django (migrate --run-syncdb), with the same 1000 returning users.
DJPORT=$(gw_free_port)
django_env() {
    env DJANGO_SETTINGS_MODULE=peer.settings PYTHONPATH="$GW_TOP/bench/django" BENCH_DJANGO_DB=django \
        BENCH_DB_SOCKET="$B/db/mysql.sock" BENCH_DB_USER=gwauth BENCH_DB_PASSWORD="$PW" "$@"
}
if [ -z "$DJANGO_MISSING" ]; then
    say "bench: the Django peer's database"
    gw_sql "$B/db" -e "CREATE DATABASE django CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        GRANT ALL ON django.* TO 'gwauth'@'localhost'" || exit 1
    django_env /usr/bin/python3 -m django migrate --run-syncdb -v0 || { say "bench: Django migrate failed"; exit 1; }
    gw_sql "$B/db" django <<'SQL' || exit 1
INSERT INTO peer_user (password, global_id, username, email, first_name, last_name, name, is_active, created_at, updated_at)
  SELECT '!', CONCAT('bench-', seq), CONCAT('b', seq), CONCAT('b', seq, '@example.org'), '', '', '', 1, NOW(6), NOW(6)
  FROM seq_1_to_2000;
INSERT INTO peer_userprofile (user_id, country_code, email_optin) SELECT id, '', 0 FROM peer_user;
SQL
fi

# The users' X-Userinfo values and the session tokens, as Lua tables.
{
    echo "users = {"
    for i in $(seq 1 1000); do
        printf '"%s",\n' "$(printf '{"sub":"bench-%d","email":"b%d@example.org","preferred_username":"b%d"}' "$i" "$i" "$i" | base64 -w0)"
    done
    echo "}"
    echo "tokens = {"
    for i in $(seq 1 1000); do printf '"bench%038d",\n' "$i"; done
    echo "}"
    say "bench: signing 1000 ID tokens"
    exp=$(($(date +%s) + 86400))
    echo "jwts = {"
    for i in $(seq 1 1000); do
        printf '"%s",\n' "$("$MINT" sign "$B/rsa.pem" RS256 '{"alg":"RS256","typ":"JWT","kid":"bench-1"}' \
            "{\"iss\":\"$ISS\",\"aud\":\"bench\",\"sub\":\"bench-$i\",\"exp\":$exp,\"email\":\"b$i@example.org\"}")"
    done
    echo "}"
} >"$B/data.lua"
for s in $ALL; do
    [ "$s" = session-galera ] && ln -s "$B/session.lua" "$B/$s.lua" && continue
    { echo "dofile(\"$GW_TOP/bench/b64.lua\")"; echo "dofile(\"$B/data.lua\")"
      cat "$GW_TOP/bench/common.lua"; echo "mode = \"$s\""; } >"$B/$s.lua"
done

LPORT=$(gw_free_port)
gw_lighttpd_conf "$B/auth.conf" "$LPORT" "$B/www" "$B" "$B/authz.sock" "$B/none.sock"
# the same server without fastcgi.server (and the secret's script): lighttpd alone
sed -e '/^fastcgi.server = (/,/^)/d' -e '/^\$HTTP\["url"\] !~ "\^\/(establish_session/,/^}/d' \
    -e '/^magnet.attract-raw-url-to/d' \
    "$B/auth.conf" >"$B/static.conf"
# the same server proxying /app/ to the Django peer
{ cat "$B/static.conf"; echo 'server.modules += ( "mod_proxy" )'
  echo "proxy.server = ( \"/app/\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => $DJPORT ) ) )"; } >"$B/django.conf"

# nginx, the same site: auth_request to the authorizer's socket; the
# benchmark's file under /bench/ (nginx.conf.example's /app/ is a FastCGI
# application)
NPORT=$(gw_free_port)
if command -v nginx >/dev/null 2>&1; then
    mkdir -p "$B/nginx" "$B/www/bench"
    cp "$B/www/app/index.html" "$B/www/bench/index.html"
    for k in identity fastcgi proxy; do
        "$BIN/admin" -c "$B/gw-nginx.json" snippet "nginx-$k" >"$B/nginx/nginx-$k.conf" || exit 1
    done
    gw_nginx_conf "$B/nginx.conf" "$NPORT" "$B/www" "$B/nginx" "$B/authz.sock" "$B/none.sock" \
        "$B/fastcgi.secret" "$B/nginx"
    sed -i 's/^worker_processes 2;/worker_processes 1;/' "$B/nginx.conf" # as lighttpd: one process
fi

# cpu_ticks PIDS: utime + stime of the processes so far
cpu_ticks() {
    local t=0 p f
    for p in "$@"; do
        f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
        t=$((t + ${f% *} + ${f#* }))
    done
    echo "$t"
}
# peak_rss PIDS: the largest VmHWM in KiB
peak_rss() {
    local m=0 p v
    for p in "$@"; do
        v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null)
        [ -n "$v" ] && [ "$v" -gt "$m" ] && m=$v
    done
    echo "$m"
}
# ms VALUE: wrk's 123.45us / 1.23ms / 1.02s in milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

# run SCENARIO PROCS ROUND: one measurement; appends a line to results.
run() {
    local s=$1 p=$2 r=$3 conf="$B/auth.conf" prog=() pids="" server=lighttpd
    local port=$LPORT path=/app/index.html
    case $s in nginx-*) server=nginx port=$NPORT path=/bench/index.html ;; esac
    case $s in
        static) conf="$B/static.conf" ;;
        django-*) conf="$B/django.conf" ;;
        floor) prog=("$BIN/bench/floor") ;;
        floor-db) prog=("$BIN/bench/floor_db") ;;
        floor-create) prog=("$BIN/bench/floor_db" create) ;;
        returning | new | changed) prog=("$BIN/authorizer" -c "$B/gw.json") ;;
        returning-nocache) prog=("$BIN/authorizer" -c "$B/gw-nocache.json") ;;
        returning-jwt) prog=("$BIN/authorizer" -c "$B/gw-jwt.json") ;;
        returning-jwt-nocache) prog=("$BIN/authorizer" -c "$B/gw-jwt-nocache.json") ;;
        returning-assert) prog=("$BIN/authorizer" -c "$B/gw-assert.json") ;;
        nginx-floor) prog=("$BIN/bench/floor") ;;
        nginx-returning) prog=("$BIN/authorizer" -c "$B/gw-nginx.json") ;;
        session) prog=("$BIN/authorizer" -c "$B/gw-session.json") ;;
        session-galera) prog=("$BIN/authorizer" -c "$B/gw-session-galera.json") ;;
    esac
    rm -f "$B/authz.sock" "$B/pool.pids"
    if [ ${#prog[@]} -gt 0 ]; then
        BENCH_DB_SOCKET="$B/db/mysql.sock" BENCH_DB_USER=gwauth BENCH_DB_PASSWORD="$PW" BENCH_DB_NAME=gwauth \
            spawn-fcgi -s "$B/authz.sock" -F "$p" -P "$B/pool.pids" -- "${prog[@]}" >/dev/null 2>&1 ||
            { say "cannot start ${prog[0]}"; return 1; }
        pids=$(cat "$B/pool.pids")
    fi
    if [ "${s#django-}" != "$s" ]; then
        rm -f "$B/gunicorn.pid"
        django_env gunicorn --daemon --workers "$p" --bind "127.0.0.1:$DJPORT" --pid "$B/gunicorn.pid" \
            --chdir "$GW_TOP/bench/django" --error-logfile "$B/gunicorn.log" peer.wsgi ||
            { say "cannot start gunicorn"; return 1; }
        local i
        for i in $(seq 1 100); do
            [ -s "$B/gunicorn.pid" ] && curl -s -o /dev/null "http://127.0.0.1:$DJPORT/" && break
            sleep 0.1
        done
        # the master and its workers
        pids="$(cat "$B/gunicorn.pid") $(pgrep -P "$(cat "$B/gunicorn.pid")" | tr '\n' ' ')"
    fi
    if [ "$server" = nginx ]; then
        gw_nginx_start "$B/nginx.conf" "$B/nginx" "$NPORT" || return 1
    else
        gw_lighttpd_start "$conf" "$B" "$LPORT" || return 1
    fi
    wrk -t"$THREADS" -c"$CONNS" -d1s -s "$B/$s.lua" "http://127.0.0.1:$port$path" >/dev/null 2>&1
    local c0 c1 w lpid dpid l0 l1 d0 d1
    # the web server's CPU: lighttpd, or nginx's master and workers
    if [ "$server" = nginx ]; then
        lpid="$(cat "$B/nginx/nginx.pid") $(pgrep -P "$(cat "$B/nginx/nginx.pid")" | tr '\n' ' ')"
    else
        lpid=$(cat "$B/lighttpd.pid")
    fi
    dpid=$(cat "$B/db/mariadbd.pid")
    # shellcheck disable=SC2086
    l0=$(cpu_ticks $lpid) d0=$(cpu_ticks "$dpid")
    # shellcheck disable=SC2086
    c0=$(cpu_ticks $pids)
    w=$(wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency -s "$B/$s.lua" "http://127.0.0.1:$port$path" 2>&1)
    # shellcheck disable=SC2086
    c1=$(cpu_ticks $pids)
    # shellcheck disable=SC2086
    l1=$(cpu_ticks $lpid) d1=$(cpu_ticks "$dpid")
    local rps p50 p99 bad rss cpu
    rps=$(printf '%s\n' "$w" | awk '/^Requests\/sec:/ {print $2}')
    p50=$(ms "$(printf '%s\n' "$w" | awk '$1 == "50%" {print $2}')")
    p99=$(ms "$(printf '%s\n' "$w" | awk '$1 == "99%" {print $2}')")
    bad=$(printf '%s\n' "$w" | awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}')
    # shellcheck disable=SC2086
    rss=$(peak_rss $pids)
    cpu=$(awk -v d="$((c1 - c0))" -v t="$TICK" -v s="$DUR" -v n="$p" 'BEGIN { if (n == 0) n = 1; printf "%.0f", d / t / s * 100 / n }')
    [ -z "$pids" ] && cpu=0 rss=0
    # CPU microseconds per request spent in lighttpd and in MariaDB
    local n lus dus
    n=$(awk -v r="${rps:-0}" -v s="$DUR" 'BEGIN { printf "%d", r * s }')
    lus=$(awk -v d="$((l1 - l0))" -v t="$TICK" -v n="$n" 'BEGIN { printf "%.0f", n ? d / t * 1e6 / n : 0 }')
    dus=$(awk -v d="$((d1 - d0))" -v t="$TICK" -v n="$n" 'BEGIN { printf "%.0f", n ? d / t * 1e6 / n : 0 }')
    echo "$r $s $p ${rps:-0} $p50 $p99 $bad $cpu $rss $lus $dus" >>"$B/results"
    say "$(printf 'round %d  %-18s procs %d  %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  non-2xx %d  cpu/proc %3d%%  rss %d KiB  server %d us/req  mariadb %d us/req' \
        "$r" "$s" "$p" "${rps:-0}" "$p50" "$p99" "$bad" "$cpu" "$rss" "$lus" "$dus")"
    gw_stop_pidfile "$B/lighttpd.pid"
    gw_stop_pidfile "$B/nginx/nginx.pid"
    [ -n "$pids" ] && kill $pids 2>/dev/null
    [ -s "$B/gunicorn.pid" ] && { kill "$(cat "$B/gunicorn.pid")" 2>/dev/null; sleep 0.5; rm -f "$B/gunicorn.pid"; }
    sleep 0.3
}

: >"$B/results"
for r in $(seq 1 "$ROUNDS"); do
    for p in $PROCS; do
        for s in $SCENARIOS; do run "$s" "$p" "$r"; done
    done
done

# Table: medians over rounds; ratios per round (same round's floor and
# static), then their median.
table=$(awk -v procs="$PROCS" -v scen="$SCENARIOS" '
function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ r = $1; s = $2; p = $3; rps[r, s, p] = $4; p50[r, s, p] = $5; p99[r, s, p] = $6; bad[s, p] += $7; cpu[r, s, p] = $8
  if ($9 > rss[s, p]) rss[s, p] = $9; rounds[r] = 1 }
END {
    ns = split(scen, S, " "); np = split(procs, P, " ")
    print "| procs | scenario | req/s | p50 ms | p99 ms | non-2xx | ÷ floor | ÷ floor-db | ÷ static | CPU/proc | peak RSS/proc |"
    print "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (k = 1; k <= np; k++) for (i = 1; i <= ns; i++) {
        p = P[k]; s = S[i]; n = 0
        for (r in rounds) { n++; a[n] = rps[r, s, p]; b[n] = p50[r, s, p]; c[n] = p99[r, s, p]; d[n] = cpu[r, s, p]
            f[n] = rps[r, "floor", p] ? rps[r, s, p] / rps[r, "floor", p] : 0
            g[n] = rps[r, "floor-db", p] ? rps[r, s, p] / rps[r, "floor-db", p] : 0
            h[n] = rps[r, "static", p] ? rps[r, s, p] / rps[r, "static", p] : 0 }
        printf "| %d | %s | %.0f | %.3f | %.3f | %d | %.2f | %.2f | %.3f | %d%% | %s |\n", p, s, median(a, n), median(b, n), median(c, n), bad[s, p],
            median(f, n), median(g, n), median(h, n), median(d, n), rss[s, p] ? sprintf("%.1f MiB", rss[s, p] / 1024) : "-"
    }
}' "$B/results")
echo
echo "$table"
# what a feature costs: B ÷ A within each round, then the median
cost() {
    awk -v procs="$PROCS" -v a="$1" -v b="$2" '
$2 == a { s[$1, $3] = $4 } $2 == b { g[$1, $3] = $4; r[$1] = 1 }
END { np = split(procs, P, " "); for (k = 1; k <= np; k++) { n = 0; line = ""
        for (i in r) if (s[i, P[k]] > 0) { n++; v[n] = g[i, P[k]] / s[i, P[k]]; line = line sprintf(" %.2f", v[n]) }
        if (!n) continue
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        printf "%s ÷ %s, %d procs, per round:%s; median %.2f\n", b, a, P[k], line, n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 } }' "$B/results"
}
sync_cost=$(cost django-returning returning; cost django-new new; cost floor-create new; cost session session-galera; cost returning returning-assert; cost nginx-floor nginx-returning
    cost floor nginx-floor)
[ -n "$sync_cost" ] && echo && echo "$sync_cost"
command -v nginx >/dev/null 2>&1 || echo "bench: nginx-floor, nginx-returning skipped: nginx is not installed (nginx-core)" >&2
[ -z "$DJANGO_MISSING" ] || echo "bench: django-returning, django-new skipped: not installed:$DJANGO_MISSING" >&2

if [ "$OUT" != "-" ]; then
    {
        echo "# gwauth benchmark"
        echo
        echo "Generated by \`make bench$([ "$GALERA" = 1 ] && echo -cluster)\` on $(date -u +%Y-%m-%d) (BENCH_ROUNDS=$ROUNDS BENCH_SECONDS=$DUR"
        echo "BENCH_PROCS=\"$PROCS\", wrk -t$THREADS -c$CONNS --latency, lighttpd serving a 45-byte file on loopback)."
        echo
        echo "Machine: $(nproc) CPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB,"
        echo "$(uname -sr); $(lighttpd -v 2>&1 | head -1 | cut -d' ' -f1); $(mariadbd --version | awk '{print $3}'); wrk, lighttpd, MariaDB and the authorizers share the machine."
        [ "$GALERA" = 1 ] && echo "The database: node 1 of a three-node Galera cluster on the same machine."
        echo
        echo "Medians over $ROUNDS alternating rounds; each ratio is taken within its round, then the median."
        echo "CPU/proc is the authorizer processes' CPU time per process over the measured seconds."
        echo
        echo "$table"
        echo
        [ -n "$sync_cost" ] && printf '%s\n\n' "$sync_cost"
        command -v nginx >/dev/null 2>&1 || printf 'nginx-floor, nginx-returning: skipped, nginx is not installed (nginx-core).\n\n'
        [ -z "$DJANGO_MISSING" ] || printf 'django-returning, django-new: skipped, not installed:%s.\n\n' "$DJANGO_MISSING"
        if [ "$GALERA" = 1 ]; then cat "$GW_TOP/bench/NOTES-cluster.md"; else cat "$GW_TOP/bench/NOTES.md"; fi
    } >"$OUT"
    say "bench: written to $OUT"
fi
