#!/bin/sh
# gwauth-jwks-fetch: copies the identity provider's JWKS (its jwks_uri) to
# the file identity.jwt.jwks_file names, atomically, and only when it
# changed, so the authorizers re-read it only on a real key rotation.
#
# Usage: gwauth-jwks-fetch [-q] (URL | -f URLFILE) OUT
#   URL         https:// (or file://) address of the JWKS
#   -f URLFILE  read the address from the first line of URLFILE
#   OUT         the JWKS file, e.g. /etc/gwauth/jwks.json
#   -q          print only errors
# Exit 0: OUT is current (updated or unchanged); 1: nothing was changed
# because the download failed or is not a JWKS that the authorizer accepts
# (checked with the authorizer's own parser, `authorizer --check-jwks`;
# the authorizers keep the keys they have).
# Environment: GWAUTH_AUTHORIZER, the authorizer program that checks the
# document (default: the installed one).
set -eu
quiet=0 url="" out=""
while [ $# -gt 0 ]; do
    case "$1" in
        -q) quiet=1; shift ;;
        -f) [ $# -ge 2 ] || { echo "gwauth-jwks-fetch: -f needs a file" >&2; exit 2; }
            url=$(head -n 1 "$2" | tr -d '\r') || exit 2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "gwauth-jwks-fetch: unknown option $1" >&2; exit 2 ;;
        *) if [ -z "$url" ]; then url=$1; elif [ -z "$out" ]; then out=$1; else
               echo "gwauth-jwks-fetch: too many arguments" >&2; exit 2; fi; shift ;;
    esac
done
[ -n "$out" ] || { echo "usage: gwauth-jwks-fetch [-q] (URL | -f URLFILE) OUT" >&2; exit 2; }
case "$url" in
    https://*|file://*) ;;
    *) echo "gwauth-jwks-fetch: '$url' is not an https:// address (keys must not travel in clear)" >&2; exit 2 ;;
esac
umask 022
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
if ! curl -fsS --proto '=https,file' --max-time 20 --max-filesize 1048576 -o "$tmp" "$url"; then
    echo "gwauth-jwks-fetch: cannot fetch $url; $out left as it is" >&2
    exit 1
fi
checker=${GWAUTH_AUTHORIZER:-@LIBDIR@/authorizer}
case $checker in @*) checker="$(dirname "$0")/../build/authorizer" ;; esac # not installed: the build tree's
if [ ! -x "$checker" ]; then
    echo "gwauth-jwks-fetch: cannot check the document: no authorizer at $checker (set GWAUTH_AUTHORIZER); $out left as it is" >&2
    exit 1
fi
if ! why=$("$checker" --check-jwks "$tmp" 2>&1); then
    echo "gwauth-jwks-fetch: $url did not answer a JWKS the authorizer accepts; $out left as it is:" >&2
    printf '%s\n' "$why" | sed "s|$tmp|(download)|g" >&2
    exit 1
fi
if [ -f "$out" ] && cmp -s "$tmp" "$out"; then
    [ "$quiet" = 1 ] || echo "gwauth-jwks-fetch: $out unchanged"
    exit 0
fi
chmod 644 "$tmp"
mv -f "$tmp" "$out"
[ "$quiet" = 1 ] || echo "gwauth-jwks-fetch: $out updated ($(wc -c <"$out") bytes)"
