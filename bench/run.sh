#!/bin/bash
# make bench: gwauth behind lighttpd (and nginx, Apache httpd), measured with wrk side by side with
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
#   apache-floor       Apache httpd (mpm_event, Debian's settings, bench/apache.sh) with
#                      mod_authnz_fcgi (apache2.conf.example) calling the
#                      trivial authorizer, on loopback TCP (mod_authnz_fcgi
#                      speaks no unix socket), the same static file
#   apache-returning   the same Apache with gwauth, as returning
#   apache-returning-jwt-nocache  the same with returning-jwt-nocache's
#                      configuration reading the token from Authorization:
#                      Bearer (identity.jwt.header HTTP_AUTHORIZATION,
#                      CGIPassAuth On): a signature check on every request
#   apache-oidc        the peer: the same Apache with mod_auth_openidc as an
#                      OAuth 2.0 resource server (AuthType oauth20), checking
#                      the same bearer tokens on every request with the
#                      public key from a local file (OIDCOAuthVerifyCertFiles),
#                      iss and aud by Require claim; no database, no network
#   session-galera     the same with database.cluster "galera": every lookup
#                      waits for the cluster's writes (wsrep_sync_wait);
#                      BENCH_GALERA=1 only
#   scale-floor-db, scale-returning, scale-returning-nocache, scale-session,
#   scale-new          floor-db, returning, returning-nocache, session and
#                      new against a second database of 1 000 000 users,
#                      profiles and sessions (bulk-loaded with SQL), the
#                      requests drawn from 100 000 distinct active
#                      identities (more than the cache holds) and their
#                      sessions; BENCH_SCALE=1 only
#   scale-session-notouch  scale-session with session.touch_seconds 3600:
#                      no lookup writes last_used_at (the sessions were
#                      last used half an hour before), the lookup alone;
#                      BENCH_SCALE=1 only
#   groups500          returning-nocache for 10 users of 500 groups each
#                      (groups.sync "create", the memberships stored
#                      beforehand); BENCH_SCALE=1 only
#
# A row whose Debian package is missing (nginx-core, python3-django ...,
# apache2, libapache2-mod-auth-openidc) is skipped, and said so.
#
# Latency, with the first count of BENCH_PROCS: the scenarios of
# BENCH_LATENCY_SCENARIOS run again at each count of
# BENCH_LATENCY_CONNECTIONS the table has not measured; a second table
# gives their p50 and p99 side by side. Open loop: at the end of every
# round, floor and returning at a fixed rate, BENCH_OPEN_PERCENT of the
# floor's req/s measured in the same round (wrk paced by bench/pace.lua,
# BENCH_OPEN_CONNECTIONS connections), their p99 and its ratio.
# Measurements only: nothing here fails on a timing.
#
# Environment: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_PROCS ("2 4"),
# BENCH_THREADS (2), BENCH_CONNECTIONS (16; a list such as "16 64" runs
# every scenario at each), BENCH_SCENARIOS (all),
# BENCH_LATENCY_SCENARIOS ("floor floor-db returning returning-nocache
# session apache-returning-jwt-nocache apache-oidc", those of
# BENCH_SCENARIOS), BENCH_LATENCY_CONNECTIONS ("16 64"; "" for no latency
# table), BENCH_OPEN_PERCENT (70; 0 for no open-loop run),
# BENCH_OPEN_CONNECTIONS (64), BENCH_STATEMENTS (1; 0: not the
# lookups' cost on the idle server, bench/statements.sh, after the
# rounds), BENCH_STATEMENT_COUNT (20000 executions each),
# BENCH_OUT (BENCH.md; "-" for none).
# BENCH_GALERA=1 (make bench-cluster): the database is node 1 of a
# three-node Galera cluster on loopback instead of one server; the
# scenarios default to the ones a cluster changes, the table goes to
# BENCH-cluster.md.
# BENCH_SCALE=1 (make bench-scale): the same server also holds the
# database gwscale, BENCH_SCALE_USERS (1000000) users, their profiles and
# as many sessions; the scale rows draw from BENCH_SCALE_ACTIVE (100000)
# of them; InnoDB's buffer pool is BENCH_SCALE_POOL_MB (1024) MiB, for
# both databases. The scenarios default to floor-db, returning,
# returning-nocache, session and new, each beside its scale twin, and
# groups500; BENCH_PROCS to 2; no latency table, no open loop. The
# responder runs beside returning and scale-returning and serves the
# counters every process shares, from which the cache's hit rate; the
# table goes to BENCH-scale.md.
set -u
GW_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$GW_TOP/scripts/lib.sh"
. "$GW_TOP/bench/apache.sh"
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
# Apache with mod_authnz_fcgi, and the peer mod_auth_openidc
APACHE_MISSING=$(gw_apache_missing)
OIDC_MISSING=$(gw_apache_oidc_missing)
[ -z "$APACHE_MISSING" ] && ALL="$ALL apache-floor apache-returning apache-returning-jwt-nocache"
[ -z "$OIDC_MISSING" ] && ALL="$ALL apache-oidc"
# skipped WHAT: the rows left out, and why (on stderr and in BENCH.md)
skipped() {
    command -v nginx >/dev/null 2>&1 || echo "nginx-floor, nginx-returning: skipped, nginx is not installed (nginx-core)"
    [ -z "$DJANGO_MISSING" ] || echo "django-returning, django-new: skipped, not installed:$DJANGO_MISSING"
    [ -z "$APACHE_MISSING" ] || echo "apache-floor, apache-returning, apache-returning-jwt-nocache: skipped, not installed: $APACHE_MISSING"
    [ -z "$OIDC_MISSING" ] || echo "apache-oidc: skipped, not installed: $OIDC_MISSING"
}
GALERA=${BENCH_GALERA:-0}
if [ "$GALERA" = 1 ]; then
    ALL="floor floor-db floor-create returning-nocache new session session-galera"
    . "$GW_TOP/scripts/galera.sh"
fi
SCALE=${BENCH_SCALE:-0}
SCALE_USERS=${BENCH_SCALE_USERS:-1000000}
SCALE_ACTIVE=${BENCH_SCALE_ACTIVE:-100000}
SCALE_POOL_MB=${BENCH_SCALE_POOL_MB:-1024}
if [ "$SCALE" = 1 ]; then
    [ "$GALERA" = 1 ] && { echo "bench: BENCH_SCALE=1 and BENCH_GALERA=1 do not go together" >&2; exit 1; }
    # identity i of the active ones is user (i × 7919) mod USERS + 1:
    # distinct while 7919, a prime, does not divide USERS
    if [ "$SCALE_ACTIVE" -gt "$SCALE_USERS" ] || [ $((SCALE_USERS % 7919)) = 0 ]; then
        echo "bench: BENCH_SCALE_ACTIVE must be at most BENCH_SCALE_USERS, which 7919 must not divide" >&2
        exit 1
    fi
    # each twin just after its small row; the writes (session touches,
    # new users) last
    ALL="floor-db scale-floor-db returning scale-returning returning-nocache scale-returning-nocache groups500"
    ALL="$ALL session scale-session scale-session-notouch new scale-new"
    PROCS=${BENCH_PROCS:-2}
