#!/bin/sh
# Prints the X-Userinfo value an APISIX gateway would send for a JSON object:
#   scripts/userinfo.sh '{"sub":"alice","email":"alice@example.org"}'
#   curl -H "X-Userinfo: $(scripts/userinfo.sh '{"sub":"alice"}')" http://127.0.0.1:8080/app/whoami
if [ $# -ne 1 ]; then
    echo "usage: $0 JSON-OBJECT" >&2
    exit 2
fi
printf '%s' "$1" | base64 -w0
echo
