# Shell helpers for the integration tests: a private 3-node MariaDB Galera
# cluster on 127.0.0.1. Source it after scripts/lib.sh; every function
# prints what went wrong (with the tail of the node's log) and returns
# non-zero.
#
#   gw_galera_init "$G" && gw_galera_start "$G"    # $G: a directory of yours
#   gw_galera_sql "$G" 2 gwauth -e "SELECT ..."     # superuser on node 2
#   mariadb -h127.0.0.1 -P"$(gw_galera_port "$G" 3)" -uapp ...
#   gw_galera_node_kill "$G" 3; gw_galera_node_start "$G" 3
#   gw_galera_quorum_loss "$G"; ...; gw_galera_quorum_restore "$G"
#   trap 'gw_galera_stop "$G"' EXIT
#
# Run it as root. The servers run as the mysql OS user (as root the rsync
# state transfer fails), so everything under DIR/nN belongs to mysql and
# mysql must be able to reach DIR: every directory above it needs o+x (a
# mktemp -d directory is 0700: chmod 711 it). The superuser is MariaDB's
# root@localhost, by unix_socket only: the OS user root logs in through a
# node's socket without a password (gw_galera_sql). root cannot log in over
# TCP (error 1130); create the test's own accounts (CREATE USER is
# replicated to all nodes).
#
# Files: DIR/ports (one line per node: N SQL Galera IST SST ports, all free
# ones from 20000-32000, picked again by gw_galera_start if one is taken
# while the cluster is down), and per node DIR/nN/: my.cnf, data/,
# mysql.sock, error.log (server and state transfer scripts; console.log,
# install.log and recover.log hold the rest), mariadbd.pid (the server's),
# run.pid (the pid started here, known before a joiner writes its own after
# its transfer), tmp/.
#
# The servers read DIR/nN/my.cnf only (--defaults-file), never /etc/mysql.
# Not --no-defaults: the server would ignore /etc/mysql, but the wsrep_sst_rsync
# scripts it runs would still read /etc/mysql/my.cnf (my_print_defaults);
# they are passed --defaults-file too.
#
# Times on a 2-core machine: init 0.7 s, start 6-8 s (nodes 2 and 3 get
# node 1's data by rsync SST, ~3 s each, one after the other), restart of
# a stopped or killed node 3-4 s (IST), kill -9 until the others drop the
# node ~4 s, quorum loss ~4.5 s, quorum restore ~5.5 s, stop 0.3 s. The
# failure detection is shortened for that (evs.suspect_timeout 3 s instead
# of 5); GW_GALERA_OPTIONS, if set, is appended to wsrep_provider_options.

