#!/bin/bash
# Integration test harness: a private MariaDB, and "stacks" of lighttpd +
# gwauth authorizer + responder with their own configuration, all on
# loopback under one temporary folder. Source it from a test script
# (run.sh sources it, then the t_*.sh files). Its checks print TAP: "ok N -",
# "not ok N -" with "#" lines after it, "ok N # skip", and the plan "1..N"
# from summary.

# executed by itself (prove runs every .sh of the folder) it is no test
if [ "${BASH_SOURCE[0]}" = "$0" ]; then echo "1..0 # SKIP the harness: the t_*.sh files source it"; exit 0; fi

GW_TOP=${GW_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# The programs under test: build/ by default, build-asan/ for make check-asan.
GW_BIN="$GW_TOP/${GW_BUILD:-build}"
# shellcheck source=../../scripts/lib.sh
. "$GW_TOP/scripts/lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/gwauth-test.XXXXXX")
# with GWAUTH_PORT_BASE, the ports are handed out in order (scripts/lib.sh)
export GW_PORT_STATE="$T/ports.next"
DB_DIR="$T/mariadb"
DB_NAME=gwauth
DB_USER=gwauth
DB_PASS="test-$RANDOM-$RANDOM"
PASS=0
FAIL=0
SKIP=0
STACKS=()

gw_cleanup() {
    local s
    for s in "${STACKS[@]}"; do stack_stop "$s"; done
    for s in "${APACHES[@]}"; do apache_stop "$s"; done
    gw_db_stop "$DB_DIR"
    if [ "$FAIL" -eq 0 ] && [ -z "${GW_KEEP:-}" ]; then rm -rf "$T"; else echo "# test files kept in $T"; fi
}
trap gw_cleanup EXIT

