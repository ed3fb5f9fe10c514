-- wrk script shared by every scenario of bench/run.sh, which prepends
-- b64.lua, the users' X-Userinfo values and the session tokens (data.lua),
-- and appends the scenario's name (mode).
local next_id = 0
function setup(thread)
   next_id = next_id + 1
   thread:set("tid", next_id)
end

local counter = 0
-- the lines of file f, as a table
local function lines(f)
   local t, n = {}, 0
   for l in io.lines(f) do
      n = n + 1
      t[n] = l
   end
   return t
end

function init(args)
   math.randomseed(os.time() * 100 + (tid or 0))
   -- scale mode: scale-X is X drawing from the large database's active
   -- users and their sessions (their X-Userinfo already in base64, read
   -- once here, so that a request costs wrk what X's does); groups500 is
   -- returning-nocache's request for the users of 500 groups
   if mode:sub(1, 6) == "scale-" then
      users = lines(scale_users_file)
      tokens = lines(scale_tokens_file)
      mode = mode:sub(7)
      -- scale-session-notouch sends scale-session's requests
      if mode == "session-notouch" then mode = "session" end
   elseif mode == "groups500" then
      users = users500
   end
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