GW_GALERA_PROVIDER=${GW_GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
GW_GALERA_NODES="1 2 3"
case :$PATH: in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac

# _gw_galera_now: milliseconds since the epoch.
_gw_galera_now() { date +%s%3N; }

# _gw_galera_err MSG: prints an error message.
_gw_galera_err() { printf 'galera: %s\n' "$*" >&2; }

# _gw_galera_log DIR N: the tail of node N's log, on stderr.
_gw_galera_log() {
    echo "--- node $2: tail of $1/n$2/error.log" >&2
    tail -n 25 "$1/n$2/error.log" >&2 2>/dev/null || echo "(no log)" >&2
}

# _gw_galera_free_port USED: prints a free port in 20000-32000 (below the
# ephemeral range when it starts higher, as gw_free_port does) that is not
# in the space-separated list USED.
_gw_galera_free_port() {
    local used=" $1 " p tries=500 low=32768 hi=32000
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
    [ "$low" -gt 21000 ] && [ "$low" -le "$hi" ] && hi=$(( low - 1 ))
    while [ $(( tries -= 1 )) -ge 0 ]; do
        p=$(( (RANDOM % (hi - 20000 + 1)) + 20000 ))
        case $used in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# _gw_galera_pick_ports DIR: writes DIR/ports with 12 new free ports.
_gw_galera_pick_ports() {
    local dir=$1 used="" n p line
    : >"$dir/ports.new" || return 1
    for n in $GW_GALERA_NODES; do
        line=$n
        while [ "$(wc -w <<<"$line")" -lt 5 ]; do
            p=$(_gw_galera_free_port "$used") || { _gw_galera_err "no free port"; return 1; }
            used="$used $p"
            line="$line $p"
        done
        echo "$line" >>"$dir/ports.new"
    done
    mv -f "$dir/ports.new" "$dir/ports"
}

# _gw_galera_ports_free DIR: true when none of DIR/ports is listened on.
_gw_galera_ports_free() {
    local n p
    while read -r n p; do
        for p in $p; do
            (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 1
        done
    done <"$1/ports"
    return 0
}

# _gw_galera_field DIR N FIELD: one of node N's ports (FIELD 2 SQL,
# 3 Galera, 4 IST, 5 SST).
_gw_galera_field() {
    local v
    v=$(awk -v n="$2" -v f="$3" '$1 == n { print $f }' "$1/ports" 2>/dev/null) || v=
    [ -n "$v" ] || { _gw_galera_err "no ports for node $2 in $1/ports (gw_galera_init first)"; return 1; }
    echo "$v"
}

# gw_galera_port DIR N: prints node N's SQL port (TCP, 127.0.0.1).
gw_galera_port() { _gw_galera_field "$1" "$2" 2; }

# gw_galera_sock DIR N: prints node N's unix socket.
gw_galera_sock() { echo "$1/n$2/mysql.sock"; }

# gw_galera_sql DIR N [mariadb args...]: runs the client on node N as the
# superuser (root through the unix socket).
gw_galera_sql() {
    local dir=$1 n=$2
    shift 2
    mariadb --no-defaults --socket="$dir/n$n/mysql.sock" -uroot "$@"
}

# _gw_galera_pid DIR N: prints the pid of node N's server if it runs (not
# a zombie, and the process is that node's mariadbd).
_gw_galera_pid() {
    local f=$1/n$2/run.pid pid state
    [ -f "$f" ] || return 1
    pid=$(cat "$f" 2>/dev/null) && [ -n "$pid" ] || return 1
    state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] || return 1
    { tr '\0' '\n' <"/proc/$pid/cmdline"; } 2>/dev/null |
        grep -qxF -- "--defaults-file=$1/n$2/my.cnf" || return 1
    echo "$pid"
}

# _gw_galera_cnf DIR N: writes node N's option file.
_gw_galera_cnf() {
    local dir=$1 n=$2 d=$1/n$2 sql gc ist sst peers="" m
    sql=$(_gw_galera_field "$dir" "$n" 2) && gc=$(_gw_galera_field "$dir" "$n" 3) &&
        ist=$(_gw_galera_field "$dir" "$n" 4) && sst=$(_gw_galera_field "$dir" "$n" 5) || return 1
    for m in $GW_GALERA_NODES; do
        peers="$peers${peers:+,}127.0.0.1:$(_gw_galera_field "$dir" "$m" 3)" || return 1
    done
    [ -d "$d/tmp" ] || install -d -o mysql -g mysql -m 750 "$d/tmp" || return 1
    cat >"$d/my.cnf" <<CNF || return 1
# written by scripts/galera.sh; rewritten at each start
[mysqld]
user                           = mysql
datadir                        = $d/data
socket                         = $d/mysql.sock
port                           = $sql
bind-address                   = 127.0.0.1
pid-file                       = $d/mariadbd.pid
log-error                      = $d/error.log
tmpdir                         = $d/tmp
skip-name-resolve
max-connections                = 300
character-set-server           = utf8mb4
collation-server               = utf8mb4_unicode_ci
default-storage-engine         = InnoDB
binlog-format                  = ROW
innodb-autoinc-lock-mode       = 2
innodb-buffer-pool-size        = 32M
innodb-log-file-size           = 16M
innodb-flush-log-at-trx-commit = 2
innodb-doublewrite             = 0
performance-schema             = OFF
wsrep-on                       = ON
wsrep-provider                 = $GW_GALERA_PROVIDER
wsrep-cluster-name             = gwauth-test
wsrep-cluster-address          = gcomm://$peers
wsrep-node-name                = node$n
wsrep-node-address             = 127.0.0.1:$gc
wsrep-node-incoming-address    = 127.0.0.1:$sql
wsrep-provider-options         = "gmcast.listen_addr=tcp://127.0.0.1:$gc;ist.recv_addr=127.0.0.1:$ist;gcache.size=32M;gcache.recover=yes;evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT5S;evs.install_timeout=PT3S${GW_GALERA_OPTIONS:+;$GW_GALERA_OPTIONS}"
wsrep-sst-method               = rsync
wsrep-sst-receive-address      = 127.0.0.1:$sst
wsrep-slave-threads            = 2
CNF
    chmod 644 "$d/my.cnf"
}

# gw_galera_init DIR: creates the three nodes' directories once, under DIR
# (an absolute path, created if missing): node 1's datadir with
# mariadb-install-db (run as mysql; root@localhost and mysql@localhost log
# in by unix_socket only), those of nodes 2 and 3 empty (their first start
# copies node 1's data by SST, which an install of their own would not
# spare), and DIR/ports.
gw_galera_init() {
    local dir=$1 n up
    [ "$(id -u)" -eq 0 ] || { _gw_galera_err "must run as root (the nodes run as mysql)"; return 1; }
    [ -f "$GW_GALERA_PROVIDER" ] || GW_GALERA_PROVIDER=$(dpkg -L galera-4 2>/dev/null | grep '/libgalera_smm\.so$' | head -n 1)
    [ -f "$GW_GALERA_PROVIDER" ] || { _gw_galera_err "no Galera provider (apt-get install galera-4)"; return 1; }
    case $dir in /*) ;; *) _gw_galera_err "$dir: not an absolute path"; return 1 ;; esac
    [ -d "$dir/n1/data/mysql" ] && [ -f "$dir/ports" ] && return 0
    if [ ! -d "$dir" ]; then
        mkdir -p "$dir" && chmod 711 "$dir" || return 1
    fi
    [ ${#dir} -le 90 ] || { _gw_galera_err "$dir: too long for unix socket paths"; return 1; }
    if ! runuser -u mysql -- test -x "$dir"; then
        up=$dir
        while [ "$up" != / ] && ! runuser -u mysql -- test -x "$up"; do
            runuser -u mysql -- test -x "$(dirname "$up")" && break
            up=$(dirname "$up")
        done
        _gw_galera_err "the mysql user cannot reach $dir: chmod o+x $up (and any directory under it that needs it)"
        return 1
    fi
    for n in $GW_GALERA_NODES; do
        install -d -o mysql -g mysql -m 750 "$dir/n$n" || return 1
    done
    [ -f "$dir/ports" ] || _gw_galera_pick_ports "$dir" || return 1
    if [ ! -d "$dir/n1/data/mysql" ]; then
        rm -rf "$dir/n1/data"
        (cd / && runuser -u mysql -- mariadb-install-db --no-defaults --datadir="$dir/n1/data" \
            --skip-test-db --auth-root-authentication-method=socket \
            --innodb-log-file-size=16M) >"$dir/n1/install.log" 2>&1 \
            || { cat "$dir/n1/install.log" >&2; return 1; }
    fi
    for n in 2 3; do
        install -d -o mysql -g mysql -m 750 "$dir/n$n/data" || return 1
    done
}

# _gw_galera_launch DIR N [mariadbd args...]: starts node N in the
# background (does not wait).
_gw_galera_launch() {
    local dir=$1 n=$2 pos
    shift 2
    [ -f "$dir/ports" ] || { _gw_galera_err "$dir: gw_galera_init first"; return 1; }
    _gw_galera_pid "$dir" "$n" >/dev/null && return 0
    _gw_galera_cnf "$dir" "$n" || return 1
    pos=$(_gw_galera_recover "$dir" "$n") || return 1
    rm -f "$dir/n$n/run.pid"
    (cd / && exec mariadbd --defaults-file="$dir/n$n/my.cnf" ${pos:+"--wsrep-start-position=$pos"} "$@" \
        </dev/null >>"$dir/n$n/console.log" 2>&1) &
    echo $! >"$dir/n$n/run.pid"
    # not a job of the caller's shell: no "Killed" notice after kill -9
    disown $! 2>/dev/null || true
}

# _gw_galera_recover DIR N: after a crash (grastate.dat seqno -1), prints
# the position that InnoDB recovers (mariadbd --wsrep-recover, as the
# galera_recovery script of systemd does) so that node N can rejoin by IST
# instead of a full SST. Prints nothing otherwise.
_gw_galera_recover() {
    local d=$1/n$2 pos
    grep -q '^seqno: *-1' "$d/data/grastate.dat" 2>/dev/null || return 0
    grep -q '^uuid: *00000000-0000-0000-0000-000000000000' "$d/data/grastate.dat" && return 0
    [ -d "$d/data/mysql" ] || return 0
    rm -f "$d/recover.log"
    if ! (cd / && timeout 120 mariadbd --defaults-file="$d/my.cnf" --wsrep-recover \
            --log-error="$d/recover.log" </dev/null >/dev/null 2>&1); then
        _gw_galera_err "node $2: mariadbd --wsrep-recover failed; its log:"
        tail -n 20 "$d/recover.log" >&2 2>/dev/null
        return 1
    fi
    pos=$(sed -n 's/.*WSREP: Recovered position: *\([^ ]*\).*/\1/p' "$d/recover.log" | tail -n 1)
    case $pos in *:-1|"") ;; *) echo "$pos" ;; esac
}

