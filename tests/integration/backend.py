#!/usr/bin/python3
"""A proxied application for the tests: answers every request with the
identity it received, as JSON: the X-Gwauth-* request headers (and any
other identity header that reached it), and what verifying the assertion
(examples/gwauth_assertion.py) gave.

    backend.py PORT JWKS_URL ISSUER AUDIENCE
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
import gwauth_assertion  # noqa: E402

port, jwks_url, issuer, audience = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
verifier = gwauth_assertion.Verifier(jwks_url, issuer, audience)
SHOWN = ("x-gwauth", "x_gwauth", "x-userinfo", "remote-user", "x-remote-user")


class Handler(BaseHTTPRequestHandler):
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
