# Last: every gwauth process of every stack exits on SIGTERM, and no log
# holds a sanitizer report (meaningful under make check-asan, where a
# leak, an invalid access or undefined behaviour aborts and is reported).
# shellcheck shell=bash
section "clean exit on SIGTERM; no sanitizer reports"
for s in "${STACKS[@]}"; do
    left=$(stack_stop_wait "$s")
    expect_eq "stack $s: every gwauth process exited on SIGTERM" "$left" ""
done
reports=$(grep -lE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)" \
    "$T"/*/*.log "$T"/*.log 2>/dev/null)
expect_eq "no sanitizer report in any log" "$reports" ""
[ -n "$reports" ] && grep -hE -A12 "ERROR: |runtime error:" $reports | head -60 | sed "s/^/#   /"