fi
# the cluster's run has neither, unless asked
LAT_CONNS=${BENCH_LATENCY_CONNECTIONS-$([ "$GALERA" = 1 ] || [ "$SCALE" = 1 ] || echo "16 64")}
OPEN_PCT=${BENCH_OPEN_PERCENT:-$({ [ "$GALERA" = 1 ] || [ "$SCALE" = 1 ]; } && echo 0 || echo 70)}
OPEN_CONNS=${BENCH_OPEN_CONNECTIONS:-64}
# the rows whose packages are missing, even when asked for
NA=""
command -v nginx >/dev/null 2>&1 || NA="$NA nginx-floor nginx-returning"
[ -z "$DJANGO_MISSING" ] || NA="$NA django-returning django-new"
[ -z "$APACHE_MISSING" ] || NA="$NA apache-floor apache-returning apache-returning-jwt-nocache"
[ -z "$OIDC_MISSING" ] || NA="$NA apache-oidc"
SCENARIOS=""
for s in ${BENCH_SCENARIOS:-$ALL}; do
    case " $NA " in *" $s "*) ;; *) SCENARIOS="$SCENARIOS $s" ;; esac
done
SCENARIOS=${SCENARIOS# }
if [ "$SCALE" != 1 ]; then
    for s in $SCENARIOS; do
        case $s in scale-* | groups500) echo "bench: $s is a row of BENCH_SCALE=1 only" >&2; exit 1 ;; esac
    done
fi
LAT=""
for s in ${BENCH_LATENCY_SCENARIOS:-floor floor-db returning returning-nocache session apache-returning-jwt-nocache apache-oidc}; do
    case " $SCENARIOS " in *" $s "*) LAT="$LAT $s" ;; esac
