"""The lab's HTTPS server: Python http.server wrapped in TLS with the lab CA's certificate.

It serves the fixture pages of Tests/Lab/pages with ETag and Last-Modified (answering 304 to a
matching conditional GET), logs every request with its conditional headers, records POST bodies,
and has misbehaving routes: /status/500, /redirect-loop, /redirect-to/PATH, /slow (answers after
10 s), /endless (a body that never ends). Binds 127.0.0.x only.
"""
import argparse
import email.utils
import hashlib
import http.server
import json
import os
import ssl
import sys
import time


class TLSServer(http.server.ThreadingHTTPServer):
    """Does each TLS handshake in the request's own thread, so one slow client cannot hold up the
    others, and keeps a deep listen queue for bursts of connections."""

    request_queue_size = 512
    daemon_threads = True
    context = None

    def get_request(self):
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


class FixtureHandler(http.server.SimpleHTTPRequestHandler):
    server_version = "notice-audit-lab/1"
    protocol_version = "HTTP/1.1"

    def setup(self):
        self.request.settimeout(15)
        self.request.do_handshake()
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, TimeoutError):
            pass

    def log_message(self, format, *args):
        pass

    def log_request_line(self):
        line = {"method": self.command, "path": self.path, "if_none_match": self.headers.get("If-None-Match"),
                "user_agent": self.headers.get("User-Agent")}
        self.server.request_log.write(json.dumps(line) + "\n")
        self.server.request_log.flush()

    def send_plain(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def do_POST(self):
        self.log_request_line()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with open(self.server.post_log, "a") as handle:
            handle.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"), "body": body.decode("utf-8", "replace")}) + "\n")
        self.send_plain(204)

    def do_GET(self):
        self.log_request_line()
        if self.path == "/status/500":
            return self.send_plain(500, b"internal error\n")
        if self.path == "/redirect-loop":
            return self.send_plain(302, headers=[("Location", "/redirect-loop")])
        if self.path.startswith("/redirect-to/"):
            return self.send_plain(301, headers=[("Location", "/" + self.path[len("/redirect-to/"):])])
        if self.path == "/slow":
            time.sleep(10)
            return self.send_plain(200, b"late\n")
        if self.path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65536 + b"</p>\n"
            deadline = time.monotonic() + 30
            try:
                while time.monotonic() < deadline:
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            self.close_connection = True
            return
        path = self.translate_path(self.path.split("?", 1)[0].split("#", 1)[0])
        if not os.path.isfile(path):
            return self.send_plain(404, b"not found\n")
        with open(path, "rb") as handle:
            body = handle.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            return self.send_plain(304, headers=[("ETag", etag)])
        self.send_plain(200, body, headers=[("Content-Type", "text/html; charset=utf-8"), ("ETag", etag), ("Last-Modified", modified)])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--root", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--post-log", default=os.devnull)
    parser.add_argument("--ready-file")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    if not host.startswith("127."):
        sys.exit("https_lab: refusing to bind outside 127.0.0.0/8")

    handler = lambda *a, **k: FixtureHandler(*a, directory=args.root, **k)
    server = TLSServer((host, int(port)), handler)
    server.request_log = open(args.log, "a")
    server.post_log = args.post_log
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    server.context = context
    if args.ready_file:
        with open(args.ready_file, "w") as handle:
            handle.write("ready\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
