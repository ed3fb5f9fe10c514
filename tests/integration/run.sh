#!/bin/bash
# Integration tests: real MariaDB, real lighttpd, the real gwauth programs
# under spawn-fcgi, curl as the client and SQL to check the rows.
# Every tests/integration/t_*.sh runs in order against one MariaDB.
# Prints one line per check and "# integration: N passed, N failed".
set -u
. "$(dirname "$0")/harness.sh"

# With file names (run.sh t_10_core.sh ...): those files only, in the given
# order; GW_SERVER=nginx runs them behind nginx instead of lighttpd.
files=()
if [ $# -gt 0 ]; then
    for f in "$@"; do files+=("$(dirname "$0")/$f"); done
else
    files=("$(dirname "$0")"/t_*.sh)
fi
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
done
summary
