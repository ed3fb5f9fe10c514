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
import struct
import sys
from urllib.parse import urlsplit

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


def recv():
    b0, b1 = f.read(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", f.read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", f.read(8))[0]
    return f.read(n).decode()


print(recv())
mask = os.urandom(4)
data = b"ping"
s.sendall(bytes([0x81, 0x80 | len(data)]) + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(data)))
print(recv())
s.sendall(bytes([0x88, 0x80]) + os.urandom(4))