done
LAT=${LAT# }
[ -n "$LAT_CONNS" ] || LAT=""
OUT=${BENCH_OUT:-$GW_TOP/BENCH$([ "$GALERA" = 1 ] && echo -cluster)$([ "$SCALE" = 1 ] && echo -scale).md}
BIN="$GW_TOP/${GW_BUILD:-build}"
B=$(mktemp -d "${TMPDIR:-/tmp}/gwauth-bench.XXXXXX")
TICK=$(getconf CLK_TCK)

# Every server and authorizer a run starts stops here, on the way out of a
# failure or an interruption (Ctrl-C) too.
cleanup() {
    trap - INT TERM
    gw_stop_pidfile "$B/lighttpd.pid"
    gw_stop_pidfile "$B/nginx/nginx.pid"
    gw_apache_stop "$B/apache"
    gw_stop_pidfile "$B/gunicorn.pid"
    # shellcheck disable=SC2046
    [ -f "$B/pool.pids" ] && kill $(cat "$B/pool.pids") 2>/dev/null
    # shellcheck disable=SC2046
    [ -f "$B/resp.pids" ] && kill $(cat "$B/resp.pids") 2>/dev/null
    if [ "$GALERA" = 1 ]; then gw_galera_stop "$B/galera"; else gw_db_stop "$B/db"; fi
    rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
say() { printf '%s\n' "$*" >&2; }
# now_ms: the wall clock in milliseconds; secs T0: seconds since T0, as 12.3
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { awk -v d="$(($(now_ms) - $1))" 'BEGIN { printf "%.1f", d / 1000 }'; }
T_SETUP=$(now_ms)

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
# the large tables must fit in memory, as in production: the buffer pool
# grows (online) for both databases
if [ "$SCALE" = 1 ]; then
    gw_sql "$B/db" -e "SET GLOBAL innodb_buffer_pool_size = $((SCALE_POOL_MB * 1048576))" || exit 1
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
# scale_load WHAT LAST SQL: SQL with @A@ and @B@ replaced by 1 and 200 000,
# 200 001 and 400 000 ... up to LAST (a chunk per statement), in gwscale;
# the rows inserted so far and the time taken on stderr
scale_load() {
    local what=$1 last=$2 sql=$3 a b q n rows=0 t0
    t0=$(now_ms)
    for ((a = 1; a <= last; a += 200000)); do
        b=$((a + 199999))
        [ "$b" -le "$last" ] || b=$last
        q=${sql//@A@/$a}
        q=${q//@B@/$b}
        n=$(gw_sql "$B/db" gwscale -N -e "SET SESSION unique_checks = 0, foreign_key_checks = 0; $q; SELECT ROW_COUNT()") || return 1
        rows=$((rows + n))
        say "bench: gwscale: $rows $what ($(secs "$t0") s)"
    done
}
SCALE_DB=""
if [ "$SCALE" = 1 ]; then
    # groups500: 10 users of the small database, each in the same 500
    # groups, their memberships stored as the groups sync would have
    gw_sql "$B/db" gwauth <<'SQL' || exit 1
INSERT INTO users (global_id, username, email, created_at, updated_at)
  SELECT CONCAT('groups-', seq), CONCAT('g', seq), CONCAT('g', seq, '@example.org'), NOW(6), NOW(6)
  FROM seq_1_to_10;
INSERT INTO user_profiles (user_id) SELECT id FROM users WHERE global_id LIKE 'groups-%';
INSERT INTO `groups` (name) SELECT CONCAT('group-', LPAD(seq, 3, '0')) FROM seq_1_to_500;
INSERT INTO user_groups (user_id, group_id)
  SELECT u.id, g.id FROM users u JOIN `groups` g WHERE u.global_id LIKE 'groups-%';
SQL
    # the scale database: the same rows as the small one's, SCALE_USERS
    # of each, a session for every user (the same tokens: 'bench' and
    # the user's number on 38 digits)
    say "bench: gwscale: $SCALE_USERS users, profiles and sessions"
    t_load=$(now_ms)
    gw_db_setup "$B/db" gwscale gwauth "$PW" >/dev/null || exit 1
    scale_load users "$SCALE_USERS" "INSERT INTO users (global_id, username, email, created_at, updated_at)
  SELECT CONCAT('bench-', seq), CONCAT('b', seq), CONCAT('b', seq, '@example.org'), NOW(6), NOW(6)
  FROM seq_@A@_to_@B@" || exit 1
    # by ranges of id, which has gaps between the statements above
    maxid=$(gw_sql "$B/db" gwscale -N -e "SELECT MAX(id) FROM users") || exit 1
    scale_load profiles "$maxid" "INSERT INTO user_profiles (user_id) SELECT id FROM users WHERE id BETWEEN @A@ AND @B@" || exit 1
    # last used half an hour ago: with session.touch_seconds 60 (scale-session)
    # a session's first use in a measurement writes last_used_at however
    # long ago the load ended; with 3600 (scale-session-notouch) none does
    # for the next half hour
    scale_load sessions "$maxid" "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_used_at)
  SELECT UNHEX(SHA2(CONCAT('bench', LPAD(SUBSTRING(global_id, 7), 38, '0')), 256)), id,
    NOW(6) - INTERVAL 30 MINUTE, NOW(6) + INTERVAL 1 DAY, NOW(6) - INTERVAL 30 MINUTE
  FROM users WHERE id BETWEEN @A@ AND @B@" || exit 1
    counts=$(gw_sql "$B/db" gwscale -N -e "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM user_profiles),
        (SELECT COUNT(*) FROM sessions)" | tr '\t' ' ') || exit 1
    [ "$counts" = "$SCALE_USERS $SCALE_USERS $SCALE_USERS" ] ||
        { say "bench: gwscale holds $counts users, profiles and sessions, not $SCALE_USERS of each"; exit 1; }
    gw_sql "$B/db" -e "ANALYZE TABLE gwauth.users, gwauth.user_profiles, gwauth.sessions,
        gwscale.users, gwscale.user_profiles, gwscale.sessions" >/dev/null || exit 1
    SCALE_DB=$(gw_sql "$B/db" -N -e "SELECT GROUP_CONCAT(CONCAT(table_name, ' ', ROUND((data_length + index_length) / 1048576), ' MiB')
        ORDER BY table_name DESC SEPARATOR ', ') FROM information_schema.tables
        WHERE table_schema = 'gwscale' AND table_name IN ('users', 'user_profiles', 'sessions')") || exit 1
    say "bench: gwscale loaded in $(secs "$t_load") s: $SCALE_DB (data and indexes), buffer pool $(($(gw_sql "$B/db" -N -e 'SELECT @@innodb_buffer_pool_size') / 1048576)) MiB"
fi
(umask 077; printf '%s\n' "$PW" >"$B/db.password")
mkdir -p "$B/www/app"
printf '<!doctype html><title>bench</title><p>hello\n' >"$B/www/app/index.html"
gw_secret "$B/fastcgi.secret"
dbconf="\"database\": {\"socket\": \"$B/db/mysql.sock\", \"user\": \"gwauth\", \"password_file\": \"$B/db.password\", \"name\": \"gwauth\"},
  \"fastcgi\": {\"secret_file\": \"$B/fastcgi.secret\"}"
# scale mode: every process adds to one counters file, which the
# responder serves
[ "$SCALE" = 1 ] && dbconf="$dbconf,
  \"monitor\": {\"metrics_file\": \"$B/metrics\"}"
echo "{ $dbconf }" >"$B/gw.json"
echo "{ $dbconf, \"identity\": {\"cache_seconds\": 0} }" >"$B/gw-nocache.json"
echo "{ $dbconf, \"session\": {\"enabled\": true} }" >"$B/gw-session.json"
sed 's|"name": "gwauth"}|"name": "gwauth", "cluster": "galera"}|' "$B/gw-session.json" >"$B/gw-session-galera.json"
if [ "$SCALE" = 1 ]; then
    # the scale twins' configurations: the same, in the scale database
    for f in gw gw-nocache gw-session; do
        sed 's|"name": "gwauth"}|"name": "gwscale"}|' "$B/$f.json" >"$B/$f-scale.json"
        grep -q '"name": "gwscale"' "$B/$f-scale.json" || { say "bench: $f-scale.json names no gwscale"; exit 1; }
    done
    sed 's|"enabled": true}|"enabled": true, "touch_seconds": 3600}|' "$B/gw-session-scale.json" >"$B/gw-session-notouch-scale.json"
    grep -q '"touch_seconds": 3600' "$B/gw-session-notouch-scale.json" || { say "bench: no touch_seconds in gw-session-notouch-scale.json"; exit 1; }
    echo "{ $dbconf, \"identity\": {\"cache_seconds\": 0}, \"groups\": {\"sync\": \"create\", \"max_count\": 600} }" >"$B/gw-groups500.json"
fi
ISS="https://sso.example.org/realms/bench"
jwtconf="\"jwt\": {\"jwks_file\": \"$B/jwks.json\", \"issuers\": [\"$ISS\"], \"audiences\": [\"bench\"]}"
echo "{ $dbconf, \"identity\": {$jwtconf} }" >"$B/gw-jwt.json"
echo "{ $dbconf, \"identity\": {\"cache_seconds\": 0, $jwtconf} }" >"$B/gw-jwt-nocache.json"
# the same, the token as "Authorization: Bearer" (Apache's rows)
bearerconf="\"jwt\": {\"header\": \"HTTP_AUTHORIZATION\", \"jwks_file\": \"$B/jwks.json\", \"issuers\": [\"$ISS\"], \"audiences\": [\"bench\"]}"
echo "{ $dbconf, \"identity\": {\"cache_seconds\": 0, $bearerconf} }" >"$B/gw-apache-jwt-nocache.json"
mkdir -p "$B/keys"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$B/keys/a.pem" 2>/dev/null && chmod 600 "$B/keys/a.pem" || exit 1
echo "{ $dbconf, \"assertion\": {\"key_file\": \"$B/keys\", \"issuer\": \"https://bench.example/gwauth\", \"audience\": \"bench\"} }" >"$B/gw-assert.json"
sed 's|"fastcgi": {|"fastcgi": {"nginx_auth_request": true, |' "$B/gw.json" >"$B/gw-nginx.json"
MINT="$BIN/tests/jwtmint"
[ -x "$MINT" ] || { say "bench: $MINT is missing (make $BIN/tests/jwtmint)"; exit 1; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$B/rsa.pem" 2>/dev/null || exit 1
chmod 600 "$B/rsa.pem"
"$MINT" jwks bench-1="$B/rsa.pem" >"$B/jwks.json" || exit 1
# its public key, for mod_auth_openidc
openssl pkey -in "$B/rsa.pem" -pubout -out "$B/rsa.pub" || exit 1

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
    if [ "$SCALE" = 1 ]; then
        # groups500's users: their 500 groups in the claim
        g=$(seq -f '"group-%03g"' 1 500 | paste -sd,)
        echo "users500 = {"
        for i in $(seq 1 10); do
            printf '"%s",\n' "$(printf '{"sub":"groups-%d","email":"g%d@example.org","preferred_username":"g%d","groups":[%s]}' \
                "$i" "$i" "$i" "$g" | base64 -w0)"
        done
        echo "}"
        # the scale rows' identities and session tokens, one a line, read
        # by each of wrk's threads once (common.lua)
        echo "scale_users_file = \"$B/scale-users.txt\""
        echo "scale_tokens_file = \"$B/scale-tokens.txt\""
    fi
} >"$B/data.lua"
# SCALE_ACTIVE distinct users of the SCALE_USERS: user (i × 7919) mod
# SCALE_USERS + 1 for i = 1 … SCALE_ACTIVE, spread over the whole table;
# their X-Userinfo as the small rows', and their sessions' tokens
if [ "$SCALE" = 1 ]; then
    python3 - "$SCALE_USERS" "$SCALE_ACTIVE" "$B/scale-users.txt" "$B/scale-tokens.txt" <<'PY' || exit 1
import base64, sys
n, a = int(sys.argv[1]), int(sys.argv[2])
with open(sys.argv[3], "w") as users, open(sys.argv[4], "w") as tokens:
    for i in range(1, a + 1):
        k = i * 7919 % n + 1
        info = '{"sub":"bench-%d","email":"b%d@example.org","preferred_username":"b%d"}' % (k, k, k)
        users.write(base64.b64encode(info.encode()).decode() + "\n")
        tokens.write("bench%038d\n" % k)
PY
    [ "$(sort -u "$B/scale-tokens.txt" | wc -l)" = "$SCALE_ACTIVE" ] || { say "bench: the active identities are not distinct"; exit 1; }
fi
# user 1's token signed by a key nobody trusts, under the right kid: the
# Apache token rows must answer it 401 (checked before they are measured)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$B/forger.pem" 2>/dev/null || exit 1
"$MINT" sign "$B/forger.pem" RS256 '{"alg":"RS256","typ":"JWT","kid":"bench-1"}' \
    "{\"iss\":\"$ISS\",\"aud\":\"bench\",\"sub\":\"bench-1\",\"exp\":$(($(date +%s) + 86400)),\"email\":\"b1@example.org\"}" \
    >"$B/forged.jwt" || exit 1
for s in $ALL; do
    [ "$s" = session-galera ] && ln -s "$B/session.lua" "$B/$s.lua" && continue
    { echo "dofile(\"$GW_TOP/bench/b64.lua\")"; echo "dofile(\"$B/data.lua\")"
      cat "$GW_TOP/bench/common.lua"; echo "mode = \"$s\""; } >"$B/$s.lua"
done

LPORT=$(gw_free_port)
# scale mode: the responder's socket, for the metrics
gw_lighttpd_conf "$B/auth.conf" "$LPORT" "$B/www" "$B" "$B/authz.sock" "$B/$([ "$SCALE" = 1 ] && echo resp || echo none).sock"
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

# Apache, the same site: apache2.conf.example with its site settings
# replaced (the authorizer on loopback TCP: mod_authnz_fcgi has no unix
# sockets), CGIPassAuth On for the bearer token; and the peer's own
# configuration, mod_auth_openidc in front of the same files.
APORT=$(gw_free_port)
AZPORT=$(gw_free_port)
if [ -z "$APACHE_MISSING" ]; then
    [ "$GALERA" = 1 ] || chmod 711 "$B" # Apache's processes run as www-data
    chmod 755 "$B/www" "$B/www/app"
    "$BIN/admin" -c "$B/gw.json" snippet apache-anonymous >"$B/apache-anonymous.conf" || exit 1
    {
        echo "Define GWAUTH_AUTHORIZER fcgi://127.0.0.1:$AZPORT/"
        echo "Define GWAUTH_RESPONDER fcgi://127.0.0.1:$(gw_free_port)/" # no responder: the bench does not call it
        echo "Define GWAUTH_DOCROOT $B/www"
        echo "Define GWAUTH_ANONYMOUS_PATHS $B/apache-anonymous.conf"
        echo "Define GWAUTH_SECRET $(cat "$B/fastcgi.secret")"
        sed -e '/^# BEGIN site settings/,/^# END site settings/d' -e 's/^\([[:space:]]*\)#CGIPassAuth On/\1CGIPassAuth On/' \
            "$GW_TOP/apache2.conf.example"
    } >"$B/apache-fcgi.site"
    chmod 600 "$B/apache-fcgi.site"
    grep -q '^[[:space:]]*CGIPassAuth On' "$B/apache-fcgi.site" ||
        { say "bench: apache2.conf.example has no CGIPassAuth line to turn on"; exit 1; }
    gw_apache_conf "$B/apache-fcgi.conf" "$B/apache" "$APORT" \
        "mpm_event authz_core authn_core authz_user authz_host mime dir setenvif env rewrite proxy proxy_fcgi authnz_fcgi" \
        "$B/apache-fcgi.site" || exit 1
fi
if [ -z "$OIDC_MISSING" ]; then
    # AuthType oauth20 without an introspection endpoint: each bearer
    # token is a JWT verified here, on every request (the module caches
    # only what an introspection endpoint answers), with the key of the
    # token's kid; exp checked by the module, iss and aud by Require claim.
    cat >"$B/apache-oidc.site" <<EOF
DocumentRoot "$B/www"
<Directory "$B/www">
    Require all granted
</Directory>
OIDCOAuthVerifyCertFiles bench-1#$B/rsa.pub
OIDCOAuthRemoteUserClaim sub
<Location "/">
    AuthType oauth20
    OIDCOAuthAcceptTokenAs header
    <RequireAll>
        Require claim iss:$ISS
        Require claim aud:bench
    </RequireAll>
</Location>
EOF
    gw_apache_conf "$B/apache-oidc.conf" "$B/apache" "$APORT" "mpm_event authz_core authn_core authz_user mime dir auth_openidc" \
        "$B/apache-oidc.site" || exit 1
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
# cache_lookups: the cache's hits and misses so far, as the responder
# serves them (every process adds to the same counters file)
cache_lookups() {
    curl -s --max-time 5 "http://127.0.0.1:$LPORT/gwauth/metrics" | awk '
        $1 == "gwauth_cache_lookups_total{result=\"hit\"}" { h = $2 }
        $1 == "gwauth_cache_lookups_total{result=\"miss\"}" { m = $2 }
        END { print h + 0, m + 0 }'
}
# ms VALUE: wrk's 123.45us / 1.23ms / 1.02s in milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

# run SCENARIO PROCS ROUND CONNS [RATE]: one measurement with CONNS
# connections; appends a line to results. With RATE (req/s), open loop:
# wrk paced by bench/pace.lua, the line goes to open instead.
run() {
    local s=$1 p=$2 r=$3 c=$4 rate=${5:-} conf="$B/auth.conf" prog=() pids="" server=lighttpd
    local dbname=gwauth resp=""
    local port=$LPORT path=/app/index.html script="$B/$s.lua" listen=(-s "$B/authz.sock")
    case $s in
        nginx-*) server=nginx port=$NPORT path=/bench/index.html ;;
        apache-*) server=apache port=$APORT conf="$B/apache-fcgi.conf" listen=(-a 127.0.0.1 -p "$AZPORT") ;;
    esac
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
        apache-floor) prog=("$BIN/bench/floor") ;;
        apache-returning) prog=("$BIN/authorizer" -c "$B/gw.json") ;;
        apache-returning-jwt-nocache) prog=("$BIN/authorizer" -c "$B/gw-apache-jwt-nocache.json") ;;
        apache-oidc) conf="$B/apache-oidc.conf" ;;
        session) prog=("$BIN/authorizer" -c "$B/gw-session.json") ;;
        session-galera) prog=("$BIN/authorizer" -c "$B/gw-session-galera.json") ;;
        scale-floor-db) prog=("$BIN/bench/floor_db") ;;
        scale-returning | scale-new) prog=("$BIN/authorizer" -c "$B/gw-scale.json") ;;
        scale-returning-nocache) prog=("$BIN/authorizer" -c "$B/gw-nocache-scale.json") ;;
        scale-session) prog=("$BIN/authorizer" -c "$B/gw-session-scale.json") ;;
        scale-session-notouch) prog=("$BIN/authorizer" -c "$B/gw-session-notouch-scale.json") ;;
        groups500) prog=("$BIN/authorizer" -c "$B/gw-groups500.json") ;;
    esac
    case $s in scale-*) dbname=gwscale ;; esac
    # the cache's rows in scale mode: the responder too, for the counters
    if [ "$SCALE" = 1 ]; then
        case $s in returning | scale-returning) resp=${prog[2]} ;; esac
    fi
    if [ -n "$rate" ]; then
        # each of the THREADS threads sends one request every gap_ms
        script="$B/$s-paced.lua"
        { cat "$B/$s.lua"; awk -v t="$THREADS" -v r="$rate" 'BEGIN { printf "gap_ms = %.6f\n", t * 1000 / r }'
          cat "$GW_TOP/bench/pace.lua"; } >"$script"
    fi
    rm -f "$B/authz.sock" "$B/pool.pids"
    # the counters start again with every measurement
    [ "$SCALE" = 1 ] && rm -f "$B/metrics"
    if [ ${#prog[@]} -gt 0 ]; then
        BENCH_DB_SOCKET="$B/db/mysql.sock" BENCH_DB_USER=gwauth BENCH_DB_PASSWORD="$PW" BENCH_DB_NAME="$dbname" \
            spawn-fcgi "${listen[@]}" -F "$p" -P "$B/pool.pids" -- "${prog[@]}" >/dev/null 2>&1 ||
            { say "cannot start ${prog[0]}"; return 1; }
        pids=$(cat "$B/pool.pids")
    fi
    if [ -n "$resp" ]; then
        rm -f "$B/resp.sock" "$B/resp.pids"
        spawn-fcgi -s "$B/resp.sock" -F 1 -P "$B/resp.pids" -- "$BIN/logout" -c "$resp" -l "$B/logout.log" >/dev/null 2>&1 ||
            { say "cannot start $BIN/logout"; stop_run "$pids"; return 1; }
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
    local up=0
    case $server in
        nginx) gw_nginx_start "$B/nginx.conf" "$B/nginx" "$NPORT" && up=1 ;;
        apache) gw_apache_start "$conf" "$B/apache" "$APORT" && up=1 ;;
        *) gw_lighttpd_start "$conf" "$B" "$LPORT" && up=1 ;;
    esac
    if [ "$up" = 0 ]; then
        say "bench: $s: the web server did not start"
        stop_run "$pids"
        return 1
    fi
    # a row that verifies bearer tokens: a forged one and none at all must
    # be refused, or the row measures nothing
    local probe=""
    case $s in apache-returning-jwt-nocache | apache-oidc)
        local u1 st1 st2
        u1=$(printf '{"sub":"bench-1","email":"b1@example.org","preferred_username":"b1"}' | base64 -w0)
        st1=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Userinfo: $u1" -H "Authorization: Bearer $(cat "$B/forged.jwt")" \
            "http://127.0.0.1:$port$path")
        st2=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Userinfo: $u1" "http://127.0.0.1:$port$path")
        probe="  forged token $st1, no token $st2"
        if [ "$st1" != 401 ] || [ "$st2" != 401 ]; then
            say "bench: $s answers a forged token $st1 and none $st2, not 401: its row measures nothing"
        fi
        ;;
    esac
    wrk -t"$THREADS" -c"$c" -d1s -s "$script" "http://127.0.0.1:$port$path" >/dev/null 2>&1
    # scale mode: the cache's lookups, or the sessions' touches
    # (last_used_at written), counted over the measurement alone
    local h0=0 m0=0 h1 m1 t0=""
    [ -n "$resp" ] && read -r h0 m0 < <(cache_lookups)
    case $s in session | scale-session | scale-session-notouch) [ "$SCALE" = 1 ] && t0=$(gw_sql "$B/db" -N -e "SELECT NOW(6)") ;; esac
    local c0 c1 w lpid dpid l0 l1 d0 d1
    # the web server's CPU: lighttpd, or nginx's or Apache's parent and
    # children (those there after the warm-up)
    case $server in
        nginx) lpid="$(cat "$B/nginx/nginx.pid") $(pgrep -P "$(cat "$B/nginx/nginx.pid")" | tr '\n' ' ')" ;;
        apache) lpid=$(gw_apache_pids "$B/apache") ;;
        *) lpid=$(cat "$B/lighttpd.pid") ;;
    esac
    dpid=$(cat "$B/db/mariadbd.pid")
    # shellcheck disable=SC2086
    l0=$(cpu_ticks $lpid) d0=$(cpu_ticks "$dpid")
    # shellcheck disable=SC2086
    c0=$(cpu_ticks $pids)
    w=$(wrk -t"$THREADS" -c"$c" -d"${DUR}s" --latency -s "$script" "http://127.0.0.1:$port$path" 2>&1)
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
    if [ -n "$resp" ]; then
        read -r h1 m1 < <(cache_lookups)
        local hits=$((h1 - h0)) looks=$((h1 - h0 + m1 - m0))
        if [ "$looks" -gt 0 ]; then
            echo "$r $s $p $c hit $(awk -v h="$hits" -v n="$looks" 'BEGIN { printf "%.2f", h * 100 / n }') $looks" >>"$B/extra"
            probe="$probe$(awk -v h="$hits" -v n="$looks" 'BEGIN { printf "  cache hit %.1f %% of %d lookups", h * 100 / n, n }')"
        else
            probe="$probe  no cache lookups counted (the metrics: $(curl -s "http://127.0.0.1:$port/gwauth/metrics" | grep -c '^gwauth_') lines)"
        fi
    fi
    if [ -n "$t0" ]; then
        local touched total
        touched=$(gw_sql "$B/db" "$dbname" -N -e "SELECT COUNT(*) FROM sessions WHERE last_used_at >= '$t0'")
        total=$(printf '%s\n' "$w" | awk '/ requests in / {print $1}')
        if [ "${total:-0}" -gt 0 ]; then
            echo "$r $s $p $c touch $(awk -v t="$touched" -v n="$total" 'BEGIN { printf "%.4f", t / n }') $touched" >>"$B/extra"
            probe="$probe  $touched sessions touched, of $total requests"
        fi
    fi
    # CPU microseconds per request spent in the web server and in MariaDB
    local n lus dus
    n=$(awk -v r="${rps:-0}" -v s="$DUR" 'BEGIN { printf "%d", r * s }')
    lus=$(awk -v d="$((l1 - l0))" -v t="$TICK" -v n="$n" 'BEGIN { printf "%.0f", n ? d / t * 1e6 / n : 0 }')
    dus=$(awk -v d="$((d1 - d0))" -v t="$TICK" -v n="$n" 'BEGIN { printf "%.0f", n ? d / t * 1e6 / n : 0 }')
    if [ -n "$rate" ]; then
        local slots late
        read -r slots late < <(printf '%s\n' "$w" | awk '/^Paced:/ {print $2, $4}')
        echo "$r $s $p $c $rate ${rps:-0} $p50 $p99 $bad ${slots:-0} ${late:-0}" >>"$B/open"
        say "$(printf 'round %d  open loop %-18s procs %d  conns %d  at %6.0f req/s: %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  non-2xx %d  late %d of %d' \
            "$r" "$s" "$p" "$c" "$rate" "${rps:-0}" "$p50" "$p99" "$bad" "${late:-0}" "${slots:-0}")"
    else
        echo "$r $s $p ${rps:-0} $p50 $p99 $bad $cpu $rss $lus $dus $c" >>"$B/results"
        say "$(printf 'round %d  %-28s procs %d  conns %d  %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  non-2xx %d  cpu/proc %3d%%  rss %d KiB  server %d us/req  mariadb %d us/req%s' \
            "$r" "$s" "$p" "$c" "${rps:-0}" "$p50" "$p99" "$bad" "$cpu" "$rss" "$lus" "$dus" "$probe")"
    fi
    # what wrk counted as not answered, and the server's last complaints
    if [ "$bad" != 0 ]; then
        say "  wrk: $(printf '%s\n' "$w" | grep -E 'Socket errors|Non-2xx' | tr -s ' ' | tr '\n' ';')"
        [ "$server" = apache ] && tail -n 3 "$B/apache/error.log" >&2
    fi
    stop_run "$pids"
}

