#!/bin/bash
# A restart or upgrade that drops no request: the listening socket is
# held by someone else than gwauth (systemd's .socket unit; here a small
# holder that does what systemd does: it owns the socket, hands it to the
# service as standard input, and on a restart stops the old service with
# SIGTERM and starts the new one on the same socket). Requests that arrive
# in between wait in the socket's backlog. A restart that closes the socket
# (stop spawn-fcgi's processes, start them again) drops requests: shown too.
# shellcheck shell=bash
# alone (prove, ./t_87_restart.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
section "restart under load: the socket held, no request dropped"
stack_start rst '{}' 1 || return
d="$T/rst"
for pid in $(cat "$d/authz.pids"); do kill "$pid"; done
rm -f "$d/authz.pids"
cat >"$d/holder.py" <<'PY'
import os, signal, socket, subprocess, sys
prog, cfg, path, log = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s.bind(path)
s.listen(128)
def start():
    return subprocess.Popen([prog, "-c", cfg, "--workers", "2", "-l", log], stdin=s.fileno())
child = [start()]
def restart(*_):
    old = child[0]
    old.terminate()      # SIGTERM: the requests in flight finish
    old.wait()
    child[0] = start()   # the new one takes over the same socket
def stop(*_):
    child[0].terminate()
    child[0].wait()
    sys.exit(0)
signal.signal(signal.SIGHUP, restart)
signal.signal(signal.SIGTERM, stop)
while True:
    signal.pause()
PY
python3 "$d/holder.py" "$GW_BIN/authorizer" "$d/gwauth.json" "$d/authz.sock" "$d/holder.log" &
HOLDER=$!
for i in $(seq 1 50); do req "$(url /app/index.html)" -H "X-Userinfo: $(b64 '{"sub":"rst-1"}')"; [ "$STATUS" = 200 ] && break; sleep 0.1; done
expect_eq "the service on the held socket answers" "$STATUS" 200
UI=$(b64 '{"sub":"rst-1"}')
load() { for i in $(seq 1 "$1"); do curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 -H "X-Userinfo: $UI" "$(url /app/index.html)"; done; }
load 400 >"$d/codes.1" &
L1=$!
load 400 >"$d/codes.2" &
L2=$!
for i in 1 2 3 4 5; do sleep 0.4; kill -HUP "$HOLDER"; done
wait "$L1" "$L2"
total=$(cat "$d/codes.1" "$d/codes.2" | wc -l)
bad=$(cat "$d/codes.1" "$d/codes.2" | grep -vc '^200$')
expect_eq "800 requests during 5 restarts: all answered" "$total" 800
expect_eq "...every one 200" "$bad" 0
expect_eq "...by new processes each time" "$(grep -c 'event=supervisor_start' "$d/holder.log")" 6
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null

section "restart under load: closing the socket drops requests (why the socket must be held)"
spawn_authz() { spawn-fcgi -s "$d/authz.sock" -F 2 -P "$d/authz.pids" -- "$GW_BIN/authorizer" -c "$d/gwauth.json" \
    -l "$d/authz.log" >/dev/null 2>&1; }
spawn_authz
load 300 >"$d/codes.3" &
L3=$!
for i in 1 2 3; do
    sleep 0.4
    for pid in $(cat "$d/authz.pids"); do kill "$pid"; done
    sleep 0.2
    spawn_authz
done
wait "$L3"
bad=$(grep -vc '^200$' "$d/codes.3")
expect_eq "a stop-then-start of spawn-fcgi's processes: some requests fail" "$([ "$bad" -gt 0 ] && echo yes)" yes
stack_stop rst
