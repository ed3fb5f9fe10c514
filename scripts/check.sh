#!/bin/bash
# make check: unit tests (CUnit), then integration tests against a private
# MariaDB and real lighttpd (Apache and nginx where a file says so), then
# the core suites again behind nginx. Ends with "N passed, N failed"; exits
# non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
res=$(mktemp -d "${TMPDIR:-/tmp}/gwauth-check.XXXXXX")
trap 'rm -rf "$res"' EXIT
cd "$top"
export GW_TOP="$top"

echo "== unit tests: the pure core (CUnit)"
GW_RESULT_FILE="$res/unit" "$top/${GW_BUILD:-build}/unit_tests"
urc=$?
echo
echo "== fuzz corpora replayed (tests/fuzz/corpus/<target>)"
fp=0 ff=0
for t in userinfo headers redirect path config jwt perms; do
    if out=$("$top/${GW_BUILD:-build}/fuzz/replay_$t" "$top/tests/fuzz/corpus/$t" 2>&1); then
        fp=$((fp + 1)); echo "ok   - fuzz $t: $out"
    else
        ff=$((ff + 1)); echo "FAIL - fuzz $t: $(printf '%s' "$out" | tail -5)"
    fi
done
echo "$fp $ff" >"$res/fuzz"
echo
echo "== integration tests: lighttpd + gwauth + MariaDB"
GW_RESULT_FILE="$res/integration" "$top/tests/integration/run.sh"
irc=$?
echo
# GW_CHECK_NGINX=0 (make coverage): not this repeat
if [ "${GW_CHECK_NGINX:-1}" = 1 ]; then
    echo "== the same suites behind nginx: core, sessions, rules, redirects, hostile identities"
    GW_SERVER=nginx GW_RESULT_FILE="$res/nginx" "$top/tests/integration/run.sh" \
        t_10_core.sh t_20_sessions.sh t_30_rules.sh t_60_redirect.sh t_95_hostile.sh
    nrc=$?
else
    echo "0 0" >"$res/nginx"
    nrc=0
fi

passed=0 failed=0
for part in unit:$urc fuzz:0 integration:$irc nginx:$nrc; do
    name=${part%%:*} rc=${part##*:}
    # "PASSED FAILED" (integration files: "PASSED FAILED SKIPPED")
    if read -r p f _ <"$res/$name" 2>/dev/null; then
        passed=$((passed + p)) failed=$((failed + f))
        # a runner that failed without counting a failure still fails
        [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && failed=$((failed + 1))
    else
        echo "$name tests did not report (exit status $rc)"
        failed=$((failed + 1))
    fi
done
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