# TAP: every check is test number TAPN; tap_line RESULT SEP NAME prints
# "RESULT N SEP NAME", NAME on one line with "#" escaped (a "# skip" in a
# name would make the check a skip).
TAPN=0
tap_line() { local d=${3//$'\n'/ }; TAPN=$((TAPN + 1)); printf '%s %d %s %s\n' "$1" "$TAPN" "$2" "${d//[#]/\\#}"; }
# tap_diag TEXT: TEXT as diagnostic lines ("#   ...") for a TAP reader
tap_diag() { printf '%s\n' "$1" | sed 's/^/#   /'; }
ok()   { PASS=$((PASS + 1)); tap_line ok - "$1"; }
# skip WHY: a check that cannot run here; said, and never counted as passed
skip() { SKIP=$((SKIP + 1)); tap_line ok "# skip" "$1"; }
# fail NAME [DETAIL]: a failed check; DETAIL follows as diagnostics
fail() { FAIL=$((FAIL + 1)); tap_line "not ok" - "$1"; [ -n "${2:-}" ] && tap_diag "$2"; return 0; }
section() { printf '# %s\n' "${*//$'\n'/ }"; }

expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
expect_ne() { if [ "$2" != "$3" ]; then ok "$1"; else fail "$1" "got '$2', which it must not be"; fi; }
# expect_has NAME HAYSTACK NEEDLE (fixed string)
expect_has() { if printf '%s' "$2" | grep -qF -- "$3"; then ok "$1"; else fail "$1" "'$3' not found in: $(printf '%s' "$2" | head -c 400)"; fi; }
expect_hasnt() { if printf '%s' "$2" | grep -qiF -- "$3"; then fail "$1" "'$3' found in: $(printf '%s' "$2" | head -c 400)"; else ok "$1"; fi; }

# b64 TEXT: standard base64, no newlines.
b64() { printf '%s' "$1" | base64 -w0; }

# sqlv QUERY: one value from the test database, as the superuser.
sqlv() { gw_sql "$DB_DIR" "$DB_NAME" --batch --skip-column-names -e "$1"; }

# writes counter: rows the server inserted, updated or deleted so far in
# any table (the handler counters; internal temporary tables count apart).
# When the server does not report them, every call prints a different
# value (and says why on stderr): a counter that read NULL would make
# every "nothing written" check pass.
writes() {
    local n
    n=$(gw_sql "$DB_DIR" --batch --skip-column-names -e \
        "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN
         ('HANDLER_WRITE','HANDLER_UPDATE','HANDLER_DELETE')")
    case $n in
        '' | *[!0-9]*) echo "writes: the server reports no write counters ($n)" >&2; echo "unknown-$RANDOM" ;;
        *) echo "$n" ;;
    esac
}

# dbstate: the checksum of every table of the test database: what it
# holds, committed (an attempted write that was rolled back leaves it).
# "unreachable" while the server is down, "unreadable" while a table is
# locked (nothing can be written then).
dbstate() {
    local t
    t=$(gw_sql "$DB_DIR" --batch --skip-column-names -e "SELECT GROUP_CONCAT(CONCAT('\`', TABLE_NAME, '\`'))
        FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$DB_NAME' AND TABLE_TYPE = 'BASE TABLE'" 2>/dev/null) ||
        { echo unreachable; return; }
    # a table locked by a test reads as "unreadable" rather than waiting
    gw_sql "$DB_DIR" "$DB_NAME" --batch --skip-column-names -e \
        "SET STATEMENT lock_wait_timeout = 1 FOR CHECKSUM TABLE $t" 2>/dev/null | tr '\t\n' ': '
    [ "${PIPESTATUS[0]}" = 0 ] || echo unreadable
}

db_up() {
    DB_PORT=$(gw_free_port)
    gw_db_init "$DB_DIR" && gw_db_start "$DB_DIR" "$DB_PORT" &&
        gw_db_setup "$DB_DIR" "$DB_NAME" "$DB_USER" "$DB_PASS" >/dev/null
}

# stack_start NAME CONFIG_JSON [PROCS]: writes CONFIG_JSON (the
# "database" object is added, with STACK_DB's members when set, as the
# account STACK_DB_USER when set), starts the authorizer (PROCS processes),
# the responder and lighttpd; sets PORT to lighttpd's port and records it
# in $T/NAME/port.
stack_start() {
    local name=$1 json=$2 procs=${3:-2} d="$T/$1"
    # GW_SERVER=nginx: the same stack behind nginx (the suites that run on both)
    if [ "${GW_SERVER:-lighttpd}" = nginx ]; then nginx_stack_start "$@"; return; fi
    stack_config "$name" "$json"
    PORT=$(gw_free_port)
    echo "$PORT" >"$d/port"
    gw_lighttpd_conf "$d/lighttpd.conf" "$PORT" "$d/www" "$d" "$d/authz.sock" "$d/logout.sock"
    # STACK_FIELD_SIZE: a larger lighttpd header limit for this stack
    [ -n "${STACK_FIELD_SIZE:-}" ] && sed -i "s/^server.max-request-field-size = .*/server.max-request-field-size = $STACK_FIELD_SIZE/" "$d/lighttpd.conf"
    # STACK_LIGHTTPD_EXTRA: more configuration appended (e.g. an example snippet)
    [ -n "${STACK_LIGHTTPD_EXTRA:-}" ] && printf '%s\n' "$STACK_LIGHTTPD_EXTRA" >>"$d/lighttpd.conf"
    stack_programs "$name" "$procs" || return 1
    gw_lighttpd_start "$d/lighttpd.conf" "$d" "$PORT" || { fail "stack $name: lighttpd did not start"; return 1; }
    STACKS+=("$name")
}

# stack_config NAME CONFIG_JSON: the stack's folder, its test application
# and its gwauth.json (see stack_start; STACK_FASTCGI: more members of the
# "fastcgi" object it adds).
stack_config() {
    local name=$1 json=$2 d="$T/$1"
    mkdir -p "$d/www/app"
    printf 'hello from the demo app\n' >"$d/www/app/index.html"
    cp "$GW_TOP/tests/integration/whoami.cgi" "$d/www/app/whoami"
    (umask 077; printf '%s\n' "$DB_PASS" >"$d/db.password")
    local db="\"database\": {\"socket\": \"$DB_DIR/mysql.sock\", \"user\": \"${STACK_DB_USER:-$DB_USER}\",
      \"password_file\": \"$d/db.password\", \"name\": \"$DB_NAME\",
      \"connect_timeout_ms\": 1000, \"read_timeout_ms\": 2000${STACK_DB:+, $STACK_DB}}"
    # every stack proves its web server to gwauth with a secret of its own
    # (unless the test configures fastcgi itself)
    gw_secret "$d/fastcgi.secret"
    case $json in *'"fastcgi"'*) ;; *) db="$db, \"fastcgi\": {\"secret_file\": \"$d/fastcgi.secret\"${STACK_FASTCGI:+, $STACK_FASTCGI}}" ;; esac
    # and counts into a metrics file of its own
    case $json in *'"monitor"'*) ;; *) db="$db, \"monitor\": {\"metrics_file\": \"$d/metrics\"}" ;; esac
    if [ "$json" = "{}" ]; then json="{$db}"; else json="{$db, ${json#\{}"; fi
    printf '%s\n' "$json" >"$d/gwauth.json"
}

