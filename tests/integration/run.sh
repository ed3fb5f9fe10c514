#!/bin/bash
# Integration tests: real MariaDB, real lighttpd, the real gwauth programs
# under spawn-fcgi, curl as the client and SQL to check the rows.
# Every tests/integration/t_*.sh runs in order against one MariaDB.
# Prints one line per check and "# integration: N passed, N failed".
set -u
. "$(dirname "$0")/harness.sh"

section "setting up MariaDB in $T"
db_up || { fail "MariaDB setup"; summary; exit 1; }
for t in "$(dirname "$0")"/t_*.sh; do
    section "=== $(basename "$t")"
    . "$t"
done
summary
