-- Open-loop pacing for bench/run.sh, appended to a scenario's script
-- after common.lua with gap_ms set: each thread sends one request every
-- gap_ms milliseconds on a fixed schedule (threads × 1000 / gap_ms
-- requests a second in all), whatever the answers' latency, on whichever
-- of its connections is free. wrk asks delay() before every request; each
-- call takes the schedule's next slot and waits until it is due (wrk's
-- timers count whole milliseconds: a request goes out within half a
-- millisecond of its slot). A slot taken more than 1 ms after it was due
-- found every connection busy: done() prints how many were, since wrk
-- times a request from when it is sent, not from its slot.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } gw_bench_timespec;
int clock_gettime(int clk, gw_bench_timespec *ts);
]]
local ts = ffi.new("gw_bench_timespec")
local function now_ms()
   ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
   return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local paced = {}
local unpaced_setup = setup
function setup(thread)
   if unpaced_setup then unpaced_setup(thread) end
   paced[#paced + 1] = thread
end

-- per thread (each thread has its own Lua state): read by done()
slots, late = 0, 0
local next_slot

function delay()
   local t = now_ms()
   if not next_slot then next_slot = t end
   local slot = next_slot
   next_slot = next_slot + gap_ms
   slots = slots + 1
   if t - slot > 1 then late = late + 1 end
   local d = slot - t
   if d <= 0.5 then return 0 end
   return math.floor(d + 0.5)
end

function done(summary, latency, requests)
   local n, l = 0, 0
   for _, thread in ipairs(paced) do
      n = n + (thread:get("slots") or 0)
      l = l + (thread:get("late") or 0)
   end
   io.write(string.format("Paced: %d slots, %d late\n", n, l))
end
