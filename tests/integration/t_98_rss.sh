#!/bin/bash
# Bounded memory: one authorizer process, warmed up until its identity
# cache is full, then 100 000 more mixed requests (returning, new, denied):
# its resident memory grows by less than 1 MiB.
# shellcheck shell=bash
# alone (prove, ./t_98_rss.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
section "memory over 100 000 requests"
# Under AddressSanitizer (make check-asan) freed memory waits in a 256 MiB
# quarantine before it is reused, so resident memory follows the
# quarantine, not gwauth; this one stack runs without it.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
    stack_start rss '{"groups": {"sync": "create"}}' 1 || return
RPID=$(stack_pids rss)
{ echo "dofile(\"$GW_TOP/bench/b64.lua\")"; cat <<'LUA'
local n = 0
request = function()
   n = n + 1
   local k = n % 10
   local v
   if k < 6 then      -- returning users (cache hits and misses)
      v = b64(string.format('{"sub":"rss-%d","groups":["g%d"]}', n % 3000, n % 7))
   elseif k < 8 then  -- new users
      v = b64(string.format('{"sub":"rssnew-%d-%d","email":"e%d@example.org"}', math.random(1, 1e9), n, n))
   elseif k == 8 then -- malformed
      v = b64('{"sub":"x","sub":"y"}')
   else
      v = "not base64!"
   end
   return wrk.format("GET", "/app/index.html", {["X-Userinfo"] = v})
end
LUA
} >"$T/rss.lua"
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# wrk -t1 -c4: keep the one authorizer busy without starving the machine
wrk_count() { wrk -t1 -c4 -d"$1"s -s "$T/rss.lua" "$(url /app/index.html)" 2>&1 | awk '/requests in/ {print $1}'; }
warm=0
while [ "$warm" -lt 12000 ]; do warm=$((warm + $(wrk_count 3))); done
r0=$(rss_kb "$RPID")
total=0
while [ "$total" -lt 100000 ]; do total=$((total + $(wrk_count 5))); done
r1=$(rss_kb "$RPID")
growth=$((r1 - r0))
expect_eq "after $warm warm-up requests, $total more: RSS ${r0} -> ${r1} KiB, grew by less than 1024 KiB" \
    "$([ "$growth" -lt 1024 ] && echo yes || echo "no: $growth KiB")" yes
kill -0 "$RPID" && ok "...and the process is the same one" || fail "...the process died"

section "large identities: the cache is bounded in bytes (identity.cache_bytes)"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
    stack_start rssbig '{"identity": {"cache_bytes": 1048576}, "access": {"rules": [{"prefix": "/app/", "groups_any": ["group-with-a-long-name-000"]}]}}' 1 || return
BPID=$(stack_pids rssbig)
{ echo "dofile(\"$GW_TOP/bench/b64.lua\")"; cat <<'LUA'
local g = {}
for i = 0, 224 do g[#g + 1] = string.format('"group-with-a-long-name-%03d"', i) end
local groups = table.concat(g, ",")
local n = 0
request = function()
   n = n + 1
   return wrk.format("GET", "/app/index.html",
      {["X-Userinfo"] = b64(string.format('{"sub":"big-%d","groups":[%s]}', n, groups))})
end
LUA
} >"$T/rssbig.lua"
b0=$(rss_kb "$BPID")
wrk -t1 -c2 -d6s -s "$T/rssbig.lua" "$(url /app/index.html)" >"$T/rssbig.out" 2>&1
nbig=$(awk '/requests in/ {print $1}' "$T/rssbig.out")
b1=$(rss_kb "$BPID")
# ~10 KiB an entry: 800 of them unbounded would be ~8 MiB
expect_eq "$nbig distinct identities with 225 groups each: RSS ${b0} -> ${b1} KiB, within the 1 MiB bound plus 3 MiB" \
    "$([ "$nbig" -gt 800 ] && [ $((b1 - b0)) -lt 4096 ] && echo yes || echo "no: $nbig requests, $((b1 - b0)) KiB")" yes
