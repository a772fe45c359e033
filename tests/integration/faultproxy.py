#!/usr/bin/python3
"""A fault-injecting HTTP proxy in front of a real registry (tests only).

  faultproxy.py --port P --upstream HOST:PORT --dir D [faults...]

Faults:
  --cut-blobs N          every blob GET answering 200/206 sends its full
                         headers but only N body bytes, then the
                         connection is closed (a truncated transfer)
  --cut-times K          only the first K blob GETs are cut (default: all)
  --manifest-type CT     manifest GET answers carry Content-Type CT and
                         a body whose top-level mediaType is CT
  --manifest-pad N       manifest GET answers get an annotation of N bytes
                         (e.g. past the 4 MiB limit docker-registry itself
                         enforces on PUT)
                         (both rewrite the body: Docker-Content-Digest is
                         dropped, Content-Length fixed)
  --trickle-blobs N      every blob GET answering 200/206 (Range resumes
                         too) sends its headers and N body bytes, then
                         stalls without closing (a server that trickles
                         and stops; at most 10 minutes)
  --fail-first K         the first K manifest/blob GETs answer
                         --fail-status (default 503) with an error body
  --retry-after V        those answers carry "Retry-After: V"
  --fail-all             every /v2/ request (any method, HEAD too)
                         answers --fail-status (a registry that is up but
                         failing: 503 behind a load balancer)
  --delay-ms N           wait N ms before answering each request (a slow
                         registry)
  --redirect-blobs MODE  blob GETs answer 307 to /_store/<path> on this
                         proxy; MODE "same" keeps the host (127.0.0.1),
                         "http-other" names localhost (another host, plain
                         http: a client must refuse to follow)

Writes D/proxy.ready when listening and logs one line per request to
D/proxy.log: METHOD PATH range=<Range header or -> auth=<yes|no>.
"""
import argparse
import http.client
import json
import os
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cut-blobs", type=int, default=-1)
    ap.add_argument("--cut-times", type=int, default=-1)
    ap.add_argument("--manifest-type", default=None)
    ap.add_argument("--manifest-pad", type=int, default=0)
    ap.add_argument("--trickle-blobs", type=int, default=-1)
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--fail-status", type=int, default=503)
    ap.add_argument("--retry-after", default=None)
    ap.add_argument("--fail-all", action="store_true")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--redirect-blobs", default=None,
                    choices=["same", "http-other"])
    a = ap.parse_args()
    log = open(os.path.join(a.dir, "proxy.log"), "a", buffering=1)
    state = {"cuts": 0, "fails": 0}
    uhost, uport = a.upstream.rsplit(":", 1)

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def forward(self):
            path = self.path
            log.write("%s %s range=%s auth=%s\n" % (
                self.command, path, self.headers.get("Range", "-"),
                "yes" if self.headers.get("Authorization") else "no"))
            is_blob_get = (self.command == "GET" and "/blobs/sha256:" in path
                           and "/uploads/" not in path)
            if a.delay_ms:
                time.sleep(a.delay_ms / 1000.0)
            if a.fail_all and path.startswith("/v2/"):
                data = json.dumps({"errors": [{
                    "code": "UNAVAILABLE",
                    "message": "injected failure"}]}).encode()
                self.send_response(a.fail_status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                return
            if is_blob_get and a.redirect_blobs and \
                    not path.startswith("/_store/"):
                host = "127.0.0.1" if a.redirect_blobs == "same" \
                    else "localhost"
                self.send_response(307)
                self.send_header("Location", "http://%s:%d/_store%s" % (
                    host, a.port, path))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if (self.command == "GET" and state["fails"] < a.fail_first and
                    ("/manifests/" in path or is_blob_get)):
                state["fails"] += 1
                data = json.dumps({"errors": [{
                    "code": "UNAVAILABLE",
                    "message": "injected failure"}]}).encode()
                self.send_response(a.fail_status)
                self.send_header("Content-Type", "application/json")
                if a.retry_after is not None:
                    self.send_header("Retry-After", a.retry_after)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if path.startswith("/_store/"):
                path = path[len("/_store"):]
            n = int(self.headers.get("Content-Length", "0") or "0")
            body = self.rfile.read(n) if n else None
            hdrs = {k: v for k, v in self.headers.items()
                    if k.lower() not in ("host", "connection",
                                         "content-length")}
            if body is not None:
                hdrs["Content-Length"] = str(len(body))
            c = http.client.HTTPConnection(uhost, int(uport), timeout=30)
            c.request(self.command, path, body=body, headers=hdrs)
            r = c.getresponse()
            rewrite = (self.command == "GET" and "/manifests/" in path and
                       r.status == 200 and
                       (a.manifest_type or a.manifest_pad))
            if rewrite:
                doc = json.loads(r.read())
                if a.manifest_type:
                    doc["mediaType"] = a.manifest_type
                if a.manifest_pad:
                    doc.setdefault("annotations", {})["pad"] = \
                        "x" * a.manifest_pad
                data = json.dumps(doc).encode()
                self.send_response_only(200, "OK")
                self.send_header("Content-Type", a.manifest_type or
                                 r.getheader("Content-Type"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                c.close()
                return
            cut = -1
            if is_blob_get and r.status in (200, 206) and a.cut_blobs >= 0:
                cut = a.cut_blobs
            self.send_response_only(r.status, r.reason)
            for k, v in r.getheaders():
                kl = k.lower()
                if kl in ("connection", "transfer-encoding"):
                    continue
                if (a.manifest_type or a.manifest_pad) and \
                        "/manifests/" in path and \
                        kl == "docker-content-digest":
                    continue
                self.send_header(k, v)
            if "content-length" not in [k.lower() for k, _ in r.getheaders()]:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            sent = 0
            if is_blob_get and r.status in (200, 206) and \
                    a.trickle_blobs >= 0:
                self.wfile.write(r.read(a.trickle_blobs))
                self.wfile.flush()
                rest = r.read()
                c.close()
                if not rest:  # a small blob went whole: no stall
                    return
                # stall (the connection stays open) for 10 minutes or
                # until the process is killed
                time.sleep(600)
                self.close_connection = True
                return
            while self.command != "HEAD":
                chunk = r.read(65536)
                if not chunk:
                    break
                if cut >= 0 and sent + len(chunk) > cut and \
                        (a.cut_times < 0 or state["cuts"] < a.cut_times):
                    state["cuts"] += 1
                    self.wfile.write(chunk[:cut - sent])
                    self.wfile.flush()
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    c.close()
                    return
                self.wfile.write(chunk)
                sent += len(chunk)
            c.close()

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = forward

    srv = ThreadingHTTPServer(("127.0.0.1", a.port), H)
    open(os.path.join(a.dir, "proxy.ready"), "w").close()
    srv.serve_forever()


if __name__ == "__main__":
    main()
