-- wrk script shared by every scenario of bench/run.sh, which prepends
-- b64.lua, the users' X-Userinfo values and the session tokens (data.lua),
-- and appends the scenario's name (mode).
local next_id = 0
function setup(thread)
   next_id = next_id + 1
   thread:set("tid", next_id)
end

local counter = 0
function init(args)
   math.randomseed(os.time() * 100 + (tid or 0))
end

function request()
   counter = counter + 1
   local h = {}
   if mode == "new" or mode == "floor-create" or mode == "django-new" then
      h["X-Userinfo"] = b64(string.format('{"sub":"new-%d-%d-%d","email":"n%d@example.org"}',
         tid or 0, math.random(1, 1000000000), counter, counter))
   elseif mode == "changed" then
      local i = math.random(1001, 2000)
      h["X-Userinfo"] = b64(string.format(
         '{"sub":"bench-%d","email":"c%d-%d@example.org","preferred_username":"b%d"}',
         i, counter, math.random(1, 1000000000), i))
   elseif mode == "returning-jwt" or mode == "returning-jwt-nocache" then
      local i = math.random(1, #users)
      h["X-Userinfo"] = users[i]
      h["X-Raw-ID-Token"] = jwts[i]
   elseif mode == "apache-returning-jwt-nocache" or mode == "apache-oidc" then
      -- the same token as a bearer token: gwauth reads it from
      -- Authorization (identity.jwt.header), mod_auth_openidc too
      local i = math.random(1, #users)
      h["X-Userinfo"] = users[i]
      h["Authorization"] = "Bearer " .. jwts[i]
   elseif mode == "session" then
      h["Cookie"] = "gwauth_session=" .. tokens[math.random(1, #tokens)]
   else
      -- static, floor, floor-db, returning, returning-nocache and their
      -- nginx and Apache rows: the same headers, so that only the work
      -- behind them differs
      h["X-Userinfo"] = users[math.random(1, #users)]
   end
   return wrk.format("GET", nil, h)
end