# stack_programs NAME PROCS: the authorizer (PROCS processes) and the
# responder of the stack, under spawn-fcgi on unix sockets in its folder.
stack_programs() {
    local name=$1 procs=$2 d="$T/$1"
    spawn-fcgi -s "$d/authz.sock" -F "$procs" -P "$d/authz.pids" -- \
        "$GW_BIN/authorizer" -c "$d/gwauth.json" -l "$d/authz.log" >/dev/null 2>&1 ||
        { fail "stack $name: authorizer did not start" "$(cat "$d/authz.log" 2>&1)"; return 1; }
    spawn-fcgi -s "$d/logout.sock" -F 1 -P "$d/logout.pids" -- \
        "$GW_BIN/logout" -c "$d/gwauth.json" -l "$d/logout.log" >/dev/null 2>&1 ||
        { fail "stack $name: responder did not start"; return 1; }
}

# nginx_stack_start NAME CONFIG_JSON [PROCS]: a stack behind nginx instead
# of lighttpd: gwauth with fastcgi.nginx_auth_request, tests/envapp as the
# FastCGI application under /app/ (it prints the identity as whoami does),
# and nginx with nginx.conf.example: its site settings replaced, its
# /etc/gwauth/ files in the stack's folder, the snippets generated by
# gwauth-admin from the configuration. NGINX_APP: the address of the
# proxied application under /api/. Sets PORT.
nginx_stack_start() {
    local name=$1 json=$2 procs=${3:-2} d="$T/$1" k
    STACK_FASTCGI='"nginx_auth_request": true' stack_config "$name" "$json"
    # nginx runs no CGI: /app/whoami is the FastCGI application (envapp)
    rm -f "$d/www/app/whoami"
    for k in identity fastcgi proxy; do
        "$GW_BIN/admin" -c "$d/gwauth.json" snippet "nginx-$k" >"$d/nginx-$k.conf" ||
            { fail "stack $name: gwauth-admin snippet nginx-$k"; return 1; }
    done
    PORT=$(gw_free_port)
    echo "$PORT" >"$d/port"
    gw_nginx_conf "$d/nginx.conf" "$PORT" "$d/www" "$d" "$d/authz.sock" "$d/logout.sock" \
        "$d/fastcgi.secret" "$d" "unix:$d/envapp.sock" "${NGINX_APP:-}"
    # STACK_FIELD_SIZE: a larger header limit, as for lighttpd
    [ -n "${STACK_FIELD_SIZE:-}" ] &&
        sed -i "s/large_client_header_buffers 4 16k;/large_client_header_buffers 4 $(( (STACK_FIELD_SIZE + 1023) / 1024 ))k;/" "$d/site.conf"
    stack_programs "$name" "$procs" || return 1
    spawn-fcgi -s "$d/envapp.sock" -F 1 -P "$d/envapp.pids" -- "$GW_BIN/tests/envapp" >/dev/null 2>&1 ||
        { fail "stack $name: the FastCGI application did not start"; return 1; }
    gw_nginx_start "$d/nginx.conf" "$d" "$PORT" || { fail "stack $name: nginx did not start"; return 1; }
    STACKS+=("$name")
}

