#!/bin/bash
# make run (scripts/run.sh) as an operator uses it: it comes up, serves
# the demo with sessions, and Ctrl-C (SIGINT to its whole process group,
# as a terminal sends it) stops every process it started and exits 0,
# three times in a row.
# shellcheck shell=bash
# alone (prove, ./t_92_run.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
RUN="$T/run"
RPORT=$(gw_free_port)
# a base with two free ports, for GWAUTH_PORT_BASE
BASE=$(gw_free_port)
while (exec 3<>"/dev/tcp/127.0.0.1/$((BASE + 1))") 2>/dev/null; do BASE=$(gw_free_port); done
run_once() {
    local i=$1 out="$T/run.$1.out" pid rc ports="GWAUTH_PORT=$RPORT"
    : >"$out"
    # run #2 pins its ports with GWAUTH_PORT_BASE instead
    [ "$i" = 2 ] && ports="GWAUTH_PORT_BASE=$BASE"
    # in its own process group, with SIGINT at its default (a background
    # job of a script starts with SIGINT ignored, which a trap cannot undo)
    env GWAUTH_RUN_DIR="$RUN" "$ports" python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execv(sys.argv[1], sys.argv[1:])' "$GW_TOP/scripts/run.sh" >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do grep -q "Press Ctrl-C" "$out" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    expect_has "make run #$i: comes up and prints what to try" "$(cat "$out")" "Press Ctrl-C to stop."
    if [ "$i" = 1 ]; then
        local ui jar="$T/run.jar"
        ui=$(b64 '{"sub":"run-demo"}')
        curl -s -o /dev/null -c "$jar" -H "X-Userinfo: $ui" "http://127.0.0.1:$RPORT/establish_session"
        expect_has "make run: the demo's session round trip works as printed" \
            "$(curl -s -b "$jar" "http://127.0.0.1:$RPORT/app/whoami")" "GWAUTH_SOURCE=session"
        expect_has "...and prints it" "$(cat "$out")" "/establish_session"
        expect_eq "make run: its health check answers" \
            "$(curl -s "http://127.0.0.1:$RPORT/gwauth/health")" '{"status":"ok"}'
        expect_has "...and its metrics count the demo's four processes" \
            "$(curl -s "http://127.0.0.1:$RPORT/gwauth/metrics")" 'gwauth_processes{program="authorizer"} 2'
    fi
    if [ "$i" = 2 ]; then
        expect_eq "GWAUTH_PORT_BASE=$BASE: lighttpd on the base" \
            "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BASE/gwauth/health")" 200
        expect_eq "...MariaDB on the next port" \
            "$( (exec 3<>"/dev/tcp/127.0.0.1/$((BASE + 1))") 2>/dev/null && echo listening)" listening
    fi
    kill -INT -- -"$pid"
    wait "$pid"
    rc=$?
    expect_eq "make run #$i: Ctrl-C exits 0" "$rc" 0
    sleep 0.5
    expect_eq "...and leaves nothing running" \
        "$(pgrep -f -- "$RUN/" | tr '\n' ' ')" ""
    expect_has "...saying so" "$(cat "$out")" "stopped; data kept in $RUN"
}
for i in 1 2 3; do run_once "$i"; done
pkill -f -- "$RUN/" 2>/dev/null
