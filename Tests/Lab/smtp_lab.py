"""The lab's SMTP relays, built on aiosmtpd. Binds 127.0.0.x only.

Each scenario is one listening server: STARTTLS with AUTH after TLS (as Alma uses a campus relay),
implicit TLS with AUTH, and plain SMTP without AUTH. Every command a client sends is appended to the
log (AUTH payloads are not), so tests can prove that a probe never sent MAIL, RCPT or DATA.
"""
import argparse
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class CommandLog:
    def __init__(self, path):
        self.handle = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def write(self, scenario, line):
        with self.lock:
            self.handle.write(f"{scenario} {line}\n")


class LoggingHandler:
    """Records the commands that reach the handler hooks; refuses every message."""

    def __init__(self, scenario, log):
        self.scenario = scenario
        self.log = log

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.log.write(self.scenario, f"EHLO {hostname}")
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, options):
        self.log.write(self.scenario, f"MAIL FROM:<{address}>")
        return "550 5.7.1 the lab relay accepts no mail"

    async def handle_RCPT(self, server, session, envelope, address, options):
        self.log.write(self.scenario, f"RCPT TO:<{address}>")
        return "550 5.7.1 the lab relay accepts no mail"

    async def handle_DATA(self, server, session, envelope):
        self.log.write(self.scenario, "DATA")
        return "554 5.7.1 the lab relay accepts no mail"


def make_authenticator(scenario, log, user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
        log.write(scenario, f"AUTH {mechanism} {'accepted' if ok else 'rejected'}")
        return AuthResult(success=ok, handled=False)
    return authenticate


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--starttls-port", type=int, required=True)
    parser.add_argument("--tls-port", type=int, required=True)
    parser.add_argument("--plain-port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-env", required=True, help="environment variable holding the password")
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready-file")
    args = parser.parse_args()
    if not args.host.startswith("127."):
        sys.exit("smtp_lab: refusing to bind outside 127.0.0.0/8")
    import os
    password = os.environ[args.password_env]

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    log = CommandLog(args.log)

    controllers = [
        Controller(LoggingHandler("starttls", log), hostname=args.host, port=args.starttls_port,
                   server_hostname="smtp.lab.test", tls_context=context, require_starttls=True,
                   authenticator=make_authenticator("starttls", log, args.user, password),
                   auth_require_tls=True, auth_exclude_mechanism=["CRAM-MD5"]),
        Controller(LoggingHandler("tls", log), hostname=args.host, port=args.tls_port,
                   server_hostname="smtp.lab.test", ssl_context=context,
                   authenticator=make_authenticator("tls", log, args.user, password),
                   auth_require_tls=False),
        Controller(LoggingHandler("plain", log), hostname=args.host, port=args.plain_port,
                   server_hostname="smtp.lab.test"),
    ]
    for controller in controllers:
        # Implicit-TLS servers cannot be probed by the controller's plain readiness check.
        if controller.ssl_context is not None:
            controller._trigger_server = lambda: None
        controller.start()
    if args.ready_file:
        with open(args.ready_file, "w") as handle:
            handle.write("ready\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for controller in controllers:
        controller.stop()


if __name__ == "__main__":
    main()
