#!/bin/bash
# Last: every gwauth process of every stack exits on SIGTERM, and no log
# holds a sanitizer report (meaningful under make check-asan, where a
# leak, an invalid access or undefined behaviour aborts and is reported).
# shellcheck shell=bash
# alone (prove, ./t_99_exit.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
section "clean exit on SIGTERM; no sanitizer reports"
# alone, no stack ran before: one of its own, which serves and denies first
if [ "${#STACKS[@]}" = 0 ]; then
    shared_stack main || return
    whoami "$ALICE"
    expect_eq "a stack of its own: an allow" "$STATUS" 200
    expect_deny "...and a deny" 400 malformed_userinfo -H "X-Userinfo: not*base64!" "$(url /app/whoami)"
fi
for s in "${STACKS[@]}"; do
    left=$(stack_stop_wait "$s")
    expect_eq "stack $s: every gwauth process exited on SIGTERM" "$left" ""
done
reports=$(grep -lE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)" \
    "$T"/*/*.log "$T"/*.log 2>/dev/null)
expect_eq "no sanitizer report in any log" "$reports" ""
[ -n "$reports" ] && grep -hE -A12 "ERROR: |runtime error:" $reports | head -60 | sed "s/^/#   /"