stack_stop() {
    local d="$T/$1" pid
    gw_stop_pidfile "$d/lighttpd.pid"
    gw_stop_pidfile "$d/nginx.pid"
    for f in "$d/authz.pids" "$d/logout.pids" "$d/envapp.pids"; do
        [ -f "$f" ] || continue
        for pid in $(cat "$f"); do kill "$pid" 2>/dev/null || true; done
        rm -f "$f"
    done
}

# stack_pids NAME: the authorizer's pids.
stack_pids() { tr '\n' ' ' <"$T/$1/authz.pids"; }

# stack_stop_wait NAME: SIGTERM to the stack's gwauth processes; prints the
# pids that were still alive 5 s later (none when all exited).
stack_stop_wait() {
    local d="$T/$1" pid pids="" left="" i
    for f in "$d/authz.pids" "$d/logout.pids"; do
        [ -f "$f" ] && pids="$pids $(cat "$f")"
        rm -f "$f"
    done
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
    for i in $(seq 1 50); do
        left=""
        for pid in $pids; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done
        [ -z "$left" ] && break
        sleep 0.1
    done
    echo "$left"
}

# req [curl args...]: one request; sets STATUS, HEADERS, BODY.
req() {
    STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' --max-time 20 "$@") || STATUS=000
    HEADERS=$(tr -d '\r' <"$T/headers" 2>/dev/null)
    BODY=$(cat "$T/body" 2>/dev/null)
}

# site_start DIR AUTHZ_SOCK SECRET_FILE: lighttpd (the example's
# configuration) in front of an authorizer started elsewhere on AUTHZ_SOCK
# with SECRET_FILE as its fastcgi.secret_file, serving the test application
# from DIR/www; sets PORT. Stopped by gw_stop_pidfile DIR/lighttpd.pid.
site_start() {
    local dir=$1 sock=$2 secret=$3
    mkdir -p "$dir/www/app"
    cp "$GW_TOP/tests/integration/whoami.cgi" "$dir/www/app/whoami"
    PORT=$(gw_free_port)
    gw_lighttpd_conf "$dir/lighttpd.conf" "$PORT" "$dir/www" "$dir" "$sock" "$dir/none.sock" "$secret"
    gw_lighttpd_start "$dir/lighttpd.conf" "$dir" "$PORT"
}

# parallel N OUT [curl args...]: N identical requests at once; their
# statuses, one per line, go to OUT.
parallel() {
    local n=$1 out=$2 i pids=()
    shift 2
    : >"$out"
    for i in $(seq 1 "$n"); do
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 "$@" >>"$out" &
        pids+=($!)
    done
    wait "${pids[@]}"
}

# Signed tokens (identity.jwt): keys from openssl, JWKS and tokens from
# tests/jwtmint, as an identity provider would make them.
MINT="$GW_BIN/tests/jwtmint"
# jwt_key FILE TYPE: a new private key in PEM; TYPE is rsa, ec or ed.
jwt_key() {
    local f=$1
    case $2 in
        rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$f" 2>/dev/null ;;
        ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$f" 2>/dev/null ;;
        ed) openssl genpkey -algorithm ED25519 -out "$f" 2>/dev/null ;;
    esac
}
# jwt_sign PEM ALG KID PAYLOAD: a compact JWS of PAYLOAD (JSON text).
jwt_sign() { "$MINT" sign "$1" "$2" "{\"alg\":\"$2\",\"typ\":\"JWT\",\"kid\":\"$3\"}" "$4"; }
# jwks_install FILE KID=PEM...: the public JWKS of the keys, written to FILE
# through a rename, as an operator's deploy would.
jwks_install() { local f=$1; shift; "$MINT" jwks "$@" >"$f.new" && mv "$f.new" "$f"; }

