#!/bin/bash
# identity.jwt against an independent JOSE implementation: keys made and
# tokens signed by Python's cryptography package, each verdict of gwauth's
# verifier (jwtmint verify: the authorizer's gw_jwt_verify) compared with
# PyJWT's for the same keys, clock and leeway. Where gwauth is stricter on
# purpose, tests/jose/differential.py says why; any other difference fails.
# shellcheck shell=bash
# alone (prove, ./t_56_jose.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
section "jwt: differential test against PyJWT"
D="$T/jose"
mkdir -p "$D"
if ! /usr/bin/python3 -c 'import jwt, cryptography' 2>/dev/null; then
    fail "PyJWT and cryptography for /usr/bin/python3 (python3-jwt, python3-cryptography)"
else
    /usr/bin/python3 "$GW_TOP/tests/jose/differential.py" "$MINT" "$D" >"$D/out" 2>"$D/err"
    rc=$?
    while read -r kind rest; do
        case $kind in
            agree|stricter) ok "$kind: $rest" ;;
            DISAGREE) fail "$rest" ;;
        esac
    done <"$D/out"
    tail -1 "$D/out"
    expect_eq "the differential test ran to its end, with no unexplained difference" \
        "$rc:$(tail -1 "$D/out" | sed -n 's/.* \([0-9]*\) unexplained$/\1/p')" "0:0"
    [ -s "$D/err" ] && fail "differential.py wrote to stderr" "$(head -5 "$D/err")"
fi