# _gw_galera_status DIR N: prints node N's wsrep_ready, wsrep_local_state,
# wsrep_cluster_size and wsrep_cluster_status on one line.
_gw_galera_status() {
    gw_galera_sql "$1" "$2" --connect-timeout=2 --batch --skip-column-names -e \
        "SHOW GLOBAL STATUS WHERE Variable_name IN
         ('wsrep_ready','wsrep_local_state','wsrep_cluster_size','wsrep_cluster_status')" 2>/dev/null |
        awk '{ v[$1] = $2 } END { print v["wsrep_ready"], v["wsrep_local_state"], v["wsrep_cluster_size"], v["wsrep_cluster_status"] }' ||
        true
}

# gw_galera_wait_synced DIR N [SECONDS [SIZE]]: waits (120 s by default)
# until node N runs, answers and reports wsrep_ready=ON, wsrep_local_state=4
# (Synced) in a Primary component (of SIZE nodes when given).
gw_galera_wait_synced() {
    local dir=$1 n=$2 secs=${3:-120} size=${4:-} end st ready state csize cstatus
    end=$(( $(_gw_galera_now) + secs * 1000 ))
    while :; do
        if ! _gw_galera_pid "$dir" "$n" >/dev/null; then
            _gw_galera_err "node $n is not running"
            _gw_galera_log "$dir" "$n"
            return 1
        fi
        st=$(_gw_galera_status "$dir" "$n")
        read -r ready state csize cstatus <<<"$st"
        [ "$ready" = ON ] && [ "$state" = 4 ] && [ "$cstatus" = Primary ] &&
            [ "$csize" = "${size:-$csize}" ] && return 0
        if [ "$(_gw_galera_now)" -ge "$end" ]; then
            _gw_galera_err "node $n not synced after ${secs}s (ready, state, size, status: ${st:-no answer})"
            _gw_galera_log "$dir" "$n"
            return 1
        fi
        sleep 0.2
    done
}

