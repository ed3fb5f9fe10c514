#!/usr/bin/python3
"""A proxied application for the tests: answers every request with the
identity it received, as JSON: the X-Gwauth-* request headers (and any
other identity header that reached it), and what verifying the assertion
(examples/gwauth_assertion.py) gave. A WebSocket upgrade (RFC 6455) gets
101, that report as its first text message, then an echo of each message.

    backend.py PORT JWKS_URL ISSUER AUDIENCE
"""
import base64
import hashlib
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
import gwauth_assertion  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsframe  # noqa: E402

port, jwks_url, issuer, audience = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
verifier = gwauth_assertion.Verifier(jwks_url, issuer, audience)
SHOWN = ("x-gwauth", "x_gwauth", "x-userinfo", "remote-user", "x-remote-user")


WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def report(self):
        headers = {k: v for k, v in self.headers.items() if k.lower().startswith(SHOWN)}
        token = self.headers.get("X-Gwauth-Assertion")
        result = {"present": token is not None}
        if token is not None:
            try:
                result["claims"] = verifier.verify(token)
                result["valid"] = True
            except Exception as e:  # the reason, for the test's log
                result["valid"] = False
                result["error"] = "%s: %s" % (type(e).__name__, e)
        body = json.dumps({"path": self.path, "headers": headers, "assertion": result},
                          sort_keys=True).encode()
        key = self.headers.get("Sec-WebSocket-Key")
        if self.headers.get("Upgrade", "").lower() == "websocket" and key:
            accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept)
            self.end_headers()
            wsframe.send(self.wfile, body.decode())
            while True:
                op, data = wsframe.recv(self.rfile)
                if op == 8:  # close
                    self.wfile.write(bytes([0x88, 0]))
                    break
                wsframe.send(self.wfile, "echo " + data.decode())
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = report

    def log_message(self, fmt, *args):
        sys.stderr.write("backend: " + fmt % args + "\n")


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()
