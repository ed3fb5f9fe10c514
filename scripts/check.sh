#!/bin/bash
# make check: unit tests (CUnit), then integration tests against a private
# MariaDB and real lighttpd (Apache and nginx where a file says so), then
# the core suites again behind nginx. Ends with "N passed, N failed"; exits
# non-zero on any failure.
#
# With names (make check T="t_30_rules t_60_redirect", or scripts/check.sh
# t_30_rules.sh ...): those integration files only, in name order against
# one MariaDB, then those of them that are among the core suites again
# behind nginx; no unit tests, no fuzz replays.
set -u
unset T # make puts its command-line T= in the environment
top=$(cd "$(dirname "$0")/.." && pwd)
res=$(mktemp -d "${TMPDIR:-/tmp}/gwauth-check.XXXXXX")
trap 'rm -rf "$res"' EXIT
cd "$top"
export GW_TOP="$top"
# the core suites, run again behind nginx
nginx_files=(t_10_core.sh t_20_sessions.sh t_30_rules.sh t_60_redirect.sh t_95_hostile.sh)

files=()
for f in "$@"; do
    f=$(basename "$f" .sh).sh
    [ -f "$top/tests/integration/$f" ] || {
        echo "check: no integration test $f; they are: $(cd "$top/tests/integration" && echo t_*.sh)" >&2
        exit 2
    }
    files+=("$f")
done
parts=()
if [ ${#files[@]} -gt 0 ]; then
    mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)
    nfiles=()
    for f in "${files[@]}"; do
        case " ${nginx_files[*]} " in *" $f "*) nfiles+=("$f") ;; esac
    done
    echo "== unit tests and fuzz replays: not run (T= names integration files)"
    echo
else
    files=()
    nfiles=("${nginx_files[@]}")
    echo "== unit tests: the pure core (CUnit)"
    GW_RESULT_FILE="$res/unit" "$top/${GW_BUILD:-build}/unit_tests"
    parts+=("unit:$?")
    echo
    echo "== fuzz corpora replayed (tests/fuzz/corpus/<target>)"
    fp=0 ff=0
    for t in userinfo headers redirect path config jwt perms; do
        if out=$("$top/${GW_BUILD:-build}/fuzz/replay_$t" "$top/tests/fuzz/corpus/$t" 2>&1); then
            fp=$((fp + 1)); echo "ok - fuzz $t: $out"
        else
            ff=$((ff + 1)); echo "not ok - fuzz $t: $(printf '%s' "$out" | tail -5)"
        fi
    done
    echo "$fp $ff" >"$res/fuzz"
    parts+=("fuzz:0")
    echo
fi
echo "== integration tests: lighttpd + gwauth + MariaDB${files[*]:+ (${files[*]})}"
GW_RESULT_FILE="$res/integration" "$top/tests/integration/run.sh" "${files[@]}"
parts+=("integration:$?")
echo
# GW_CHECK_NGINX=0 (make coverage): not this repeat
if [ "${GW_CHECK_NGINX:-1}" = 1 ] && [ ${#nfiles[@]} -gt 0 ]; then
    echo "== the same suites behind nginx: ${nfiles[*]}"
    GW_SERVER=nginx GW_RESULT_FILE="$res/nginx" "$top/tests/integration/run.sh" "${nfiles[@]}"
    parts+=("nginx:$?")
    echo
fi

passed=0 failed=0
for part in "${parts[@]}"; do
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
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
