#!/usr/bin/python3
"""A small token server for the registry integration tests.

Implements the distribution token spec (GET /token?service=&scope=...)
and the OAuth2 refresh-token POST, issuing ES256 (or RS256) JWTs that
Debian's docker-registry (`auth: token`) accepts: the signing key's
self-signed certificate is the registry's rootcertbundle and travels in
the JWT's x5c header.

  tokenserver.py --port P --dir D --user U --password PW
                 [--refresh-token T] [--field token|access_token|both]
                 [--alg ES256|RS256]

Writes D/token.crt (for rootcertbundle) and D/token.ready once listening.
Valid Basic credentials (or refresh token) get every requested action;
anonymous requests get only "pull"; wrong credentials get 401. Requests
are logged to D/token.log (one line each: method, auth kind, scopes).
"""
import argparse
import base64
import datetime
import json
import os
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import \
    decode_dss_signature
from cryptography.x509.oid import NameOID

ISSUER = "sigil-test-issuer"


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def make_key(alg, d):
    if alg == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sigil token")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                           critical=True)
            .sign(key, hashes.SHA256()))
    with open(os.path.join(d, "token.crt"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def sign_jwt(key, cert, alg, claims):
    header = {"typ": "JWT", "alg": alg,
              "x5c": [base64.b64encode(
                  cert.public_bytes(serialization.Encoding.DER)).decode()]}
    signing_input = (b64u(json.dumps(header).encode()) + "." +
                     b64u(json.dumps(claims).encode())).encode()
    if alg == "ES256":
        der = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return signing_input.decode() + "." + b64u(sig)


def parse_scopes(scopes, full):
    access = []
    for sc in scopes:
        for one in sc.split(" "):
            parts = one.split(":")
            if len(parts) < 3:
                continue
            typ, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            acts = actions.split(",")
            if not full:
                acts = [a for a in acts if a == "pull"]
            access.append({"type": typ, "name": name, "actions": acts})
    return access


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--service", default="sigil-test")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password", default="wonderland")
    ap.add_argument("--refresh-token", default="refresh-me")
    ap.add_argument("--field", default="token",
                    choices=["token", "access_token", "both"])
    ap.add_argument("--alg", default="ES256", choices=["ES256", "RS256"])
    a = ap.parse_args()
    key, cert = make_key(a.alg, a.dir)
    log = open(os.path.join(a.dir, "token.log"), "a", buffering=1)

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def issue(self, scopes, full, service, kind):
            log.write("%s %s %s\n" % (self.command, kind, " ".join(scopes)))
            if service != a.service:
                return self.reply(400, {"errors": [{"code": "UNSUPPORTED",
                                                    "message": "bad service"}]})
            now = int(time.time())
            claims = {"iss": ISSUER, "sub": a.user if full else "",
                      "aud": a.service, "exp": now + 3600, "nbf": now - 60,
                      "iat": now, "jti": os.urandom(8).hex(),
                      "access": parse_scopes(scopes, full)}
            tok = sign_jwt(key, cert, a.alg, claims)
            ans = {"expires_in": 3600}
            if a.field in ("token", "both"):
                ans["token"] = tok
            if a.field in ("access_token", "both") or self.command == "POST":
                ans["access_token"] = tok
            return self.reply(200, ans)

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = urllib.parse.parse_qs(u.query)
            full = False
            kind = "anonymous"
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    user, _, pw = base64.b64decode(
                        auth[6:]).decode().partition(":")
                except Exception:
                    user, pw = "", ""
                if user != a.user or pw != a.password:
                    log.write("GET refused %s\n" % user)
                    return self.reply(401, {"errors": [{
                        "code": "UNAUTHORIZED",
                        "message": "invalid username or password"}]})
                full = True
                kind = "basic"
            return self.issue(q.get("scope", []), full,
                              q.get("service", [""])[0], kind)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(n).decode())
            if (form.get("grant_type", [""])[0] != "refresh_token" or
                    form.get("refresh_token", [""])[0] != a.refresh_token):
                log.write("POST refused\n")
                return self.reply(401, {"error": "invalid_grant"})
            return self.issue(form.get("scope", []), True,
                              form.get("service", [""])[0], "refresh")

    srv = ThreadingHTTPServer(("127.0.0.1", a.port), H)
    open(os.path.join(a.dir, "token.ready"), "w").close()
    srv.serve_forever()


if __name__ == "__main__":
    main()
