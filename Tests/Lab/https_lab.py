"""The lab's HTTPS server: Python http.server wrapped in TLS with the lab CA's certificate.

It serves the fixture pages of Tests/Lab/pages and logs every request. Binds 127.0.0.x only.
"""
import argparse
import http.server
import ssl
import sys


class FixtureHandler(http.server.SimpleHTTPRequestHandler):
    server_version = "notice-audit-lab/1"

    def log_message(self, format, *args):
        self.server.request_log.write("%s %s\n" % (self.command, self.path))
        self.server.request_log.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--root", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready-file")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    if not host.startswith("127."):
        sys.exit("https_lab: refusing to bind outside 127.0.0.0/8")

    handler = lambda *a, **k: FixtureHandler(*a, directory=args.root, **k)
    server = http.server.ThreadingHTTPServer((host, int(port)), handler)
    server.daemon_threads = True
    server.request_log = open(args.log, "a")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    if args.ready_file:
        with open(args.ready_file, "w") as handle:
            handle.write("ready\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