# _gw_galera_member DIR N: true if another running node counts node N
# in its component (its wsrep_incoming_addresses holds N's SQL address);
# false if not, or if no other node runs.
_gw_galera_member() {
    local dir=$1 n=$2 m
    for m in $GW_GALERA_NODES; do
        [ "$m" != "$n" ] || continue
        _gw_galera_pid "$dir" "$m" >/dev/null || continue
        gw_galera_sql "$dir" "$m" --connect-timeout=2 --batch --skip-column-names -e \
            "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
             WHERE VARIABLE_NAME = 'WSREP_INCOMING_ADDRESSES'" 2>/dev/null |
            grep -q "127.0.0.1:$(gw_galera_port "$dir" "$n")\b" && return 0
    done
    return 1
}

# _gw_galera_wait_member DIR N: waits (120 s) until node N, just started,
# is a member of the primary component, which need not have synced yet.
_gw_galera_wait_member() {
    local dir=$1 n=$2 end
    end=$(( $(_gw_galera_now) + 120000 ))
    while ! _gw_galera_member "$dir" "$n"; do
        _gw_galera_pid "$dir" "$n" >/dev/null || { _gw_galera_err "node $n is not running"; _gw_galera_log "$dir" "$n"; return 1; }
        if [ "$(_gw_galera_now)" -ge "$end" ]; then
            _gw_galera_err "node $n did not join the cluster in 120s"
            _gw_galera_log "$dir" "$n"
            return 1
        fi
        sleep 0.2
    done
}

# _gw_galera_join DIR N...: starts the nodes N... that are not running, one
# after the other once the previous one is a member (two nodes that start
# at the same moment may form a component of their own and take seconds to
# merge), then waits until all three nodes are synced, in a cluster of 3.
_gw_galera_join() {
    local dir=$1 n
    shift
    for n in "$@"; do
        _gw_galera_pid "$dir" "$n" >/dev/null && continue
        _gw_galera_launch "$dir" "$n" && _gw_galera_wait_member "$dir" "$n" || return 1
    done
    for n in $GW_GALERA_NODES; do
        gw_galera_wait_synced "$dir" "$n" 120 3 || return 1
    done
}