# cookie NAME: the value the last reply (HEADERS) set for cookie NAME;
# location: its Location.
cookie() { printf '%s\n' "$HEADERS" | sed -n "s/^Set-Cookie: $1=\([^;]*\).*/\1/p" | head -1; }
location() { printf '%s\n' "$HEADERS" | sed -n 's/^Location: //p'; }
# bjf EXPR: a value of the JSON body of the last reply (BODY), d being the
# document (the Python backend's reports: backend.py)
bjf() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$BODY" 2>/dev/null; }

# jws_field TOKEN PART NAME: member NAME of a compact JWS's header (PART 0)
# or payload (PART 1), "" when absent or not a JWS
jws_field() {
    /usr/bin/python3 -c 'import base64, json, sys
p = sys.argv[1].split(".")[int(sys.argv[2])]
print(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))).get(sys.argv[3], ""))' "$1" "$2" "$3" 2>/dev/null
}

# session_journey LABEL USERINFO SUB [ACCEPT]: a session through the
# responder on the current server (PORT): established from the gateway's
# identity, the cookie alone is the user, a logout from another site is
# refused, one from this site ends it, the old cookie is no identity, a
# logout while the gateway has a session goes to its logout
# (logout.gateway_logout_url /gw/logout) and back to the destination; an
# open redirect is refused (logout.default_destination /app/). ACCEPT: an
# Accept header for requests that must not be taken for page navigations.
session_journey() {
    local label=$1 ui=$2 sub=$3 accept=${4:-"Accept: */*"} tok
    req -H "X-Userinfo: $ui" "$(url '/establish_session?next=%2Fapp%2Fwhoami')"
    expect_eq "$label: establish: 302 to next" "$STATUS $(location)" "302 /app/whoami"
    tok=$(cookie gwauth_session)
    expect_eq "$label: ...a session cookie" "$(printf '%s' "$tok" | grep -cE '^[A-Za-z0-9_-]{43}$')" 1
    req -H "Cookie: gwauth_session=$tok" "$(url /app/whoami)"
    expect_has "$label: the cookie alone is the session's user" "$BODY" "REMOTE_USER=$sub"
    expect_has "$label: ...source session" "$BODY" "GWAUTH_SOURCE=session"
    req -H "Cookie: gwauth_session=$tok" -H "Origin: https://evil.example" "$(url /applogout)"
    expect_eq "$label: a logout from another site: 403 cross_site_request" "$STATUS $BODY" '403 {"error":"cross_site_request"}'
    expect_eq "$label: ...the session stays" "$(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$tok', 256))")" 1
    req -I -H "Cookie: gwauth_session=$tok" "$(url /applogout)"
    expect_eq "$label: HEAD /applogout: 302, nothing ended" \
        "$STATUS $(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$tok', 256))")" "302 1"
    req -H "Cookie: gwauth_session=$tok" -H "Origin: http://127.0.0.1:$PORT" --data "x=1" "$(url /applogout)"
    expect_eq "$label: a POST logout from this site: 302, the session gone" \
        "$STATUS $(sqlv "SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2('$tok', 256))")" "302 0"
    req -H "$accept" -H "Cookie: gwauth_session=$tok" "$(url /app/whoami)"
    expect_eq "$label: the old cookie: 401" "$STATUS $BODY" '401 {"error":"unauthenticated"}'
    req -H "X-Userinfo: $ui" "$(url '/applogout?next=%2Fapp%2Fbye')"
    expect_eq "$label: a logout with the gateway's session: to its logout" "$STATUS $(location)" "302 /gw/logout"
    expect_eq "$label: ...remembering the destination" "$(cookie gwauth_next)" "%2Fapp%2Fbye"
    req -H "Cookie: gwauth_next=%2Fapp%2Fbye" "$(url /applogout)"
    expect_eq "$label: back from the gateway: to the destination" "$STATUS $(location)" "302 /app/bye"
    req "$(url '/applogout?next=%2F%2Fevil.example')"
    expect_eq "$label: an open redirect is refused" "$(location)" "/app/"
}

