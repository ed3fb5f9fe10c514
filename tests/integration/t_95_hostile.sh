#!/bin/bash
# Hostile identities through lighttpd: over a hundred crafted X-Userinfo
# values and spoofing attempts. Each gets its documented 4xx with the JSON
# code, no Variable- line, no identity in the answer, not one row written;
# the processes survive them all.
# shellcheck shell=bash
# alone (prove, ./t_95_hostile.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
shared_stack strict || return # (identities only from elsewhere than loopback)
STACK_FIELD_SIZE=65535 stack_start hostile '{"identity": {"max_bytes": 60000}}' 1 || return
HOSTILE=$PORT
section "hostile X-Userinfo values"
HN=0
# hostile NAME STATUS CODE VALUE: the raw header value
hostile() {
    HN=$((HN + 1))
    expect_deny "hostile $HN: $1" "$2" "$3" -H "X-Userinfo: $4" "$(url /app/whoami)"
}
# hj NAME JSON-TEXT (printf escapes allowed): base64 of the bytes
hj() { hostile "$1" 400 malformed_userinfo "$(printf "$2" | base64 -w0)"; }

# base64 that is not
for v in '!' '%%%%' 'e30' 'e30=x' 'e3 0=' 'e30==' '=e30' 'e=30' 'eyJzdWIiOiJ4In0===' 'eyJzdWIiOiJ4In0x' \
    'eyJzdWIi*iJ4In0=' 'eyJzdWIiOiJ4In0-/' 'YR==' 'YWJ=' 'eyJzdWIiOiJ4In0=.' '....' 'eyJz dWIiOiJ4In0='; do
    hostile "bad base64 '$v'" 400 malformed_userinfo "$v"
done
# not a JSON object
hostile "an empty header counts as no identity" 401 unauthenticated ""
for j in ' ' 'null' 'true' '0' '"sub"' '[]' '[{"sub":"x"}]' '{' '}' '{"sub":"x"' '{"sub":"x"}}' \
    '{"sub":"x"} {}' '{"sub":"x",}' '{sub:"x"}' "{'sub':'x'}" '{"sub":"x" /* c */}' '{"sub":NaN}' \
    '{"sub":"x","n":Infinity}' '{"sub":"x","n":-}' '{"sub":"x","n":0x10}' '{"sub":"x"]' '{"sub" "x"}' \
    '{"sub":"x\\q"}' '{"sub":"x\\u12"}' '{"sub":"x\\u12zz"}' '{"sub":"x\\uzzzzadmin"}' \
    '{"sub":"x\\u 123"}' '{"sub":"x\\u-123"}' '{"sub":"unterminated}'; do
    hj "not a JSON object: $j" "$j"
done
# repeated keys, also spelled differently
for j in '{"sub":"a","sub":"b"}' '{"sub":"a","sub":"a"}' '{"sub":"a","\\u0073ub":"b"}' '{"sub":"a","su\\u0062":"b"}' \
    '{"sub":"a","x":{"k":1,"k":2}}' '{"sub":"a","x":[{"k":1,"k":1}]}' '{"email":"e","sub":"a","email":"f"}'; do
    hj "repeated key: $j" "$j"
done
# the id claim missing, empty, of another type, too long
for j in '{}' '{"sub":""}' '{"sub":null}' '{"sub":0}' '{"sub":1.5}' '{"sub":true}' '{"sub":false}' '{"sub":[]}' \
    '{"sub":["a"]}' '{"sub":{}}' '{"sub":{"id":"a"}}' '{"Sub":"a"}' '{"SUB":"a"}' '{" sub":"a"}' '{"sub ":"a"}'; do
    hj "id claim: $j" "$j"
done
hj "id claim of 256 bytes" "{\"sub\":\"$(printf 'x%.0s' $(seq 1 256))\"}"
hj "id claim of 16 000 bytes" "{\"sub\":\"$(printf 'x%.0s' $(seq 1 16000))\"}" 2>/dev/null
# control characters, escaped and raw, in used claims
for e in '\\u0000' '\\u0001' '\\u0008' '\\t' '\\n' '\\r' '\\r\\n' '\\u000b' '\\u000c' '\\u001b' '\\u001f' '\\u007f'; do
    hj "escaped control $e in the id" "{\"sub\":\"a${e}b\"}"
    hj "escaped control $e in email" "{\"sub\":\"ok\",\"email\":\"a${e}b\"}"
done
for b in '\x01' '\x09' '\x0a' '\x0d' '\x1f' '\x7f'; do
    hj "raw control byte $b in a string" "{\"sub\":\"a${b}b\"}"
