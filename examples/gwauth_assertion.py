"""Verifies the identity assertion gwauth hands to an application.

gwauth signs a short-lived JWT for every allowed request with an identity
(the X-Gwauth-Assertion header behind a proxy, the GWAUTH_ASSERTION
variable for CGI and FastCGI applications) and publishes its public keys at
assertion.jwks_path. An application that verifies it trusts no header: it
knows the identity comes from gwauth, for this application (aud), now (exp).

Needs PyJWT 2 with its crypto extra (Debian: python3-jwt python3-cryptography).
"""
import jwt

ALGORITHMS = ["ES256", "EdDSA", "RS256"]


class Verifier:
    def __init__(self, jwks_url, issuer, audience):
        # Keys are fetched once and again when a token names an unknown kid
        # (a new key of gwauth's key directory).
        self.keys = jwt.PyJWKClient(jwks_url, cache_keys=False, lifespan=300)
        self.issuer, self.audience = issuer, audience

    def verify(self, token):
        """The assertion's claims, or jwt.PyJWTError when it does not verify."""
        key = self.keys.get_signing_key_from_jwt(token).key
        return jwt.decode(token, key, algorithms=ALGORITHMS, audience=self.audience,
                          issuer=self.issuer, options={"require": ["exp", "iat", "sub"]})
