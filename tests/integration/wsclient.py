#!/usr/bin/python3
"""A WebSocket client for the tests (RFC 6455, stdlib only):

    wsclient.py URL [HEADER: VALUE ...]

Sends the upgrade request with the extra headers. On 101 prints
"STATUS 101", the server's first message (the backend's report), then
sends "ping" and prints the answer ("echo ping"). Otherwise prints the
status and the body it got.
"""
import base64
import os
import socket
import sys
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsframe  # noqa: E402

url = urlsplit(sys.argv[1])
key = base64.b64encode(os.urandom(16)).decode()
lines = ["GET %s HTTP/1.1" % (url.path + ("?" + url.query if url.query else "")),
         "Host: %s" % url.netloc, "Upgrade: websocket", "Connection: Upgrade",
         "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"] + sys.argv[2:]
s = socket.create_connection((url.hostname, url.port or 80), timeout=10)
s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
f = s.makefile("rb")
status = f.readline().split()
code = status[1].decode() if len(status) > 1 else "000"
headers = {}
while True:
    line = f.readline().strip()
    if not line:
        break
    k, _, v = line.decode().partition(":")
    headers[k.strip().lower()] = v.strip()
print("STATUS", code)
if code != "101":
    n = int(headers.get("content-length", "0") or 0)
    print(f.read(n).decode(errors="replace") if n else "")
    sys.exit(0)


print(wsframe.recv(f)[1].decode())
out = s.makefile("wb")
wsframe.send(out, "ping", masked=True)
print(wsframe.recv(f)[1].decode())
s.sendall(bytes([0x88, 0x80]) + os.urandom(4))
