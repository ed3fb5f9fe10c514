#!/bin/sh
# Test application: prints every variable a gwauth export may have set
# (REMOTE_USER, GWAUTH_*, and the APP_* names the tests configure).
printf 'Content-Type: text/plain\r\n\r\n'
env | grep -E '^(REMOTE_USER|GWAUTH_|APP_)' | sort
