"""The lab's SMTP relays, built on aiosmtpd, and misbehaving servers. Binds 127.0.0.x only.

Each scenario is one listening port (see SCENARIOS): STARTTLS with AUTH after TLS (as Alma uses a
campus relay), implicit TLS with AUTH, plain SMTP without AUTH, STARTTLS relays with an expired
certificate, a certificate for another name, a self-signed one, one that expires within 21 days,
a STARTTLS relay without AUTH; and raw servers that never greet, greet with 554 or 421, send
garbage, or send an endless line. Every command a client sends to an aiosmtpd relay is appended to
the log (AUTH payloads are not), so tests can prove that a probe never sent MAIL, RCPT or DATA.
"""
import argparse
import asyncio
import socket
import struct
import json
import os
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

    async def handle_QUIT(self, server, session, envelope):
        self.log.write(self.scenario, "QUIT")
        return "221 Bye"


class OddAuthHandler(LoggingHandler):
    """Offers only `AUTH XSECRET`, which no client implements."""

    async def auth_XSECRET(self, server, args):
        self.log.write(self.scenario, "AUTH XSECRET")
        return AuthResult(success=False, handled=False)


async def raw_server(host, port, behaviour):
    """A server that is not a good SMTP server."""
    async def serve(reader, writer):
        try:
            if behaviour == "silent":
                await asyncio.sleep(120)
            elif behaviour in ("554", "421"):
                writer.write(b"554 5.7.1 no service for you\r\n" if behaviour == "554" else b"421 4.3.2 service not available, closing\r\n")
                await writer.drain()
                await asyncio.sleep(2)
            elif behaviour == "starttls454":
                # Offers STARTTLS, then refuses it for now (RFC 3207 §4: 454 is temporary).
                writer.write(b"220 smtp.lab.test ESMTP notice-audit lab (TLS trouble)\r\n")
                await writer.drain()
                while True:
                    line = await asyncio.wait_for(reader.readline(), 30)
                    if not line:
                        break
                    command = line.strip().upper()
                    if command.startswith(b"EHLO") or command.startswith(b"HELO"):
                        writer.write(b"250-smtp.lab.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
                    elif command == b"STARTTLS":
                        writer.write(b"454 4.7.0 TLS not available due to temporary reason\r\n")
                    elif command == b"QUIT":
                        writer.write(b"221 2.0.0 bye\r\n")
                        await writer.drain()
                        break
                    else:
                        writer.write(b"503 5.5.1 bad sequence\r\n")
                    await writer.drain()
            elif behaviour == "hostile":
                # A 5xx greeting full of markup, quotes, pipes, backticks and ANSI escapes: every
                # report must show it as text and never let it act (issue 15).
                writer.write(b"554-<script>alert('banner')</script> | pipe `tick` \"double\" 'single'\r\n"
                             b"554 5.7.1 \x1b[31mred\x1b[0m **bold** [link](http://evil.test/) &amp; done\r\n")
                await writer.drain()
                await asyncio.sleep(2)
            elif behaviour == "reset-after-ehlo":
                # Greets, answers nothing to EHLO and resets the connection (SO_LINGER 0): what an
                # access list that admits only the Ex Libris ranges may do to a stranger (issue 19).
                writer.write(b"220 smtp.lab.test ESMTP notice-audit lab (strangers reset)\r\n")
                await writer.drain()
                await asyncio.wait_for(reader.readline(), 30)
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            elif behaviour == "garbage":
                writer.write(b"\x16\x03\x01 this is not SMTP \x00\xff\xfe\r\n")
                await writer.drain()
                await asyncio.sleep(2)
            elif behaviour == "overlong":
                writer.write(b"220-" + b"x" * 200000 + b"\r\n220 ok\r\n")
                await writer.drain()
                await asyncio.sleep(2)
        except (ConnectionError, asyncio.CancelledError, asyncio.TimeoutError):
            pass
        finally:
            writer.close()
    return await asyncio.start_server(serve, host, port)


def run_raw_servers(host, raw, ready):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for behaviour, port in raw.items():
        loop.run_until_complete(raw_server(host, port, behaviour))
    ready.set()
    loop.run_forever()


def make_authenticator(scenario, log, user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
        log.write(scenario, f"AUTH {mechanism} {'accepted' if ok else 'rejected'}")
        return AuthResult(success=ok, handled=False)
    return authenticate


def tls_context(folder, name):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.path.join(folder, name + ".pem"), os.path.join(folder, name + ".key"))
    return context


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--ports", required=True, help="JSON object: scenario name to port")
    parser.add_argument("--pki", required=True, help="folder with server.pem/key and the bad certificates")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-env", required=True, help="environment variable holding the password")
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready-file")
    args = parser.parse_args()
    if not args.host.startswith("127."):
        sys.exit("smtp_lab: refusing to bind outside 127.0.0.0/8")
    password = os.environ[args.password_env]
    ports = json.loads(args.ports)
    log = CommandLog(args.log)
    good = tls_context(args.pki, "server")

    def starttls(scenario, context, auth=True):
        # Without AUTH, every mechanism is excluded so that the EHLO answer has no AUTH line.
        return Controller(LoggingHandler(scenario, log), hostname=args.host, port=ports[scenario],
                          server_hostname="smtp.lab.test", tls_context=context, require_starttls=True,
                          authenticator=make_authenticator(scenario, log, args.user, password) if auth else None,
                          auth_require_tls=True, auth_exclude_mechanism=["CRAM-MD5"] if auth else ["CRAM-MD5", "LOGIN", "PLAIN"])

    controllers = [
        starttls("starttls", good),
        Controller(LoggingHandler("tls", log), hostname=args.host, port=ports["tls"],
                   server_hostname="smtp.lab.test", ssl_context=good,
                   authenticator=make_authenticator("tls", log, args.user, password),
                   auth_require_tls=False),
        Controller(LoggingHandler("plain", log), hostname=args.host, port=ports["plain"],
                   server_hostname="smtp.lab.test"),
        starttls("expired", tls_context(args.pki, "expired")),
        starttls("other-name", tls_context(args.pki, "other-name")),
        starttls("self-signed", tls_context(args.pki, "self-signed")),
        starttls("expiring", tls_context(args.pki, "expiring")),
        starttls("no-auth", good, auth=False),
        # AUTH offered with a mechanism no mail client knows: a probe with a password sends no AUTH
        # at all, which is not a rejected password (issue 19).
        Controller(OddAuthHandler("odd-auth", log), hostname=args.host, port=ports["odd-auth"],
                   server_hostname="smtp.lab.test", tls_context=good, require_starttls=True,
                   authenticator=make_authenticator("odd-auth", log, args.user, password),
                   auth_require_tls=True, auth_exclude_mechanism=["CRAM-MD5", "LOGIN", "PLAIN"]),
    ]
    for controller in controllers:
        # Implicit-TLS servers cannot be probed by the controller's plain readiness check.
        if controller.ssl_context is not None:
            controller._trigger_server = lambda: None
        controller.start()
    raw = {name: ports[name] for name in ("silent", "554", "421", "garbage", "overlong", "starttls454", "hostile", "reset-after-ehlo")}
    raw_ready = threading.Event()
    threading.Thread(target=run_raw_servers, args=(args.host, raw, raw_ready), daemon=True).start()
    raw_ready.wait(5)
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