# stop_run PIDS: stops a measurement's web server, its authorizers (PIDS)
# and the Django peer
stop_run() {
    gw_stop_pidfile "$B/lighttpd.pid"
    gw_stop_pidfile "$B/nginx/nginx.pid"
    gw_apache_stop "$B/apache"
    # shellcheck disable=SC2086
    [ -n "$1" ] && kill $1 2>/dev/null
    # shellcheck disable=SC2046
    [ -f "$B/resp.pids" ] && kill $(cat "$B/resp.pids") 2>/dev/null && rm -f "$B/resp.pids"
    [ -s "$B/gunicorn.pid" ] && { kill "$(cat "$B/gunicorn.pid")" 2>/dev/null; sleep 0.5; rm -f "$B/gunicorn.pid"; }
    sleep 0.3
}

# the rate of the open-loop runs: OPEN_PCT % of floor's req/s in round R
# with PROCS processes and the table's first connection count. They run
# with OPEN_CONNS connections, many more than the rate needs (req/s ×
# latency), so that a request finds a free connection when it is due.
open_rate() {
    awk -v r="$1" -v p="$2" -v c="$3" -v pct="$OPEN_PCT" \
        '$1 == r && $2 == "floor" && $3 == p && $12 == c { printf "%.0f", $4 * pct / 100 }' "$B/results"
}
C0=${CONNS%% *}
P0=${PROCS%% *}
OPEN=""
if [ "$OPEN_PCT" != 0 ]; then
    case " $SCENARIOS " in *" floor "*) case " $SCENARIOS " in *" returning "*) OPEN="floor returning" ;; esac ;; esac
    [ -n "$OPEN" ] || say "bench: no open-loop run: it needs floor and returning in BENCH_SCENARIOS"
