#!/usr/bin/env python3
"""pgcapture: a recording TCP relay for PostgreSQL wire-protocol sessions.

Usage:
    python3 pgcapture.py --listen 127.0.0.1:PORT --upstream 127.0.0.1:PGPORT --out DIR
                         [--max-seconds N] [--first-index N]

For every accepted client connection a connection to the upstream server is
opened and bytes are relayed in both directions.  Everything received is
appended to ONE file per connection, DIR/conn-NNNN.pgcap, as a sequence of
records:

    1 byte   direction: b'F' (frontend -> backend, client to server)
                        b'B' (backend -> frontend, server to client)
    4 bytes  big-endian unsigned payload length
    N bytes  payload, exactly as returned by one recv() call

Records are written in the order in which the relay received the bytes.  The
relay is a single-threaded selectors loop: a chunk is written to the capture
file before it is queued for forwarding, so a reply can never be recorded
before the request that caused it.  Forwarding is buffered per direction, so
a peer that is slow to read never blocks the other direction (no deadlock
when both sides send large amounts at once).

--upstream also accepts a filesystem path (anything containing '/'), which is
taken as a Unix-domain socket, e.g. /tmp/x/.s.PGSQL.5432.

The relay stops on SIGTERM/SIGINT or after --max-seconds (default 300); open
connections are then closed and their capture files flushed.
"""

import argparse
import os
import selectors
import signal
import socket
import struct
import sys
import time

RECV_SIZE = 65536
# Stop reading from a side while this much data waits to be written to the other side.
MAX_PENDING = 4 * 1024 * 1024


def log(msg):
    print(f"pgcapture: {msg}", file=sys.stderr, flush=True)