# ws_journey LABEL PATH USERINFO SUB: a WebSocket to the proxied Python
# application (backend.py) at PATH on the current server: with the
# identity the upgrade is 101 and the application's first message reports
# gwauth's X-Gwauth-User (a client's own copy replaced) and a verified
# assertion; the socket echoes; without an identity the upgrade gets the
# deny, never a 101.
ws_journey() {
    local label=$1 path=$2 ui=$3 sub=$4 out
    out=$(/usr/bin/python3 "$GW_TOP/tests/integration/wsclient.py" "$(url "$path")" "X-Userinfo: $ui" \
        "X-Gwauth-User: mallory" 2>&1)
    expect_eq "$label: a WebSocket with an identity: 101" "$(printf '%s\n' "$out" | sed -n 1p)" "STATUS 101"
    BODY=$(printf '%s\n' "$out" | sed -n 2p)
    expect_eq "$label: ...the application got X-Gwauth-User, not the client's" "$(bjf 'd["headers"].get("X-Gwauth-User")')" "$sub"
    expect_eq "$label: ...and a valid assertion for the user" "$(bjf 'd["assertion"]["claims"]["sub"] if d["assertion"].get("valid") else d["assertion"]')" "$sub"
    expect_eq "$label: ...the socket works both ways" "$(printf '%s\n' "$out" | sed -n 3p)" "echo ping"
    out=$(/usr/bin/python3 "$GW_TOP/tests/integration/wsclient.py" "$(url "$path")" "Accept: application/json" \
        "X-Gwauth-User: mallory" 2>&1)
    expect_eq "$label: a WebSocket without an identity: 401, never 101" "$(printf '%s\n' "$out" | sed -n 1p)" "STATUS 401"
    expect_hasnt "$label: ...and no report from the application" "$out" "mallory"
}

# url PATH: http://127.0.0.1:$PORT$PATH
url() { echo "http://127.0.0.1:$PORT$1"; }

# expect_deny NAME STATUS CODE [curl args...]: the request is denied with
# STATUS and {"error":"CODE"}, as JSON, not cached, without any identity
# variable, and with the database as it was (dbstate). DENY_AFTER_SYNC=1
# for a deny by the access rules, which come after the user is created or
# updated (README steps 5 and 7): there the rows may change.
expect_deny() {
    local name=$1 st=$2 code=$3 before after
    shift 3
    before=$(dbstate)
    req "$@"
    after=$(dbstate)
    local problems=""
    [ "$STATUS" = "$st" ] || problems+="status $STATUS (want $st); "
    # nginx writes the body of a redirect itself (return 302): the
    # Location and the headers are gwauth's
    if [ "${GW_SERVER:-lighttpd}" = nginx ] && [ "$st" = 302 ]; then
        printf '%s' "$HEADERS" | grep -q '^Location: ' || problems+="no Location; "
    else
        [ "$BODY" = "{\"error\":\"$code\"}" ] || problems+="body '$BODY'; "
        printf '%s' "$HEADERS" | grep -qi '^Content-Type: application/json' || problems+="no JSON content type; "
    fi
    printf '%s' "$HEADERS" | grep -qi '^Cache-Control: no-store' || problems+="no Cache-Control: no-store; "
    printf '%s' "$HEADERS$BODY" | grep -qiE 'variable-|REMOTE_USER|GWAUTH_|x-gwauth-' && problems+="identity leaked; "
    [ "$before" = "$after" ] || [ -n "${DENY_AFTER_SYNC:-}" ] || problems+="rows written (table checksums $before -> $after); "
    if [ -z "$problems" ]; then ok "$name"; else fail "$name" "$problems"; fi
}

