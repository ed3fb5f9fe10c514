#!/bin/bash
# The open-redirect corpus replayed through lighttpd and the responder:
# every payload, given as ?next=, must send the browser to the default
# destination. (The same corpus runs at unit level in tests/unit/test_http.c.)
# shellcheck shell=bash
# alone (prove, ./t_60_redirect.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
shared_stack sess || return # (t_20_sessions.sh's stack: logout.default_destination /app/)
section "open-redirect corpus through the responder"
# lighttpd itself refuses some of them (encoded control characters or
# invalid UTF-8 in the query): a 400 with no Location is safe too.
n=0 bad=0 refused=0
while IFS= read -r enc; do
    n=$((n + 1))
    h=$(curl -s -o /dev/null -D - --max-time 10 "$(url "/applogout?next=$enc")" | tr -d '\r')
    loc=$(printf '%s\n' "$h" | sed -n 's/^Location: //p')
    st=$(printf '%s\n' "$h" | sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p')
    if [ "$st" = 302 ] && [ "$loc" = "/app/" ]; then
        :
    elif [ "$st" = 400 ] && [ -z "$loc" ]; then
        refused=$((refused + 1))
    else
        bad=$((bad + 1))
        fail "payload $enc" "status $st Location: $loc"
    fi
done < <(perl -ne 'next if /^#/ || /^\s*$/; chomp; s/\\x([0-9a-fA-F]{2})/chr(hex($1))/ge;
                   s/([^A-Za-z0-9._~-])/sprintf("%%%02X", ord($1))/ge; print "$_\n"' \
         "$GW_TOP/tests/redirect/payloads.txt")
expect_eq "corpus size" "$([ "$n" -ge 150 ] && echo ">=150" || echo "$n")" ">=150"
expect_eq "every one of $n payloads lands on the default destination ($refused refused by lighttpd first)" "$bad" 0
n=0 bad=0
while IFS=$'\t' read -r enc raw; do
    n=$((n + 1))
    loc=$(curl -s -o /dev/null -D - --max-time 10 "$(url "/applogout?next=$enc")" | tr -d '\r' | sed -n 's/^Location: //p')
    [ "$loc" = "$raw" ] || { bad=$((bad + 1)); fail "valid $raw" "Location: $loc"; }
done < <(perl -ne 'next if /^#/ || /^\s*$/; chomp; my $r = $_; (my $e = $_) =~ s/([^A-Za-z0-9._~-])/sprintf("%%%02X", ord($1))/ge;
                   print "$e\t$r\n"' "$GW_TOP/tests/redirect/valid.txt")
expect_eq "every one of $n valid destinations is kept" "$bad" 0