done
hj "raw NUL byte in the JSON" '{"sub":"a\x00b"}'
hj "CR LF header injection in a claim" '{"sub":"ok","name":"x\\r\\nVariable-REMOTE_USER: admin"}'
# surrogates and bad UTF-8
for j in '{"sub":"\\ud800"}' '{"sub":"\\udfff"}' '{"sub":"\\ud800\\u0041"}' '{"sub":"\\udc00\\ud800"}' '{"sub":"a\\ud83d"}'; do
    hj "lone surrogate: $j" "$j"
done
for b in '\xff' '\xfe' '\xc0\xaf' '\xc1\xbf' '\xe0\x80\xaf' '\xf0\x80\x80\xaf' '\xed\xa0\x80' '\xed\xbf\xbf' \
    '\xf4\x90\x80\x80' '\xf8\x88\x80\x80\x80' '\xc3' '\xe2\x82' '\x80' '\xc3\x28'; do
    hj "invalid UTF-8 $b" "{\"sub\":\"a${b}b\"}"
done
hj "byte order mark" '\xef\xbb\xbf{"sub":"bom"}'
hj "UTF-16LE JSON" '{\x00"\x00s\x00u\x00b\x00"\x00:\x00"\x00a\x00"\x00}\x00'
hj "UTF-16 BOM" '\xff\xfe{\x00}\x00'
# nesting
for d in 65 100 1000 10000; do
    hj "nesting of $d arrays" "{\"sub\":\"n\",\"x\":$(printf '[%.0s' $(seq 1 $d))$(printf ']%.0s' $(seq 1 $d))}" 2>/dev/null
done
hj "nesting of 200 objects" "{\"sub\":\"n\",\"x\":$(printf '{"a":%.0s' $(seq 1 200))1$(printf '}%.0s' $(seq 1 200))}"
# wrong types in mapped claims and groups
for j in '{"sub":"ok","email":[]}' '{"sub":"ok","email":{}}' '{"sub":"ok","name":["x"]}' '{"sub":"ok","country_code":{"a":1}}'; do
    hj "mapped claim of a wrong type: $j" "$j"
done
# spoofing
ALICE_OK=$(b64 '{"sub":"alice-1","email":"alice@new.example","x":"k1"}')
# (lighttpd.conf.example removes the variants before gwauth runs)
HN=$((HN + 1)); whoami "$ALICE_OK" -H "X_Userinfo: $(b64 '{"sub":"admin"}')"
expect_has "hostile $HN: X_Userinfo beside X-Userinfo: the gateway's identity" "$BODY" "REMOTE_USER=alice-1"
HN=$((HN + 1)); whoami "$ALICE_OK" -H "X.Userinfo: $(b64 '{"sub":"admin"}')"
expect_has "hostile $HN: X.Userinfo beside X-Userinfo: the gateway's identity" "$BODY" "REMOTE_USER=alice-1"
HN=$((HN + 1)); expect_deny "hostile $HN: X_Userinfo and X.Userinfo alone: no identity at all" 401 unauthenticated \
    -H "X_Userinfo: $ALICE_OK" -H "X.Userinfo: $ALICE_OK" "$(url /app/whoami)"
expect_eq "...admin was never created" "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id='admin'")" 0
# lighttpd and Apache join the two into one (not base64); nginx passes both
[ "${GW_SERVER:-lighttpd}" = nginx ] && twice=duplicate_identity_header || twice=malformed_userinfo
HN=$((HN + 1)); expect_deny "hostile $HN: the header given twice" 400 "$twice" \
    -H "X-Userinfo: $ALICE_OK" -H "X-Userinfo: $(b64 '{"sub":"admin"}')" "$(url /app/whoami)"
PORT=$STRICT
HN=$((HN + 1)); expect_deny "hostile $HN: a valid identity from an untrusted address" 403 untrusted_source \
    -H "X-Userinfo: $ALICE_OK" "$(url /app/whoami)"
PORT=$HOSTILE
HN=$((HN + 1)); expect_deny "hostile $HN: over max_bytes" 431 userinfo_too_large \
    -H "X-Userinfo: $(head -c 61000 /dev/zero | tr '\0' 'A')" "$(url /app/whoami)"
expect_eq "over a hundred hostile identities tried" "$([ "$HN" -ge 100 ] && echo yes || echo "only $HN")" yes
for s in hostile strict; do
    for pid in $(stack_pids $s); do
        kill -0 "$pid" 2>/dev/null && ok "stack $s: authorizer $pid alive after the hostile suite" || fail "stack $s: authorizer $pid died"
    done
done
expect_eq "no user was created by any hostile identity" \
    "$(sqlv "SELECT COUNT(*) FROM users WHERE global_id IN ('admin','a','b','n','bom','ok','x','unterminated')")" 0
