-- b64(s): standard base64 with padding, for wrk scripts (bench/run.sh and
-- the memory test of make check).
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

function b64(s)
   local out = {}
   for i = 1, #s, 3 do
      local a, b, c = s:byte(i, i + 2)
      local n = a * 65536 + (b or 0) * 256 + (c or 0)
      local d1 = math.floor(n / 262144) % 64
      local d2 = math.floor(n / 4096) % 64
      local d3 = math.floor(n / 64) % 64
      local d4 = n % 64
      out[#out + 1] = chars:sub(d1 + 1, d1 + 1) .. chars:sub(d2 + 1, d2 + 1) ..
         (b and chars:sub(d3 + 1, d3 + 1) or "=") .. (c and chars:sub(d4 + 1, d4 + 1) or "=")
   end
   return table.concat(out)
end
