-- gwauth: hands the identity to an application behind lighttpd's
-- mod_proxy as request headers. mod_proxy forwards the client's headers,
-- not the variables the authorizer exported, so this script copies them:
--   REMOTE_USER       -> X-Gwauth-User
--   GWAUTH_EMAIL      -> X-Gwauth-Email (every GWAUTH_<NAME>: X-Gwauth-<Name>,
--   GWAUTH_ASSERTION  -> X-Gwauth-Assertion   '_' becoming '-')
-- First it removes every client-sent header whose name starts with
-- X-Gwauth-, so that a client can never set one itself: on a path where
-- the authorizer exported nothing (an anonymous path), none reaches the
-- application. (The header guard, which runs before it, has removed the
-- X_Gwauth_... spellings.)
--
-- lighttpd runs it at both passes over the request URL: before the
-- authorizer (nothing exported yet: it only removes) and after the
-- authorizer's 200 (it removes again and copies).
-- Used by examples/lighttpd-proxy.conf (magnet.attract-raw-url-to).
local h = lighty.r.req_header
local drop = {}
for name, _ in pairs(h) do
  if string.lower(string.sub(name, 1, 9)) == "x-gwauth-" then drop[#drop + 1] = name end
end
for _, name in ipairs(drop) do h[name] = nil end

local env = lighty.r.req_env
if env["REMOTE_USER"] then h["X-Gwauth-User"] = env["REMOTE_USER"] end
for k, v in pairs(env) do
  if string.sub(k, 1, 7) == "GWAUTH_" and k ~= "GWAUTH_SECRET" then
    local rest = string.lower(string.sub(k, 8))
    rest = string.gsub(rest, "_", "-")
    rest = string.gsub(rest, "^%l", string.upper)
    rest = string.gsub(rest, "%-%l", string.upper)
    h["X-Gwauth-" .. rest] = v
  end
end
return 0