# gw_galera_node_start DIR N [SECONDS]: starts node N, which joins the
# running cluster (IST from a donor's cache, or SST by rsync), and waits
# (120 s) until it is synced. When no node runs, use gw_galera_start.
gw_galera_node_start() {
    _gw_galera_launch "$1" "$2" && gw_galera_wait_synced "$1" "$2" "${3:-120}"
}

# _gw_galera_wait_gone DIR N SECONDS: waits for node N's server to exit;
# true if it did.
_gw_galera_wait_gone() {
    local end
    end=$(( $(_gw_galera_now) + $3 * 1000 ))
    while _gw_galera_pid "$1" "$2" >/dev/null; do
        [ "$(_gw_galera_now)" -ge "$end" ] && return 1
        sleep 0.1
    done
    return 0
}

# _gw_galera_tree PID: prints PID and the pids of all its descendants (a
# joiner's or donor's state transfer script and its rsync).
_gw_galera_tree() {
    local p
    echo "$1"
    for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        _gw_galera_tree "$p"
    done
}

# _gw_galera_reap DIR N: after node N's server has gone, stops what its
# state transfer script may have left (the rsync daemon of its pid file)
# and removes the pid files.
_gw_galera_reap() {
    local d=$1/n$2 pid
    if [ -f "$d/data/rsync_sst.pid" ]; then
        pid=$(cat "$d/data/rsync_sst.pid" 2>/dev/null) || pid=
        if [ -n "$pid" ] && grep -q rsync "/proc/$pid/comm" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$d/run.pid"
}

# gw_galera_node_stop DIR N: stops node N cleanly (SIGTERM: it leaves the
# cluster) and waits for it to exit; after 60 s, kill -9. Nothing if it is
# not running. A node that does not answer yet (starting, or a joiner in
# its SST, which ignores SIGTERM for good) gets 5 s, then kill -9.
gw_galera_node_stop() { _gw_galera_stop "$1" "$2"; }

# _gw_galera_stop DIR N...: gw_galera_node_stop of nodes N... at once.
_gw_galera_stop() {
    local dir=$1 n pid lazy="" end
    shift
    for n in "$@"; do
        pid=$(_gw_galera_pid "$dir" "$n") || continue
        [ -n "$(_gw_galera_status "$dir" "$n" | tr -d ' ')" ] || lazy="$lazy $n"
        kill -TERM "$pid" 2>/dev/null || true
    done
    end=$(( $(_gw_galera_now) + 60000 ))
    for n in "$@"; do
        case " $lazy " in
            *" $n "*) _gw_galera_wait_gone "$dir" "$n" 5 || _gw_galera_kill "$dir" "$n" ;;
            *) _gw_galera_wait_gone "$dir" "$n" $(( (end - $(_gw_galera_now)) / 1000 + 1 )) || {
                   _gw_galera_err "node $n did not stop in 60s; kill -9"
                   _gw_galera_kill "$dir" "$n"
               } ;;
        esac
        _gw_galera_reap "$dir" "$n"
    done
}

# gw_galera_node_kill DIR N: kills node N (kill -9, as a crash, with the
# state transfer processes it may have started), waits for it to exit and
# (30 s at most, ~4 s: evs.suspect_timeout) for the other nodes to drop it
# from their component; meanwhile their commits wait. Nothing if it is not
# running. Restarted, the node rejoins by IST (see _gw_galera_recover).
gw_galera_node_kill() {
    local dir=$1 n=$2 end
    _gw_galera_kill "$dir" "$n" || return 1
    # until the others have dropped it, a new start of node N could not
    # join them (it would sit ~12 s in a component of its own)
    end=$(( $(_gw_galera_now) + 30000 ))
    while _gw_galera_member "$dir" "$n" && [ "$(_gw_galera_now)" -lt "$end" ]; do
        sleep 0.2
    done
}

# _gw_galera_kill DIR N...: kill -9 of nodes N... (each with the state
# transfer processes it may have started) at once; waits for them to exit.
_gw_galera_kill() {
    local dir=$1 n pid pids=""
    shift
    for n in "$@"; do
        pid=$(_gw_galera_pid "$dir" "$n") && pids="$pids $(_gw_galera_tree "$pid")"
    done
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    for n in "$@"; do
        _gw_galera_wait_gone "$dir" "$n" 10 || { _gw_galera_err "node $n survived kill -9"; return 1; }
        _gw_galera_reap "$dir" "$n"
    done
}