# expect_config_refused NAME MEMBERS NEEDLE: --check-config of a
# configuration with a placeholder database and the given top-level
# members (JSON text without braces) exits 1 and prints NEEDLE.
expect_config_refused() {
    local f="$T/refused-$RANDOM.json" out rc
    printf '{"database": {"socket": "/x", "user": "u", "password_file": "/dev/null", "name": "n"}, %s}' "$2" >"$f"
    out=$("$GW_BIN/authorizer" -c "$f" --check-config 2>&1); rc=$?
    if [ "$rc" = 1 ] && printf '%s' "$out" | grep -qF -- "$3"; then ok "$1"; else fail "$1" "exit $rc: $out"; fi
}

# whoami UI [curl args...]: GET /app/whoami with X-Userinfo: UI.
whoami() { local ui=$1; shift; req -H "X-Userinfo: $ui" "$@" "$(url /app/whoami)"; }

# --- what the files share ----------------------------------------------------
# Every t_*.sh also runs alone (prove, run.sh FILE, make check T=NAME): what a
# file uses of an earlier one is made here, on demand, and is the same
# whether the earlier file ran first or not.

# alice, t_10_core.sh's first user, whom later files log in too: her first
# identity, and the same with a changed email (ALICE2)
# shellcheck disable=SC2034 # (the t_*.sh files use both)
ALICE=$(b64 '{"sub":"alice-1","email":"alice@example.org","preferred_username":"alice","given_name":"Alice","family_name":"Liddell","name":"Alice Liddell","country_code":"GB","email_optin":true,"unused":{"deep":[1,2,3]}}')
# shellcheck disable=SC2034
ALICE2=$(b64 '{"sub":"alice-1","email":"alice@new.example","preferred_username":"alice","given_name":"Alice","family_name":"Liddell","name":"Alice Liddell","country_code":"GB","email_optin":true}')

# shared_stack NAME: a stack that several files use, started unless this
# run has it running already; sets PORT and the stack's variable:
#   main (MAIN)      the defaults, 2 processes (t_10_core.sh)
#   strict (STRICT)  identities only from 192.0.2.0/24 and 2001:db8::/32 (so
#                    never from loopback), max_bytes 1024 (t_10_core.sh)
#   opts (OPTS)      id claim uid, no cache, fields and a related table
#                    mapped, other exports (t_10_core.sh)
#   sess (SESS)      sessions, the gateway's logout, a login redirect
#                    (t_20_sessions.sh)
shared_stack() {
    local name=$1 var=${1^^} json procs=1
    case $name in
        main) json='{}' procs=2 ;;
        strict) json='{"identity": {"trusted_proxies": ["192.0.2.0/24", "2001:db8::/32"], "max_bytes": 1024}}' ;;
        opts) json='{"identity": {"max_bytes": 2048, "id_claim": "uid", "cache_seconds": 0},
  "users": {"fields": {"mail": {"column": "email", "overwrite": false}, "display": "name"},
            "related": {"user_profiles": [["cc", "country_code", "ZZ"], ["optin", "email_optin", true]]}},
  "export": {"REMOTE_USER": "global_id", "APP_MAIL": "email", "APP_CREATED": "created_at", "APP_SRC": "@source"}}' ;;
        sess) json='{"session": {"enabled": true, "secure": false, "ttl_seconds": 3600},
  "logout": {"gateway_logout_url": "/gw/logout", "default_destination": "/app/",
             "allowed_hosts": ["app.example.org", "sso.example.org:8443"], "gateway_session_cookie": "gw_sess"},
  "access": {"login_redirect": "/login"}}' ;;
        *) fail "shared_stack: no shared stack named $name"; return 1 ;;
    esac
    if [ -n "${!var:-}" ] && [ -f "$T/$name/authz.pids" ]; then PORT=${!var}; return 0; fi
    stack_start "$name" "$json" "$procs" || return 1
    printf -v "$var" '%s' "$PORT"
}

