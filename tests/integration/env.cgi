#!/bin/sh
# Test application: prints its whole environment (the trust-boundary
# tests check that no secret of gwauth's ever reaches an application).
printf 'Content-Type: text/plain\r\n\r\n'
env | sort
