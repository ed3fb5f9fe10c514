#!/usr/bin/python3
"""Differential test of gwauth's token verification against PyJWT.

Keys are made and tokens signed here, with the cryptography package, not
with gwauth's code. Each token goes to gwauth's verifier (jwtmint verify:
the same gw_jwt_verify the authorizer calls) and to PyJWT with the same
keys, issuer, audience, clock and leeway. The verdicts must agree, except
for the cases listed in STRICTER, where gwauth refuses what PyJWT accepts
and the reason is written down. A listed case that agrees fails too: the
explanation would be stale.

Usage: differential.py JWTMINT WORKDIR
Prints one line per case ("agree", "stricter" or "DISAGREE") and a
summary; exits 1 on any unexplained difference.
"""

import base64
import json
import subprocess
import sys
from calendar import timegm

import jwt
import jwt.api_jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

ISS = "https://sso.example.org/realms/main"
AUD = "app"
NOW = 1800000000
LEEWAY = 60
ACCEPTED = ["RS256", "PS256", "ES256", "EdDSA"]

# gwauth refuses, PyJWT accepts: why gwauth is right to.
STRICTER = {
    "typ logout+jwt": "an ID token is untyped or JWT; a logout token is never one (OpenID Back-Channel Logout 2.6)",
    "typ at+jwt": "an access token is never an ID token (RFC 9068 4)",
    "events claim, untyped": "a token with events is a security event token, not an ID token (RFC 8417 2.3)",
    "several audiences, no azp": "OpenID Connect Core 3.1.3.7: several audiences need azp",
    "azp of another client": "OpenID Connect Core 3.1.3.7: azp, when present, is the client",
    "jku header": "a token must not name where its key comes from; PyJWT ignores the member",
    "x5u header": "same as jku",
    "jwk header": "an embedded key is never trusted; PyJWT ignores it and uses the JWKS key",
    "x5c header": "same as jwk",
    "crit naming exp": "crit lists extensions the verifier must understand (RFC 7515 4.1.11); gwauth implements none",
    "zip header": "zip belongs to JWE; a JWS that says it is compressed is refused, not read as if it were not",
    "duplicate member in payload": "RFC 8259 4 leaves repeated names to the parser; gwauth refuses them (Python keeps the last)",
    "duplicate alg in header": "same, in the header: two algorithms are no algorithm",
    "exp as a string": "RFC 7519 2: a NumericDate is a JSON number (PyJWT calls int() on it)",
    "nbf as a string": "same as exp",
    "exp 1e300": "no clock holds it; gwauth refuses dates beyond 1e12 rather than convert them",
    "padded signature": "RFC 7515 2: base64url without padding",
    "non-canonical base64 in the signature": "one encoding per value: unused bits must be zero",
    "lone surrogate in a claim": "not UTF-8 text (RFC 8259 8.2); Python's json keeps it",
    "byte order mark before the payload": "RFC 8259 8.1: a JSON text sent between systems has no BOM; gwauth refuses one (Python's json skips it)",
    "payload nested 100 deep": "gwauth bounds the depth of untrusted JSON at 64 (SECURITY.md)",
    "key with use enc": "RFC 7517 4.2: an encryption key does not verify (PyJWT ignores use)",
    "key whose key_ops leave out verify": "RFC 7517 4.3 (PyJWT ignores key_ops)",
}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64int(n):
    return b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Key:
    def __init__(self, kind, kid, extra=None):
        self.kind, self.kid = kind, kid
        if kind == "rsa":
            self.priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pub = self.priv.public_key().public_numbers()
            self.jwk = {"kty": "RSA", "n": b64int(pub.n), "e": b64int(pub.e)}
        elif kind == "ec":
            self.priv = ec.generate_private_key(ec.SECP256R1())
            pub = self.priv.public_key().public_numbers()
            self.jwk = {"kty": "EC", "crv": "P-256", "x": b64(pub.x.to_bytes(32, "big")),
                        "y": b64(pub.y.to_bytes(32, "big"))}
        else:
            self.priv = ed25519.Ed25519PrivateKey.generate()
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
            raw = self.priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            self.jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64(raw)}
        if kid:
            self.jwk["kid"] = kid
        self.jwk.update(extra or {})

    def sign(self, alg, data):
        if alg == "RS256":
            return self.priv.sign(data, padding.PKCS1v15(), hashes.SHA256())
        if alg == "PS256":
            return self.priv.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        if alg == "PS256-maxsalt":
            return self.priv.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH),
                                  hashes.SHA256())
        if alg == "ES256":
            r, s = decode_dss_signature(self.priv.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        if alg == "ES256-der":
            return self.priv.sign(data, ec.ECDSA(hashes.SHA256()))
        if alg == "ES256-highs":
            r, s = decode_dss_signature(self.priv.sign(data, ec.ECDSA(hashes.SHA256())))
            n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
            return r.to_bytes(32, "big") + (n - s).to_bytes(32, "big")
        if alg == "EdDSA":
            return self.priv.sign(data)
        raise ValueError(alg)


RSA = Key("rsa", "rsa-1", {"use": "sig", "alg": "RS256"})
RSA_ANY = Key("rsa", "rsa-2")               # no alg: RS256 and PS256
EC = Key("ec", "ec-1")
ED = Key("ed", "ed-1")
ENC = Key("rsa", "enc-1", {"use": "enc"})   # skipped by gwauth
OPS = Key("rsa", "ops-1", {"key_ops": ["encrypt"]})
OTHER = Key("rsa", "rsa-1")                 # not published, same kid as RSA
JWKS = {"keys": [k.jwk for k in (RSA, RSA_ANY, EC, ED, ENC, OPS)]}


def claims(**over):
    c = {"iss": ISS, "aud": AUD, "sub": "alice", "exp": NOW + 300, "iat": NOW - 10}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def compact(header, payload, key=RSA, alg=None, sig=None):
    """A token: header and payload are dicts (serialized here) or raw text."""
    h = header if isinstance(header, str) else json.dumps(header, separators=(",", ":"))
    p = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    signing = b64(h.encode("utf-8", "surrogatepass")) + "." + b64(p.encode("utf-8", "surrogatepass"))
    if sig is None:
        if alg is None:
            alg = header.get("alg") if isinstance(header, dict) else "RS256"
        sig = b64(key.sign(alg, signing.encode()))
    return signing + "." + sig


def hdr(alg="RS256", kid="rsa-1", **more):
    h = {"alg": alg, "typ": "JWT"}
    if kid:
        h["kid"] = kid
    h.update(more)
    return h


def cases():
    c = []
    add = lambda name, token, now=NOW: c.append((name, token, now))
    ok = claims()
    add("RS256", compact(hdr(), ok))
    add("PS256", compact(hdr("PS256", "rsa-2"), ok, RSA_ANY))
    add("PS256 with the largest salt", compact(hdr("PS256", "rsa-2"), ok, RSA_ANY, "PS256-maxsalt"))
    add("PS256 on a key restricted to RS256", compact(hdr("PS256"), ok, RSA))
    add("ES256", compact(hdr("ES256", "ec-1"), ok, EC))
    add("ES256 with a DER signature", compact(hdr("ES256", "ec-1"), ok, EC, "ES256-der"))
    add("ES256 with the high s", compact(hdr("ES256", "ec-1"), ok, EC, "ES256-highs"))
    add("EdDSA", compact(hdr("EdDSA", "ed-1"), ok, ED))
    add("ES256 without kid (the only EC key)", compact(hdr("ES256", None), ok, EC))
    add("RS256 without kid (two RSA keys)", compact(hdr("RS256", None), ok, RSA))
    add("untyped", compact({"alg": "RS256", "kid": "rsa-1"}, ok))
    add("typ jwt in lower case", compact(hdr(typ="jwt"), ok))
    add("typ logout+jwt", compact(hdr(typ="logout+jwt"), ok))
    add("typ at+jwt", compact(hdr(typ="at+jwt"), ok))
    add("events claim, untyped", compact({"alg": "RS256", "kid": "rsa-1"},
                                         claims(events={"http://schemas.openid.net/event/backchannel-logout": {}})))
    # keys and algorithms
    add("a key not in the set, under its kid", compact(hdr(), ok, OTHER))
    add("an unknown kid", compact(hdr(kid="nope"), ok))
    add("alg none", compact(hdr("none"), ok, sig=""))
    add("alg HS256 with the public key as secret", compact(hdr("HS256"), ok, sig=b64(b"x" * 32)))
    add("alg RS512", compact(hdr("RS512"), ok, sig=b64(b"x" * 256)))
    add("alg ES256 on an RSA kid", compact(hdr("ES256", "rsa-1"), ok, EC))
    add("key with use enc", compact(hdr(kid="enc-1"), ok, ENC))
    add("key whose key_ops leave out verify", compact(hdr(kid="ops-1"), ok, OPS))
    add("jku header", compact(hdr(jku="https://evil.example/keys"), ok))
    add("x5u header", compact(hdr(x5u="https://evil.example/cert"), ok))
    add("jwk header", compact(hdr(jwk=RSA.jwk), ok))
    add("x5c header", compact(hdr(x5c=["MIIB"]), ok))
    add("crit naming exp", compact(hdr(crit=["exp"]), ok))
    add("b64 false", compact(hdr(b64=False, crit=["b64"]), ok))
    add("zip header", compact(hdr(zip="DEF"), ok))
    # times, at the edges of the leeway
    add("exp + leeway - 1", compact(hdr(), ok), NOW + 300 + LEEWAY - 1)
    add("exp + leeway", compact(hdr(), ok), NOW + 300 + LEEWAY)
    add("no exp", compact(hdr(), claims(exp=None)))
    add("exp as a string", compact(hdr(), claims(exp=str(NOW + 300))))
    add("exp fractional", compact(hdr(), claims(exp=NOW + 300.5)))
    add("exp 1e300", compact(hdr(), '{"iss":"%s","aud":"%s","sub":"a","exp":1e300}' % (ISS, AUD)))
    add("exp 01 (not JSON)", compact(hdr(), '{"iss":"%s","aud":"%s","sub":"a","exp":0%d}' % (ISS, AUD, NOW + 300)))
    add("exp with a trailing dot (not JSON)", compact(hdr(), '{"iss":"%s","aud":"%s","sub":"a","exp":%d.}' % (ISS, AUD, NOW + 300)))
    add("nbf at now + leeway", compact(hdr(), claims(nbf=NOW + LEEWAY)))
    add("nbf a second later", compact(hdr(), claims(nbf=NOW + LEEWAY + 1)))
    add("nbf as a string", compact(hdr(), claims(nbf=str(NOW - 10))))
    add("iat at now + leeway", compact(hdr(), claims(iat=NOW + LEEWAY)))
    add("iat a second later", compact(hdr(), claims(iat=NOW + LEEWAY + 1)))
    # issuer and audience
    add("another issuer", compact(hdr(), claims(iss="https://evil.example/")))
    add("no issuer", compact(hdr(), claims(iss=None)))
    add("another audience", compact(hdr(), claims(aud="other")))
    add("no audience", compact(hdr(), claims(aud=None)))
    add("audience array of one", compact(hdr(), claims(aud=[AUD])))
    add("several audiences, no azp", compact(hdr(), claims(aud=["x", AUD])))
    add("several audiences, our azp", compact(hdr(), claims(aud=["x", AUD], azp=AUD)))
    add("azp of another client", compact(hdr(), claims(azp="other")))
    # encodings
    good = compact(hdr(), ok)
    add("padded signature", good + "==" if len(good.split(".")[2]) % 4 == 2 else good + "=")
    h, p, s = good.split(".")
    add("junk in the signature", ".".join([h, p, s[:10] + "!" + s[10:]]))
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    tail = last[(last.index(s[-1]) | 1)] if len(s) % 4 != 0 else s[-1]
    add("non-canonical base64 in the signature", ".".join([h, p, s[:-1] + tail]))
    add("a flipped signature bit", ".".join([h, p, s[:-3] + ("A" if s[-3] != "A" else "B") + s[-2:]]))
    add("four parts", good + ".x")
    add("payload an array", compact(hdr(), "[1]"))
    add("duplicate member in payload", compact(hdr(), json.dumps(ok)[:-1] + ',"sub":"bob"}'))
    add("duplicate alg in header", compact('{"alg":"RS256","kid":"rsa-1","alg":"RS256"}', ok))
    add("lone surrogate in a claim", compact(hdr(), json.dumps(ok)[:-1] + ',"name":"\\ud800"}'))
    add("control character in a claim", compact(hdr(), json.dumps(ok)[:-1] + ',"name":"a\tb"}'))
    add("byte order mark before the payload", compact(hdr(), "\ufeff" + json.dumps(ok)))
    add("exp NaN", compact(hdr(), '{"iss":"%s","aud":"%s","sub":"a","exp":NaN}' % (ISS, AUD)))
    add("exp negative", compact(hdr(), claims(exp=-1)))
    add("exp true", compact(hdr(), claims(exp=True)))
    add("iat as a numeric string", compact(hdr(), claims(iat=str(NOW - 10))))
    add("iat not a number", compact(hdr(), claims(iat="yesterday")))
    add("no sub", compact(hdr(), claims(sub=None)))
    add("no alg", compact({"kid": "rsa-1"}, ok, alg="RS256"))
    add("kid a number", compact(hdr(kid=7), ok))
    add("header an array", compact("[1]", ok))
    add("empty signature", compact(hdr(), ok, sig=""))
    add("a signature a byte short", ".".join([h, p, b64(base64.urlsafe_b64decode(s + "==")[:-1])]))
    add("ES256 with r = 0", compact(hdr("ES256", "ec-1"), ok, sig=b64(bytes(32) + b"\x01" * 32)))
    add("audience array with a number", compact(hdr(), claims(aud=[AUD, 7])))
    add("payload nested 100 deep", compact(hdr(), json.dumps(ok)[:-1] + ',"deep":' + "[" * 100 + "]" * 100 + "}"))
    add("a long claim (8 KiB)", compact(hdr(), claims(name="x" * 8192)))
    return c


class FixedClock(jwt.api_jwt.datetime):
    now_ts = NOW

    @classmethod
    def now(cls, tz=None):
        return jwt.api_jwt.datetime.fromtimestamp(cls.now_ts, tz)


def pyjwt_verdict(token, now):
    """PyJWT as an application uses it: the key by kid, or without one the
    only key that fits the algorithm; the key's own alg restricts."""
    FixedClock.now_ts = now
    real = jwt.api_jwt.datetime
    jwt.api_jwt.datetime = FixedClock
    try:
        h = jwt.get_unverified_header(token)
        keys = jwt.PyJWKSet.from_dict(JWKS).keys
        alg = h.get("alg")
        if "kid" in h:
            fit = [k for k in keys if k.key_id == h["kid"]]
        else:
            kty = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC", "EdDSA": "OKP"}.get(alg)
            fit = [k for k in keys if k.key_type == kty]
        if len(fit) != 1:
            return "refused: no single key"
        algs = [a for a in ACCEPTED if a == fit[0]._jwk_data.get("alg", a)]
        jwt.decode(token, fit[0].key, algorithms=algs, audience=AUD, issuer=ISS, leeway=LEEWAY,
                   options={"require": ["exp", "iss", "aud"]})
        return "ok"
    except Exception as e:  # every refusal, and every crash, is a refusal
        return "refused: %s" % type(e).__name__
    finally:
        jwt.api_jwt.datetime = real


def main():
    mint, work = sys.argv[1], sys.argv[2]
    with open(work + "/jwks.json", "w") as f:
        json.dump(JWKS, f)
    all_cases = cases()
    by_now = {}
    for i, (_, tok, now) in enumerate(all_cases):
        by_now.setdefault(now, []).append(i)
    gw = [None] * len(all_cases)
    for now, idx in by_now.items():
        out = subprocess.run([mint, "verify", work + "/jwks.json", ISS, AUD, str(now), str(LEEWAY)],
                             input="".join(all_cases[i][1] + "\n" for i in idx), capture_output=True,
                             text=True, check=True).stdout.splitlines()
        for i, line in zip(idx, out):
            gw[i] = line
    agree = stricter = bad = 0
    names = set()
    for i, (name, tok, now) in enumerate(all_cases):
        names.add(name)
        g, p = gw[i] or "missing", pyjwt_verdict(tok, now)
        same = (g == "ok") == (p == "ok")
        if same and name not in STRICTER:
            agree += 1
            print("agree     %s: %s" % (name, "both accept" if g == "ok" else "both refuse (gwauth: %s; PyJWT: %s)" % (g[9:], p[9:])))
        elif not same and name in STRICTER and g != "ok":
            stricter += 1
            print("stricter  %s: gwauth %s, PyJWT accepts. %s" % (name, g, STRICTER[name]))
        else:
            bad += 1
            print("DISAGREE  %s: gwauth %s, PyJWT %s%s" % (name, g, p, " (listed as stricter)" if name in STRICTER else ""))
    for name in sorted(set(STRICTER) - names):
        bad += 1
        print("DISAGREE  %s: listed as stricter but no such case" % name)
    print("# %d cases: %d agree, %d where gwauth is stricter (explained), %d unexplained"
          % (len(all_cases), agree, stricter, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
