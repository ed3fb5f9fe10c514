-- gwauth: removes every request header whose name holds a character other
-- than a letter, a digit or '-', before anything runs.
--
-- lighttpd turns each such character into '_' when it names the CGI and
-- FastCGI variables: a client's X_Userinfo, X.Userinfo or X~Userinfo would
-- reach gwauth as a second HTTP_X_USERINFO, or as the only one when the
-- gateway sent none (or an empty one, which lighttpd drops). Apache drops
-- such names itself; this does the same for every identity header at once
-- (X-Userinfo, X-Raw-ID-Token, Remote-User, ...).
-- Used by lighttpd.conf.example (magnet.attract-raw-url-to).
local drop = {}
for name, _ in pairs(lighty.r.req_header) do
  if string.find(name, "[^A-Za-z0-9-]") then drop[#drop + 1] = name end
end
for _, name in ipairs(drop) do lighty.r.req_header[name] = nil end
return 0
