# Shell helpers shared by run.sh, check.sh and the integration tests:
# a private MariaDB server, free loopback ports, lighttpd and spawn-fcgi.
# Source it; every function prints what went wrong and returns non-zero.

PATH="$PATH:/usr/sbin:/sbin"
GW_TOP=${GW_TOP:-$(cd "$(dirname "$0")/.." && pwd)}

gw_say() { printf '%s\n' "$*"; }
gw_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# gw_free_port: prints a TCP port on 127.0.0.1 that nothing listens on,
# below the kernel's ephemeral range (a port in that range may be taken at
# any moment as the local end of an outgoing connection). With
# GWAUTH_PORT_BASE set, the ports are taken in order from there (the next
# one is remembered in GW_PORT_STATE, a file), for a firewall or a
# machine where only some ports may be used.
gw_free_port() {
    local p i low=32768 span n
    if [ -n "${GWAUTH_PORT_BASE:-}" ]; then
        case $GWAUTH_PORT_BASE in *[!0-9]*) gw_die "GWAUTH_PORT_BASE must be a port number" ;; esac
        local state=${GW_PORT_STATE:-${TMPDIR:-/tmp}/gwauth-ports.$$}
        n=$(cat "$state" 2>/dev/null || echo 0)
        for i in $(seq 1 200); do
            p=$(( GWAUTH_PORT_BASE + n ))
            n=$(( n + 1 ))
            [ "$p" -le 65535 ] || break
            if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
                echo "$n" >"$state"
                echo "$p"
                return 0
            fi
        done
        echo "$n" >"$state"
        return 1
    fi
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
    span=$(( low - 10000 ))
    [ "$span" -gt 1000 ] || span=1000
    for i in $(seq 1 200); do
        p=$(( (RANDOM % span) + 10000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# gw_wait_port PORT [SECONDS]: waits until something listens on PORT.
gw_wait_port() {
    local i n=$(( ${2:-10} * 10 ))
    for i in $(seq 1 "$n"); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --- MariaDB --------------------------------------------------------------
# A private server: datadir, socket, pid and log under DIR, TCP on PORT
# (127.0.0.1 only). The OS user running this is the server's superuser
# through its unix socket.

# gw_db_init DIR: creates the data directory once.
gw_db_init() {
    local dir=$1
    [ -d "$dir/data/mysql" ] && return 0
    mkdir -p "$dir"
    mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
        --skip-test-db --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 \
        || { cat "$dir/install.log" >&2; return 1; }
}

# gw_db_start DIR PORT: starts the server and waits until it answers.
gw_db_start() {
    local dir=$1 port=$2 i
    mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" \
        --socket="$dir/mysql.sock" --port="$port" --bind-address=127.0.0.1 \
        --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
        --skip-name-resolve --innodb-buffer-pool-size=64M --innodb-log-file-size=48M \
        --innodb-flush-log-at-trx-commit=2 --max-connections=300 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        >/dev/null 2>&1 &
    for i in $(seq 1 150); do
        if mariadb-admin --no-defaults --socket="$dir/mysql.sock" -u"$(id -un)" ping >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    echo "MariaDB did not start; its log:" >&2
    tail -n 20 "$dir/error.log" >&2
    return 1
}

# gw_db_stop DIR: stops the server and waits for it to exit.
gw_db_stop() {
    local dir=$1 pid i
    [ -f "$dir/mariadbd.pid" ] || return 0
    pid=$(cat "$dir/mariadbd.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$dir/mariadbd.pid"; return 0; }
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/mariadbd.pid"
}

# gw_sql DIR [mariadb args...]: runs the client as the superuser.
gw_sql() {
    local dir=$1
    shift
    mariadb --no-defaults --socket="$dir/mysql.sock" -u"$(id -un)" "$@"
}

# gw_db_setup DIR DBNAME USER PASSWORD: creates the database and the
# application's account (only the rights it needs), then migrates.
gw_db_setup() {
    local dir=$1 db=$2 user=$3 pw=$4
    gw_sql "$dir" <<SQL || return 1
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$db\`.* TO '$user'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$db\`.* TO '$user'@'127.0.0.1';
SQL
    "$GW_TOP/scripts/migrate.sh" -q -d "$db" --socket="$dir/mysql.sock" -u"$(id -un)"
}

# --- lighttpd and FastCGI processes ----------------------------------------

# gw_secret FILE: a new shared secret for fastcgi.secret_file (32 random
# bytes as hex, readable by the owner only), unless FILE holds one.
gw_secret() {
    [ -s "$1" ] || (umask 077; openssl rand -hex 32 >"$1")
}

# gw_lighttpd_conf OUT PORT DOCROOT STATEDIR AUTHZ_SOCK RESP_SOCK [SECRET_FILE]:
# writes a lighttpd configuration: the site settings block of
# lighttpd.conf.example replaced with these values. SECRET_FILE (default
# STATEDIR/fastcgi.secret, created when missing) must be the file that
# gwauth's fastcgi.secret_file names.
gw_lighttpd_conf() {
    local out=$1 port=$2 docroot=$3 state=$4 authz=$5 resp=$6 secret=${7:-$4/fastcgi.secret}
    gw_secret "$secret"
    {
        echo "# generated from lighttpd.conf.example"
        echo "var.gwauth_port        = $port"
        echo "var.gwauth_bind        = \"127.0.0.1\""
        echo "var.gwauth_docroot     = \"$docroot\""
        echo "var.gwauth_state       = \"$state\""
        echo "var.gwauth_authz_sock  = \"$authz\""
        echo "var.gwauth_logout_sock = \"$resp\""
        echo "var.gwauth_secret_file = \"$secret\""
        echo "var.gwauth_strip_lua   = \"$GW_TOP/examples/lighttpd-strip-secret.lua\""
        echo "var.gwauth_guard_lua   = \"$GW_TOP/examples/lighttpd-header-guard.lua\""
        sed '/^# BEGIN site settings/,/^# END site settings/d' "$GW_TOP/lighttpd.conf.example"
    } >"$out"
}

# gw_nginx_conf OUT PORT DOCROOT STATE AUTHZ_SOCK RESP_SOCK SECRET_FILE SNIPPETS
#   [FASTCGI_APP] [PROXIED_APP]: a whole nginx configuration (in the
# foreground, logs and temporary files under STATE) around
# nginx.conf.example, with its site settings replaced and its
# /etc/gwauth/ files taken from SNIPPETS/ (nginx-identity.conf,
# nginx-fastcgi.conf, nginx-proxy.conf: gwauth-admin snippet). The secret's
# include file is written to STATE/gwauth-secret.conf.
gw_nginx_conf() {
    local out=$1 port=$2 docroot=$3 state=$4 authz=$5 resp=$6 secret=$7 snippets=$8 k
    local fcgi=${9:-unix:$state/none.sock} proxied=${10:-} files_port=""
    # without a proxied application of its own, the files served again by
    # nginx itself stand for it
    [ -n "$proxied" ] || { files_port=$(gw_free_port); proxied="http://127.0.0.1:$files_port"; }
    gw_secret "$secret"
    mkdir -p "$state/tmp"
    (umask 077; printf 'set $gwauth_secret "%s";\n' "$(cat "$secret")" >"$state/gwauth-secret.conf")
    {
        echo "    listen 127.0.0.1:$port;"
        echo "    root $docroot;"
        echo "    set \$gwauth_authorizer unix:$authz;"
        echo "    set \$gwauth_responder unix:$resp;"
        echo "    set \$gwauth_fastcgi_app $fcgi;"
        echo "    set \$gwauth_proxied_app $proxied;"
        echo "    include $state/gwauth-secret.conf;"
    } >"$state/site-settings.conf"
    sed -e "/# BEGIN site settings/r $state/site-settings.conf" -e '/# BEGIN site settings/,/# END site settings/d' \
        -e "s|/etc/gwauth/|$snippets/|g" "$GW_TOP/nginx.conf.example" >"$state/site.conf"
    {
        echo "# generated around nginx.conf.example"
        echo "daemon off;"
        echo "worker_processes 2;"
        [ "$(id -u)" = 0 ] && echo "user root;"
        echo "pid $state/nginx.pid;"
        echo "error_log $state/error.log warn;"
        echo "events { worker_connections 1024; }"
        echo "http {"
        echo "    access_log $state/access.log;"
        for k in client_body proxy fastcgi uwsgi scgi; do echo "    ${k}_temp_path $state/tmp/$k;"; done
        echo "    include /etc/nginx/mime.types;"
        echo "    include $state/site.conf;"
        [ -z "$files_port" ] || printf '    server { listen 127.0.0.1:%s; root %s; }\n' "$files_port" "$docroot"
        echo "}"
    } >"$out"
}

# gw_nginx_start CONF STATEDIR PORT: checks CONF and starts nginx in the
# background (its pid in STATEDIR/nginx.pid).
gw_nginx_start() {
    local conf=$1 state=$2 port=$3
    nginx -t -c "$conf" >"$state/nginx-test.log" 2>&1 || { cat "$state/nginx-test.log" >&2; return 1; }
    nginx -c "$conf" >>"$state/nginx.out" 2>&1 &
    gw_wait_port "$port" 10 || { echo "nginx did not start:" >&2; tail "$state/error.log" >&2 2>/dev/null; return 1; }
}

# gw_lighttpd_start CONF STATEDIR PORT: starts lighttpd in the background.
gw_lighttpd_start() {
    local conf=$1 state=$2 port=$3
    lighttpd -tt -f "$conf" >"$state/lighttpd-test.log" 2>&1 || { cat "$state/lighttpd-test.log" >&2; return 1; }
    lighttpd -D -f "$conf" >>"$state/lighttpd.out" 2>&1 &
    echo $! >"$state/lighttpd.pid"
    gw_wait_port "$port" 10 || { echo "lighttpd did not start:" >&2; tail "$state/lighttpd.out" "$state/error.log" >&2 2>/dev/null; return 1; }
}

# gw_stop_pidfile FILE: stops the process named in FILE, waits for it.
gw_stop_pidfile() {
    local f=$1 pid i
    pid=$(cat "$f" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
}

# gw_spawn NAME SOCKET CONFIG LOG CHILDREN: starts build/NAME under
# spawn-fcgi on a unix socket with CHILDREN processes; their pids are
# written to SOCKET.pids.
gw_spawn() {
    local name=$1 sock=$2 conf=$3 log=$4 n=${5:-2} i pids=""
    rm -f "$sock"
    for i in $(seq 1 "$n"); do
        # spawn-fcgi -F forks children that share one socket; start them one
        # by one so that each pid is known.
        :
    done
    GWAUTH_CONFIG="$conf" spawn-fcgi -s "$sock" -F "$n" -P "$sock.spawnpid" -- \
        "$GW_TOP/build/$name" >>"$log" 2>&1 </dev/null || return 1
    sleep 0.2
    pgrep -f "^$GW_TOP/build/$name\$" >/dev/null || true
}