# gw_galera_start DIR: starts the cluster and waits (120 s per step) until
# all three nodes are synced in one component of 3. When no node runs,
# node 1 bootstraps a new cluster (--wsrep-new-cluster; marked safe to
# bootstrap even if it was not the last to stop: test data, not production)
# and nodes 2 and 3 join it (SST the first time, then IST); nodes already
# running are kept. Prints one line with the time it took.
gw_galera_start() {
    local dir=$1 t0 n running=""
    t0=$(_gw_galera_now)
    case $dir in /*) ;; *) _gw_galera_err "$dir: not an absolute path"; return 1 ;; esac
    if [ ! -f "$dir/ports" ] || [ ! -d "$dir/n1/data" ]; then
        _gw_galera_err "$dir: gw_galera_init first"
        return 1
    fi
    for n in $GW_GALERA_NODES; do
        _gw_galera_pid "$dir" "$n" >/dev/null && running="$running $n"
    done
    if [ -z "$running" ]; then
        _gw_galera_ports_free "$dir" || _gw_galera_pick_ports "$dir" || return 1
        [ -f "$dir/n1/data/grastate.dat" ] &&
            sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$dir/n1/data/grastate.dat"
        _gw_galera_launch "$dir" 1 --wsrep-new-cluster || return 1
        gw_galera_wait_synced "$dir" 1 120 || return 1
    fi
    _gw_galera_join "$dir" 1 2 3 || return 1
    t0=$(( $(_gw_galera_now) - t0 ))
    printf '%s\n' "galera: 3 nodes synced in $(( t0 / 1000 )).$(( t0 % 1000 / 100 ))s ($dir)"
}

# gw_galera_stop DIR: stops all nodes (2 and 3 together, then 1, so that
# node 1 is the one safe to bootstrap) and waits for them to exit. Safe
# when nothing runs, twice, or from an EXIT trap.
gw_galera_stop() {
    [ -d "$1" ] || return 0
    _gw_galera_stop "$1" 2 3 || true
    _gw_galera_stop "$1" 1 || true
}

# gw_galera_quorum_loss DIR: kills nodes 2 and 3 together (kill -9) so that
# node 1, still running, is alone out of 3: no quorum. Waits (60 s) until
# node 1 reports wsrep_cluster_status=non-Primary (wsrep_ready=OFF,
# wsrep_local_state=0, wsrep_cluster_size=1), ~4.5 s. Node 1 then still
# accepts connections, over TCP and its socket, with or without a default
# database, on new and on already open connections alike; USE, SET, SHOW,
# SELECT 1/NOW()/@@var and information_schema work, but every statement on
# a table (SELECT ... FROM, INSERT/UPDATE/DELETE, DDL) fails with
#   ERROR 1047 (08S01): WSREP has not yet prepared node for application use
# (SELECTs work again with SET SESSION wsrep_dirty_reads=ON). A node that
# is joining answers the same (1047) once it listens, and before that
# 2002: "Can't connect to local server through socket '...' (2)" (or (111)
# for the socket file a killed server left), "Can't connect to server on
# '127.0.0.1' (115)" over TCP.
gw_galera_quorum_loss() {
    local dir=$1 end st
    _gw_galera_kill "$dir" 2 3 || return 1
    end=$(( $(_gw_galera_now) + 60000 ))
    while :; do
        st=$(_gw_galera_status "$dir" 1)
        case $st in *non-Primary) return 0 ;; esac
        if [ "$(_gw_galera_now)" -ge "$end" ]; then
            _gw_galera_err "node 1 still reports '${st:-no answer}' 60s after nodes 2 and 3 died"
            _gw_galera_log "$dir" 1
            return 1
        fi
        sleep 0.2
    done
}

# gw_galera_quorum_restore DIR: after gw_galera_quorum_loss, makes node 1
# a Primary component on its own (pc.bootstrap=YES), then restarts nodes 2
# and 3, which rejoin it (IST), and waits until all three are synced.
gw_galera_quorum_restore() {
    local dir=$1 n
    _gw_galera_pid "$dir" 1 >/dev/null || { _gw_galera_err "node 1 is not running"; return 1; }
    case $(_gw_galera_status "$dir" 1) in
        *non-Primary)
            gw_galera_sql "$dir" 1 -e "SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'" || return 1
            gw_galera_wait_synced "$dir" 1 60 || return 1
            ;;
    esac
    _gw_galera_join "$dir" 2 3
}
