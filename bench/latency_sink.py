#!/usr/bin/env python3
"""An SMTP sink that answers every command after a fixed delay, as a server across a real link
would (bench/fleet_bench.sh): accepts and discards the messages, counts them.

    latency_sink.py PORT_FILE DELAY_MS

Writes the port it listens on (127.0.0.1, chosen by the kernel) into PORT_FILE, and on SIGTERM
prints the number of messages it accepted."""

import asyncio
import signal
import sys

accepted = 0


async def session(reader, writer, delay):
    global accepted

    async def reply(line):
        await asyncio.sleep(delay)
        writer.write(line)
        await writer.drain()

    await reply(b"220 sink ESMTP\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                await reply(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                await reply(b"354 go on\r\n")
                while True:
                    data = await reader.readline()
                    if not data or data == b".\r\n":
                        break
                accepted += 1
                await reply(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                await reply(b"221 bye\r\n")
                break
            else:
                await reply(b"250 ok\r\n")
    except ConnectionError:
        pass
    writer.close()


async def main(port_file, delay_ms):
    delay = delay_ms / 1000.0
    server = await asyncio.start_server(lambda r, w: session(r, w, delay), "127.0.0.1", 0)
    with open(port_file, "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()
    print(accepted, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2])))
