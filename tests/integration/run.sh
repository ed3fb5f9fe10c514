#!/bin/bash
# Integration tests: real MariaDB, real lighttpd, the real gwauth programs
# under spawn-fcgi, curl as the client and SQL to check the rows.
# Every tests/integration/t_*.sh runs in order against one MariaDB.
# Prints TAP (one "ok N - ..." or "not ok N - ..." line per check, the plan
# "1..N" at the end) and "# integration: N passed, N failed".
#
# With names (run.sh t_30_rules.sh, or t_30_rules, ...): those files only,
# in the given order, against one MariaDB of their own; a t_*.sh executed by
# itself (prove, ./t_30_rules.sh) comes here with its own name.
# GW_SERVER=nginx runs them behind nginx instead of lighttpd.
set -u
here=$(dirname "$0")
files=()
for f in "$@"; do
    f=$(basename "$f" .sh).sh
    [ -f "$here/$f" ] || { echo "run.sh: no test file $here/$f" >&2; exit 2; }
    files+=("$here/$f")
done
# without names under prove (prove tests/integration/ runs every .sh of the
# folder, each t_*.sh by itself): not all of them a second time
if [ ${#files[@]} = 0 ] && [ -n "${HARNESS_ACTIVE:-}" ]; then
    echo "1..0 # SKIP run.sh runs every t_*.sh at once: prove runs them one by one"
    exit 0
fi
[ ${#files[@]} -gt 0 ] || files=("$here"/t_*.sh)
. "$here/harness.sh"

if [ "${GW_SERVER:-lighttpd}" = nginx ] && ! command -v nginx >/dev/null 2>&1; then
    skip "the suites behind nginx: nginx is not installed (nginx-core)"
    summary
    exit 0
fi
section "setting up MariaDB in $T"
db_up || { fail "MariaDB setup"; summary; exit 1; }
for t in "${files[@]}"; do
    section "=== $(basename "$t")${GW_SERVER:+ behind $GW_SERVER}"
    . "$t"
    GW_RAN+=("$(basename "$t")")
done
summary