def parse_hostport(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    try:
        port_num = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad port in {text!r}") from None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port_num


class Side:
    """One socket of a relayed connection plus the bytes waiting to be sent to it."""

    def __init__(self, sock, name):
        self.sock = sock
        self.name = name  # b'F' for the client socket's incoming data, b'B' for upstream's
        self.outbuf = bytearray()  # data waiting to be written to this socket
        self.read_eof = False  # peer will send no more
        self.write_shut = False  # we have shut down our writing half
        self.registered_mask = 0


class Relay:
    """A client connection paired with its upstream connection and capture file."""

    def __init__(self, index, client, upstream, path):
        self.index = index
        self.path = path
        self.file = open(path, "wb")
        self.client = Side(client, b"F")  # data read here is frontend->backend
        self.server = Side(upstream, b"B")  # data read here is backend->frontend
        self.records = 0
        self.bytes = 0
        self.closed = False

    def other(self, side):
        return self.server if side is self.client else self.client

    def record(self, direction, data):
        self.file.write(direction + struct.pack(">I", len(data)) + data)
        self.records += 1
        self.bytes += len(data)

    def close(self):
        if self.closed:
            return
        self.closed = True
        for side in (self.client, self.server):
            try:
                side.sock.close()
            except OSError:
                pass
        self.file.flush()
        self.file.close()


class Capture:
    def __init__(self, args):
        self.args = args
        self.sel = selectors.DefaultSelector()
        self.relays = set()
        self.next_index = args.first_index
        self.stop_requested = False
        self.listener = None

    # -- setup -------------------------------------------------------------

    def open_listener(self):
        host, port = self.args.listen
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        lst = socket.socket(family, socket.SOCK_STREAM)
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind((host, port))
        lst.listen(64)
        lst.setblocking(False)
        self.listener = lst
        self.sel.register(lst, selectors.EVENT_READ, None)
        actual = lst.getsockname()
        log_host = f"[{actual[0]}]" if family == socket.AF_INET6 else actual[0]
        print(f"listening on {log_host}:{actual[1]}", file=sys.stderr, flush=True)

    def connect_upstream(self):
        up = self.args.upstream
        if "/" in up:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(10)
            sock.connect(up)
        else:
            host, port = parse_hostport(up)
            sock = socket.create_connection((host, port), timeout=10)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        return sock

    # -- event handling ----------------------------------------------------

    def accept(self):
        try:
            client, addr = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        try:
            upstream = self.connect_upstream()
        except OSError as exc:
            log(f"cannot connect upstream {self.args.upstream}: {exc}; dropping client {addr}")
            client.close()
            return
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        index = self.next_index
        self.next_index += 1
        path = os.path.join(self.args.out, f"conn-{index:04d}.pgcap")
        relay = Relay(index, client, upstream, path)
        self.relays.add(relay)
        self.update_interest(relay)
        if not self.args.quiet:
            log(f"conn-{index:04d} accepted from {addr[0]}:{addr[1]}")

    def update_interest(self, relay):
        for side in (relay.client, relay.server):
            other = relay.other(side)
            mask = 0
            if not side.read_eof and len(other.outbuf) < MAX_PENDING:
                mask |= selectors.EVENT_READ
            if side.outbuf:
                mask |= selectors.EVENT_WRITE
            if mask != side.registered_mask:
                if side.registered_mask and mask:
                    self.sel.modify(side.sock, mask, (relay, side))
                elif mask:
                    self.sel.register(side.sock, mask, (relay, side))
                else:
                    self.sel.unregister(side.sock)
                side.registered_mask = mask

    def finish(self, relay, reason):
        for side in (relay.client, relay.server):
            if side.registered_mask:
                try:
                    self.sel.unregister(side.sock)
                except (KeyError, ValueError):
                    pass
                side.registered_mask = 0
        relay.close()
        self.relays.discard(relay)
        if not self.args.quiet:
            log(
                f"conn-{relay.index:04d} closed ({reason}): {relay.records} records, "
                f"{relay.bytes} bytes"
            )

    def handle_read(self, relay, side):
        other = relay.other(side)
        try:
            data = side.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            # Connection reset etc.: nothing more will arrive from this side.
            data = b""
            if not self.args.quiet:
                log(f"conn-{relay.index:04d} recv error on {side.name.decode()}: {exc}")
        if data:
            relay.record(side.name, data)
            other.outbuf += data
        else:
            side.read_eof = True

    def handle_write(self, relay, side):
        if not side.outbuf:
            return
        try:
            sent = side.sock.send(side.outbuf)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            # The peer is gone; drop what we could not deliver.
            if not self.args.quiet:
                log(f"conn-{relay.index:04d} send error to {side.name.decode()}: {exc}")
            side.outbuf.clear()
            side.write_shut = True
            relay.other(side).read_eof = True
            side.read_eof = True
            return
        del side.outbuf[:sent]

    def settle(self, relay):
        """Propagate half-closes and finish the relay when both directions are done."""
        for side in (relay.client, relay.server):
            other = relay.other(side)
            # side said EOF and everything it sent has been delivered: pass the EOF on.
            if side.read_eof and not other.outbuf and not other.write_shut:
                try:
                    other.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                other.write_shut = True
        if relay.client.read_eof and relay.server.read_eof and not relay.client.outbuf \
                and not relay.server.outbuf:
            self.finish(relay, "both sides closed")
            return
        self.update_interest(relay)

    # -- main loop ---------------------------------------------------------

    def request_stop(self, signum, _frame):
        self.stop_requested = True

    def run(self):
        os.makedirs(self.args.out, exist_ok=True)
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        self.open_listener()
        deadline = time.monotonic() + self.args.max_seconds
        reason = "signal"
        try:
            while not self.stop_requested:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    reason = f"--max-seconds {self.args.max_seconds} reached"
                    break
                events = self.sel.select(timeout=min(0.2, remaining))
                touched = []
                for key, mask in events:
                    if key.data is None:
                        self.accept()
                        continue
                    relay, side = key.data
                    if relay.closed:
                        continue
                    if mask & selectors.EVENT_READ:
                        self.handle_read(relay, side)
                    if mask & selectors.EVENT_WRITE:
                        self.handle_write(relay, side)
                    touched.append(relay)
                for relay in touched:
                    if not relay.closed:
                        self.settle(relay)
        finally:
            for relay in list(self.relays):
                self.finish(relay, f"relay stopping: {reason}")
            if self.listener is not None:
                try:
                    self.sel.unregister(self.listener)
                except (KeyError, ValueError):
                    pass
                self.listener.close()
            self.sel.close()
            log(f"stopped ({reason})")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Record raw PostgreSQL wire-protocol sessions through a TCP relay."
    )
    parser.add_argument("--listen", required=True, type=parse_hostport, metavar="HOST:PORT")
    parser.add_argument(
        "--upstream",
        required=True,
        metavar="HOST:PORT|SOCKET_PATH",
        help="server to relay to; a value containing '/' is a Unix socket path",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="directory for conn-NNNN.pgcap")
    parser.add_argument("--max-seconds", type=float, default=300.0, metavar="N")
    parser.add_argument(
        "--first-index", type=int, default=1, metavar="N", help="number of the first capture file"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each connection")
    args = parser.parse_args(argv)
    if "/" not in args.upstream:
        try:
            parse_hostport(args.upstream)
        except argparse.ArgumentTypeError as exc:
            parser.error(str(exc))
    Capture(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