fi

: >"$B/results"
: >"$B/open"
: >"$B/extra"
[ "$SCALE" = 1 ] && say "bench: setup took $(secs "$T_SETUP") s"
for r in $(seq 1 "$ROUNDS"); do
    for p in $PROCS; do
        for c in $CONNS; do
            for s in $SCENARIOS; do run "$s" "$p" "$r" "$c"; done
        done
        # with the first count of processes only: the latency rows at the
        # connection counts the table has not run, and the open loop
        [ "$p" = "$P0" ] || continue
        for c in $LAT_CONNS; do
            case " $CONNS " in *" $c "*) continue ;; esac
            for s in $LAT; do run "$s" "$p" "$r" "$c"; done
        done
        if [ -n "$OPEN" ]; then
            rate=$(open_rate "$r" "$p" "$C0")
            for s in $OPEN; do [ "${rate:-0}" -gt 0 ] && run "$s" "$p" "$r" "$OPEN_CONNS" "$rate"; done
        fi
    done
done

# median(a, n): the median of a[1..n] (sorts it), for the awk programs below
MEDIAN_AWK='
function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
'
# Table: medians over rounds; ratios per round (same round's floor and
# static, at the same connection count), then their median.
table=$(awk -v procs="$PROCS" -v scen="$SCENARIOS" -v conns="$CONNS" "$MEDIAN_AWK"'
{ r = $1; s = $2; p = $3 SUBSEP $12; rps[r, s, p] = $4; p50[r, s, p] = $5; p99[r, s, p] = $6; bad[s, p] += $7; cpu[r, s, p] = $8
  if ($9 > rss[s, p]) rss[s, p] = $9; lus[r, s, p] = $10; dus[r, s, p] = $11; rounds[r] = 1 }
END {
    ns = split(scen, S, " "); np = split(procs, P, " "); nc = split(conns, C, " ")
    print "| procs | conns | scenario | req/s | p50 ms | p99 ms | non-2xx | ÷ floor | ÷ floor-db | ÷ static | CPU/proc | peak RSS/proc | server µs/req | MariaDB µs/req |"
    print "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (k = 1; k <= np; k++) for (m = 1; m <= nc; m++) for (i = 1; i <= ns; i++) {
        p = P[k] SUBSEP C[m]; s = S[i]; n = 0
        for (r in rounds) { n++; a[n] = rps[r, s, p]; b[n] = p50[r, s, p]; c[n] = p99[r, s, p]; d[n] = cpu[r, s, p]
            l[n] = lus[r, s, p]; q[n] = dus[r, s, p]
            f[n] = rps[r, "floor", p] ? rps[r, s, p] / rps[r, "floor", p] : 0
            g[n] = rps[r, "floor-db", p] ? rps[r, s, p] / rps[r, "floor-db", p] : 0
            h[n] = rps[r, "static", p] ? rps[r, s, p] / rps[r, "static", p] : 0 }
        printf "| %d | %d | %s | %.0f | %.3f | %.3f | %d | %.2f | %.2f | %.3f | %d%% | %s | %.0f | %.0f |\n", P[k], C[m], s,
            median(a, n), median(b, n), median(c, n), bad[s, p], median(f, n), median(g, n), median(h, n), median(d, n),
            rss[s, p] ? sprintf("%.1f MiB", rss[s, p] / 1024) : "-", median(l, n), median(q, n)
    }
}' "$B/results")
# scale mode runs neither floor nor static: a ratio column whose baseline
# did not run (all zero) goes
if [ "$SCALE" = 1 ]; then
    table=$(printf '%s\n' "$table" | awk -F'|' '
{ for (i = 2; i < NF; i++) cell[NR, i] = $i; nf = NF }
NR > 2 { for (i = 2; i < NF; i++) if ($i !~ /^ *0\.0+ *$/) keep[i] = 1 }
END { for (i = 2; i < nf; i++) if (cell[1, i] !~ /÷/) keep[i] = 1
    for (r = 1; r <= NR; r++) { line = "|"; for (i = 2; i < nf; i++) if (keep[i]) line = line cell[r, i] "|"; print line } }')
fi
echo
echo "$table"
# Latency: the latency rows at each of LAT_CONNS, medians over rounds
latency=""
if [ -n "$LAT" ]; then
    latency=$(awk -v procs="$P0" -v scen="$LAT" -v conns="$LAT_CONNS" "$MEDIAN_AWK"'
{ k = $2 SUBSEP $3 SUBSEP $12; rps[$1, k] = $4; p50[$1, k] = $5; p99[$1, k] = $6; bad[k] += $7; rounds[$1] = 1 }
END {
    ns = split(scen, S, " "); np = split(procs, P, " "); nc = split(conns, C, " ")
    h1 = "| procs | scenario |"; h2 = "|---:|---|"
    for (m = 1; m <= nc; m++) { h1 = h1 sprintf(" req/s @%d | p50 ms @%d | p99 ms @%d |", C[m], C[m], C[m]); h2 = h2 "---:|---:|---:|" }
    print h1 " non-2xx |"; print h2 "---:|"
    for (j = 1; j <= np; j++) for (i = 1; i <= ns; i++) {
        line = sprintf("| %d | %s |", P[j], S[i]); nb = 0
        for (m = 1; m <= nc; m++) { k = S[i] SUBSEP P[j] SUBSEP C[m]; n = 0; nb += bad[k]
            for (r in rounds) if ((r, k) in rps) { n++; a[n] = rps[r, k]; b[n] = p50[r, k]; c[n] = p99[r, k] }
            line = line (n ? sprintf(" %.0f | %.3f | %.3f |", median(a, n), median(b, n), median(c, n)) : " - | - | - |") }
        print line sprintf(" %d |", nb)
    }
}' "$B/results")
    echo
    echo "$latency"
fi
# what a feature costs: B ÷ A within each round, then the median (with
# several connection counts, one line per count)
cost() {
    awk -v procs="$PROCS" -v conns="$CONNS" -v a="$1" -v b="$2" "$MEDIAN_AWK"'
$2 == a { s[$1, $3, $12] = $4 } $2 == b { g[$1, $3, $12] = $4; r[$1] = 1 }
END { np = split(procs, P, " "); nc = split(conns, C, " ")
    for (k = 1; k <= np; k++) for (m = 1; m <= nc; m++) { n = 0; line = ""
        for (i in r) if (s[i, P[k], C[m]] > 0) { n++; v[n] = g[i, P[k], C[m]] / s[i, P[k], C[m]]; line = line sprintf(" %.2f", v[n]) }
        if (!n) continue
        printf "%s ÷ %s, %d procs%s, per round:%s; median %.2f\n", b, a, P[k], (nc > 1 ? sprintf(", %d conns", C[m]) : ""), line,
            median(v, n) } }' "$B/results"
}
sync_cost=$(cost django-returning returning; cost django-new new; cost floor-create new; cost session session-galera; cost returning returning-assert; cost nginx-floor nginx-returning
    cost floor nginx-floor; cost apache-floor apache-returning; cost apache-oidc apache-returning-jwt-nocache; cost floor apache-floor
    cost apache-floor apache-oidc)
[ -n "$sync_cost" ] && echo && echo "$sync_cost"
# Scale mode: each scale twin against its small row, groups500 against
# returning-nocache; the cache's hit rate and the sessions' touches
scale_cost=""
extra=""
if [ "$SCALE" = 1 ]; then
    scale_cost=$(cost floor-db scale-floor-db
        for x in returning returning-nocache session new; do cost "$x" "scale-$x" | sed 's/$/ (target ≥ 0.90)/'; done
        cost session scale-session-notouch | sed 's/$/ (target ≥ 0.90)/'
        cost returning-nocache groups500)
    [ -n "$scale_cost" ] && echo && echo "$scale_cost"
    extra=$(awk -v procs="$PROCS" -v conns="$CONNS" -v scen="$SCENARIOS" "$MEDIAN_AWK"'
{ k = $2 SUBSEP $3 SUBSEP $4 SUBSEP $5; v[k, $1] = $6; n[k] += $7; r[$1] = 1 }
END { ns = split(scen, S, " "); np = split(procs, P, " "); nc = split(conns, C, " ")
    split("hit touch", K, " ")
    for (x = 1; x <= 2; x++) for (i = 1; i <= ns; i++) for (j = 1; j <= np; j++) for (m = 1; m <= nc; m++) {
        k = S[i] SUBSEP P[j] SUBSEP C[m] SUBSEP K[x]; q = 0; line = ""
        for (rr in r) if ((k, rr) in v) { q++; a[q] = v[k, rr]; line = line (K[x] == "hit" ? sprintf(" %.1f %%", a[q]) : sprintf(" %.3f", a[q])) }
        if (!q) continue
        med = median(a, q)
        what = sprintf("%s, %d procs%s, per round:%s; median ", S[i], P[j], (nc > 1 ? sprintf(", %d conns", C[m]) : ""), line)
        if (K[x] == "hit") printf "cache hit rate, %s%.1f %% (%d lookups in all)\n", what, med, n[k]
        else printf "sessions touched (last_used_at written) per request, %s%.3f (%d touches in all)\n", what, med, n[k]
    } }' "$B/extra")
    [ -n "$extra" ] && echo && echo "$extra"
fi
# Open loop: returning's p99 against floor's at the same fixed rate, per
# round, then the medians
open_loop=""
if [ -s "$B/open" ]; then
    open_loop=$(awk -v procs="$PROCS" -v pct="$OPEN_PCT" -v c0="$C0" -v oc="$OPEN_CONNS" "$MEDIAN_AWK"'
{ rate[$1, $3] = $5; rps[$1, $2, $3] = $6; p99[$1, $2, $3] = $8; bad[$2, $3] += $9; slots[$2, $3] += $10; late[$2, $3] += $11; rounds[$1] = 1 }
END { np = split(procs, P, " ")
    for (k = 1; k <= np; k++) { p = P[k]; n = 0; line = ""
        for (r in rounds) if ((r, "floor", p) in p99 && (r, "returning", p) in p99 && p99[r, "floor", p] > 0) {
            n++; v[n] = p99[r, "returning", p] / p99[r, "floor", p]; line = line sprintf(" %.2f", v[n])
            x[n] = rate[r, p]; f[n] = p99[r, "floor", p]; g[n] = p99[r, "returning", p]; y[n] = rps[r, "floor", p]; z[n] = rps[r, "returning", p] }
        if (!n) continue
        printf "open loop at %d %% of floor'"'"'s req/s (at %d conns), %d procs, %d conns: %.0f req/s asked, floor %.0f and returning %.0f req/s answered (medians)\n", pct, c0, p, oc, median(x, n), median(y, n), median(z, n)
        printf "  p99 floor %.3f ms, returning %.3f ms (medians); returning ÷ floor per round:%s; median %.2f (target ≤ 2)\n", median(f, n), median(g, n), line, median(v, n)
        printf "  sent over 1 ms behind schedule: floor %d of %d, returning %d of %d; non-2xx: floor %d, returning %d\n",
            late["floor", p], slots["floor", p], late["returning", p], slots["returning", p], bad["floor", p], bad["returning", p]
    } }' "$B/open")
    [ -n "$open_loop" ] && echo && echo "$open_loop"
fi
# What each lookup costs MariaDB itself, on the now idle server
statements=""
if [ "${BENCH_STATEMENTS:-1}" = 1 ] && [ "$GALERA" = 0 ] && [ "$SCALE" = 0 ]; then
    say "bench: the lookups' cost in MariaDB (bench/statements.sh)"
    statements=$(BENCH_DB_USER=gwauth BENCH_DB_PASSWORD="$PW" BENCH_DB_NAME=gwauth bash "$GW_TOP/bench/statements.sh" "$B")
    [ -n "$statements" ] && echo && echo "$statements"
fi
[ "$SCALE" = 1 ] || skipped | sed 's/^/bench: /' >&2

# spaced N: 1000000 as 1 000 000
spaced() { printf '%s\n' "$1" | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\| \)/\1 \2\3/; ta'; }
if [ "$OUT" != "-" ]; then
    {
        echo "# gwauth benchmark"
        echo
        echo "Generated by \`make bench$([ "$GALERA" = 1 ] && echo -cluster)$([ "$SCALE" = 1 ] && echo -scale)\` on $(date -u +%Y-%m-%d) (BENCH_ROUNDS=$ROUNDS BENCH_SECONDS=$DUR"
        # shellcheck disable=SC2086
        echo "BENCH_PROCS=\"$PROCS\", wrk -t$THREADS $(printf -- '-c%s ' $CONNS)--latency, lighttpd (or nginx, Apache httpd) serving a 45-byte file on loopback)."
        echo
        echo "Machine: $(nproc) CPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB,"
        echo "$(uname -sr); $(lighttpd -v 2>&1 | head -1 | cut -d' ' -f1); $(mariadbd --version | awk '{print $3}')$(
            [ -n "$APACHE_MISSING" ] || printf '; %s' "$(apache2 -v | sed -n 's/^Server version: \([^ ]*\).*/\1/p')")$(
            [ -n "$OIDC_MISSING" ] || printf '; mod_auth_openidc %s' "$(dpkg-query -W -f '${Version}' libapache2-mod-auth-openidc 2>/dev/null)"); wrk, the web servers, MariaDB and the authorizers share the machine."
        [ "$GALERA" = 1 ] && echo "The database: node 1 of a three-node Galera cluster on the same machine."
        if [ "$SCALE" = 1 ]; then
            echo "The databases, on one MariaDB server with a $(spaced "$SCALE_POOL_MB") MiB buffer pool: gwauth (2 000 users, 1 000 sessions,"
            echo "10 users of 500 groups) and gwscale ($(spaced "$SCALE_USERS") users, profiles and sessions: $SCALE_DB, data and indexes);"
            echo "the scale rows draw from $(spaced "$SCALE_ACTIVE") distinct active users of gwscale and their sessions."
        fi
        echo
        echo "Medians over $ROUNDS alternating rounds; each ratio is taken within its round, then the median."
        echo "CPU/proc is the authorizer processes' CPU time per process over the measured seconds; server and"
        echo "MariaDB µs/req are the web server's (all its processes) and the database's CPU time per request."
        echo
        echo "$table"
        echo
        [ -n "$sync_cost" ] && printf '%s\n\n' "$sync_cost"
        [ -n "$scale_cost" ] && printf '%s\n\n' "$scale_cost"
        [ -n "$extra" ] && printf '%s\n\n' "$extra"
        if [ -n "$latency" ]; then
            echo "Latency under load (closed loop, wrk -c N; medians over rounds):"
            echo
            echo "$latency"
            echo
        fi
        [ -n "$open_loop" ] && printf '%s\n\n' "$open_loop"
        if [ -n "$statements" ]; then
            echo "The lookups on the idle server after the rounds (bench/statements.sh: the statements the programs"
            echo "prepared, each run $(printf '%s' "${BENCH_STATEMENT_COUNT:-20000}") times from one connection; MariaDB's CPU time per execution):"
            echo
            echo "$statements"
            echo
        fi
        [ "$SCALE" = 1 ] || skipped | sed 's/$/./; s/$/\n/'
        if [ "$GALERA" = 1 ]; then cat "$GW_TOP/bench/NOTES-cluster.md"
        elif [ "$SCALE" = 1 ]; then cat "$GW_TOP/bench/NOTES-scale.md"
        else cat "$GW_TOP/bench/NOTES.md"; fi
    } >"$OUT"
    say "bench: written to $OUT"
fi
