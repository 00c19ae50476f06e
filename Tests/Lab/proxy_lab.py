"""The lab's HTTP CONNECT proxy: what a consortium's outbound proxy does for the scanner.

It resolves the names it is asked for through its own table (--map NAME=ADDRESS), not through
the scanner's DNS, tunnels the bytes both ways, and logs one line per CONNECT. Binds 127.0.0.x only.
"""
import argparse
import asyncio
import pathlib


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(reader, writer, table, log):
    try:
        request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ConnectionError):
        writer.close()
        return
    line = request.split(b"\r\n", 1)[0].decode("latin-1")
    method, _, rest = line.partition(" ")
    target = rest.split(" ", 1)[0]
    host, _, port = target.rpartition(":")
    with open(log, "a") as handle:
        handle.write(line + "\n")
    if method != "CONNECT" or host not in table or not port.isdigit():
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()
        return
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(table[host], int(port))
    except OSError:
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()
        return
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True)
    parser.add_argument("--map", action="append", default=[])
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready-file", required=True)
    args = parser.parse_args()
    table = dict(entry.split("=", 1) for entry in args.map)
    host, _, port = args.listen.rpartition(":")
    server = await asyncio.start_server(lambda r, w: handle(r, w, table, args.log), host, int(port))
    pathlib.Path(args.ready_file).write_text("ready\n")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
