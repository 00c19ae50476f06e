"""A fault-injecting DNS proxy for the lab.

It forwards every query to the lab's nsd and, per name, can delay the answer, never answer (black
hole), answer SERVFAIL or REFUSED, force truncation (TC over UDP, full answer over TCP) or send
garbage. UDP and TCP (several queries on one connection) are both served. Binds 127.0.0.x only.
"""
import argparse
import asyncio
import json
import os
import resource
import socket
import struct
import sys

from dnslib import DNSRecord, QTYPE, RCODE


def parse_hostport(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


class Rules:
    """Per-name faults. A rule applies to its name and every name below it, or with "exact" to
    the name alone; "except_types" lists query types the rule leaves alone."""

    def __init__(self, path, default_delay_ms):
        self.rules = []
        self.default_delay_ms = default_delay_ms
        if path:
            with open(path) as handle:
                for rule in json.load(handle).get("rules", []):
                    self.rules.append((rule["name"].lower().rstrip("."), rule))

    def for_query(self, qname, qtype):
        name = qname.lower().rstrip(".")
        for suffix, rule in self.rules:
            matches = name == suffix or (not rule.get("exact") and name.endswith("." + suffix))
            if matches and qtype not in rule.get("except_types", []):
                return rule
        return None


class Upstream:
    """Forwards a raw query to nsd, over UDP, then TCP when the answer is truncated."""

    def __init__(self, address, timeout=3.0):
        self.address = address
        self.timeout = timeout
        self.transport = None
        self.pending = {}
        self.next_id = 0

    async def query_udp(self, data):
        """Forwards over one shared socket, with our own query IDs mapped back to the client's."""
        loop = asyncio.get_running_loop()
        if self.transport is None:
            upstream = self

            class Receiver(asyncio.DatagramProtocol):
                def datagram_received(self, reply, _addr):
                    future = upstream.pending.pop(reply[:2], None)
                    if future is not None and not future.done():
                        future.set_result(reply)

            self.transport, _ = await loop.create_datagram_endpoint(Receiver, remote_addr=self.address)
            sock = self.transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        while True:
            self.next_id = (self.next_id + 1) & 0xFFFF
            key = struct.pack("!H", self.next_id)
            if key not in self.pending:
                break
        future = loop.create_future()
        self.pending[key] = future
        try:
            self.transport.sendto(key + data[2:])
            reply = await asyncio.wait_for(future, self.timeout)
        finally:
            self.pending.pop(key, None)
        return data[:2] + reply[2:]

    async def query_tcp(self, data):
        reader, writer = await asyncio.wait_for(asyncio.open_connection(*self.address), self.timeout)
        try:
            writer.write(struct.pack("!H", len(data)) + data)
            await writer.drain()
            length = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), self.timeout))[0]
            return await asyncio.wait_for(reader.readexactly(length), self.timeout)
        finally:
            writer.close()

    async def query(self, data, tcp):
        if tcp:
            return await self.query_tcp(data)
        reply = await self.query_udp(data)
        return reply


class FaultServer:
    def __init__(self, rules, upstream, log):
        self.rules = rules
        self.upstream = upstream
        self.log = log

    async def answer(self, data, tcp):
        """Returns the reply bytes, or None to stay silent."""
        if not self.rules.rules:
            # No per-name rules: forward without parsing (the latency proxy's hot path).
            if self.rules.default_delay_ms:
                await asyncio.sleep(self.rules.default_delay_ms / 1000)
            try:
                return await self.upstream.query(data, tcp=tcp)
            except (asyncio.TimeoutError, OSError):
                return None
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return None
        qname = str(request.q.qname)
        rule = self.rules.for_query(qname, QTYPE.get(request.q.qtype)) or {}
        action = rule.get("action")
        self.log.write(f"{'tcp' if tcp else 'udp'} {qname} {request.q.qtype} {action or 'forward'}\n")
        delay_ms = rule.get("delay_ms", self.rules.default_delay_ms)
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        if action == "blackhole":
            return None
        if action in ("servfail", "refused"):
            reply = request.reply()
            reply.header.rcode = RCODE.SERVFAIL if action == "servfail" else RCODE.REFUSED
            return reply.pack()
        try:
            reply = await self.upstream.query(data, tcp=tcp)
        except (asyncio.TimeoutError, OSError):
            return None
        if action == "garbage":
            # A real header and question, then an answer section cut short: only a parser that
            # checks every length notices.
            return reply[:-5]
        if action == "truncate" and not tcp:
            parsed = DNSRecord.parse(reply)
            parsed.rr, parsed.auth, parsed.ar = [], [], []
            parsed.header.tc = 1
            return parsed.pack()
        return reply


class UDPProtocol(asyncio.DatagramProtocol):
    def __init__(self, server):
        self.server = server
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        asyncio.ensure_future(self.respond(data, addr))

    async def respond(self, data, addr):
        reply = await self.server.answer(data, tcp=False)
        if reply is not None:
            self.transport.sendto(reply, addr)


async def serve_tcp_client(server, reader, writer):
    try:
        while True:
            header = await reader.readexactly(2)
            data = await reader.readexactly(struct.unpack("!H", header)[0])
            reply = await server.answer(data, tcp=True)
            if reply is None:
                continue
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(listen, upstream, rules, delay_ms, log):
    host, port = parse_hostport(listen)
    if not host.startswith("127."):
        sys.exit("fault_dns: refusing to bind outside 127.0.0.0/8")
    server = FaultServer(Rules(rules, delay_ms), Upstream(parse_hostport(upstream)), log)
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind((host, port))
    await loop.create_datagram_endpoint(lambda: UDPProtocol(server), sock=sock)
    return await asyncio.start_server(lambda r, w: serve_tcp_client(server, r, w), host, port, backlog=1024)


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", help="HOST:PORT on 127.0.0.x")
    parser.add_argument("--upstream", help="HOST:PORT of nsd")
    parser.add_argument("--rules", help="fault rules JSON")
    parser.add_argument("--route", action="append", default=[], help="LISTEN,UPSTREAM,RULES: one more proxy in this process")
    parser.add_argument("--delay-ms", type=int, default=0, help="delay for every name without a rule")
    parser.add_argument("--log", default=os.devnull)
    parser.add_argument("--ready-file")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    log = open(args.log, "a", buffering=1)
    routes = [tuple(route.split(",", 2)) for route in args.route]
    if args.listen:
        routes.insert(0, (args.listen, args.upstream, args.rules))
    servers = [await serve(listen, upstream, rules or None, args.delay_ms, log) for listen, upstream, rules in routes]
    if args.ready_file:
        with open(args.ready_file, "w") as handle:
            handle.write("ready\n")
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(main())
