#!/usr/bin/env python3
"""A local stand-in for an SMS provider, to try Herald's http sender and measure the worker.

Answers every request at once with {"id": "prov-N"} (HTTP 200), keeps connections alive, and counts what it
received. Scripted failures help see retries:

  scripts/provider.py --port 9000                      # accept everything
  scripts/provider.py --port 9000 --fail-first 1       # the first attempt at each message gets HTTP 500
  scripts/provider.py --port 9000 --status 400         # refuse everything (a permanent failure)
  scripts/provider.py --port 9000 --log received.jsonl # one JSON line per request (key, path, body)

Each message is recognised by its Idempotency-Key header. Prints a count every second on standard error.
"""
import argparse
import asyncio
import json
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--fail-first", type=int, default=0, help="answer HTTP 500 to the first N attempts at each message")
    parser.add_argument("--status", type=int, default=200, help="the status of every (other) answer")
    parser.add_argument("--log", help="append one JSON line per request to this file")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    seen = {}
    counter = {"requests": 0, "accepted": 0}
    log = open(args.log, "a", buffering=1) if args.log else None

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                key = headers.get("idempotency-key", "")
                counter["requests"] += 1
                tries = seen.get(key, 0) + 1
                seen[key] = tries
                if log:
                    log.write(json.dumps({"key": key, "method": method, "path": path, "body": body.decode("utf-8", "replace")}) + "\n")
                if tries <= args.fail_first:
                    status, payload = 500, b'{"error":"scripted failure"}'
                elif args.status != 200:
                    status, payload = args.status, json.dumps({"error": "scripted status %d" % args.status}).encode()
                else:
                    counter["accepted"] += 1
                    status, payload = 200, json.dumps({"id": "prov-%d" % counter["accepted"]}).encode()
                writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (status, len(payload)) + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass
        finally:
            writer.close()

    async def report():
        last = 0
        while True:
            await asyncio.sleep(1)
            if counter["requests"] != last and not args.quiet:
                print("provider: %d requests (%d/s), %d accepted, %d messages" % (
                    counter["requests"], counter["requests"] - last, counter["accepted"], len(seen)), file=sys.stderr)
            last = counter["requests"]

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", args.port, backlog=1024)
        print("provider listening on http://127.0.0.1:%d" % args.port, file=sys.stderr)
        asyncio.ensure_future(report())
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
