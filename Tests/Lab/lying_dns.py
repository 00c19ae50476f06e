"""A resolver that lies, for the lab: the kinds a scanner meets in sandboxes, split-horizon offices
and captive networks. Every query, whatever the name, gets the same kind of answer:

- `nxdomain`: NXDOMAIN for every name (a sandbox, a resolver that knows no outside names);
- `a-for-all`: an A record for every name (NXDOMAIN rewriting), NOERROR with no data for other types;
- `servfail`: SERVFAIL for every name (a resolver that cannot reach anything).

UDP and TCP, one socket each; binds the address given (127.0.0.x in the lab, or 127.0.0.53:53 as
/etc/resolv.conf's name server when a machine whose resolver lies is wanted)."""
import argparse
import asyncio
import struct

from dnslib import A, DNSRecord, QTYPE, RCODE, RR


def answer(data, mode, address):
    request = DNSRecord.parse(data)
    reply = request.reply()
    if mode == "nxdomain":
        reply.header.rcode = RCODE.NXDOMAIN
    elif mode == "servfail":
        reply.header.rcode = RCODE.SERVFAIL
    elif request.q.qtype in (QTYPE.A, QTYPE.ANY):
        reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(address), ttl=60))
    return reply.pack()


class UDP(asyncio.DatagramProtocol):
    def __init__(self, mode, address):
        self.mode, self.address = mode, address

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, peer):
        try:
            self.transport.sendto(answer(data, self.mode, self.address), peer)
        except Exception:
            pass  # not DNS: no answer


async def tcp_client(reader, writer, mode, address):
    try:
        while True:
            length = struct.unpack("!H", await reader.readexactly(2))[0]
            reply = answer(await reader.readexactly(length), mode, address)
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--mode", choices=["nxdomain", "a-for-all", "servfail"], required=True)
    parser.add_argument("--address", default="198.51.100.250", help="the address a-for-all gives every name")
    parser.add_argument("--ready-file")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: UDP(args.mode, args.address), local_addr=(host, int(port)))
    server = await asyncio.start_server(lambda r, w: tcp_client(r, w, args.mode, args.address), host, int(port))
    if args.ready_file:
        open(args.ready_file, "w").close()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