# gw_ran FILE: FILE (t_NN_name.sh) ran earlier in this run (run.sh
# records each file it sourced in GW_RAN).
GW_RAN=()
gw_ran() { local f; for f in "${GW_RAN[@]}"; do [ "$f" = "$1" ] && return 0; done; return 1; }

# summary: the TAP plan (after the checks: "1..N"), then the counts as a
# comment ("# integration: N passed, N failed[, N skipped]"); with
# GW_RESULT_FILE, "PASS FAIL SKIP" written to that file (scripts/check.sh
# adds them up). Fails when a check failed.
summary() {
    printf '1..%d\n' "$TAPN"
    printf '# integration: %d passed, %d failed%s\n' "$PASS" "$FAIL" \
        "$([ "$SKIP" -gt 0 ] && printf ', %d skipped (see the skip lines)' "$SKIP")"
    [ -z "${GW_RESULT_FILE:-}" ] || echo "$PASS $FAIL $SKIP" >"$GW_RESULT_FILE"
    [ "$FAIL" -eq 0 ]
}

# --- Apache httpd ----------------------------------------------------------

APACHES=()

# apache_start NAME EXAMPLE DEFINES: a private Apache on a free loopback
# port (APORT): ServerRoot, pid file, logs and runtime files under $T/NAME,
# the modules gwauth's examples need, then EXAMPLE (a file of the
# repository, or an absolute path) with its site settings block replaced
# by DEFINES.
apache_start() {
    local name=$1 example=$2 defines=$3 d="$T/$1" m=/usr/lib/apache2/modules mod
    mkdir -p "$d/logs" "$d/fcgid" "$d/www"
    chmod 755 "$T" "$d"
    APORT=$(gw_free_port)
    {
        echo "ServerRoot \"$d\""
        echo "ServerName 127.0.0.1"
        echo "Listen 127.0.0.1:$APORT"
        echo "PidFile \"$d/httpd.pid\""
        echo "ErrorLog \"$d/logs/error.log\""
        echo "DefaultRuntimeDir \"$d\""
        echo "Mutex file:$d"
        echo "LogLevel warn"
        for mod in mpm_event authz_core authn_core authz_user mime dir cgid proxy proxy_fcgi proxy_http \
            authnz_fcgi fcgid headers setenvif rewrite env authz_host; do
            apache2 -l | grep -q "mod_$mod.c" || echo "LoadModule ${mod}_module $m/mod_$mod.so"
        done
        if [ "$(id -u)" = 0 ]; then echo "User www-data"; echo "Group www-data"; fi
        echo "ScriptSock \"$d/cgid.sock\""
        echo "TypesConfig /etc/mime.types"
        echo "FcgidIPCDir \"$d/fcgid\""
        echo "FcgidProcessTableFile \"$d/fcgid_shm\""
        printf '%s\n' "$defines"
        case $example in /*) ;; *) example="$GW_TOP/$example" ;; esac
        sed '/^# BEGIN site settings/,/^# END site settings/d' "$example"
    } >"$d/httpd.conf"
    [ "$(id -u)" = 0 ] && chown www-data "$d/fcgid"
    apache2 -f "$d/httpd.conf" -k start >"$d/logs/start.out" 2>&1 ||
        { cat "$d/logs/start.out" >&2; return 1; }
    gw_wait_port "$APORT" 10 || { tail "$d/logs/error.log" >&2; return 1; }
    APACHES+=("$name")
}

# apache_stop NAME: stops the Apache of NAME by its pid and waits.
apache_stop() {
    local d="$T/$1" pid i
    [ -f "$d/httpd.pid" ] || return 0
    pid=$(cat "$d/httpd.pid")
    kill "$pid" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}
