#!/usr/bin/env python3
"""Hand-written PostgreSQL protocol sessions (stdlib only, raw sockets).

Used by make_captures.sh to exercise messages that psql/pgbench never send,
through the pgcapture relay.  Each scenario uses its own connection(s) and
ends with Terminate.  The script checks the replies it expects and exits
non-zero when a scenario does not behave as expected.

    python3 raw_session.py --host 127.0.0.1 --port RELAYPORT \
        --user trust_user --database capdb [--only NAME ...]

Scenarios (in this order): pq_option, minor_version, extended, function_call,
cancel, ssl_request, gssenc_request.
"""

import argparse
import socket
import struct
import sys
import time

PROTOCOL_3_0 = 196608  # 3 << 16
PROTOCOL_3_2 = 196610  # (3 << 16) | 2
CANCEL_REQUEST_CODE = 80877102
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104

OID_INT4 = 23
OID_TEXT = 25
OID_ABS_INT4 = 1397  # pg_proc oid of abs(int4), a.k.a. int4abs


class ProtocolError(Exception):
    pass


def cstr(text):
    return text.encode() + b"\0"


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def frame(tag, body=b""):
    return tag + struct.pack(">I", len(body) + 4) + body


def untagged(body):
    return struct.pack(">I", len(body) + 4) + body


def error_fields(body):
    fields = {}
    pos = 0
    while pos < len(body) and body[pos] != 0:
        code = chr(body[pos])
        end = body.index(b"\0", pos + 1)
        fields[code] = body[pos + 1 : end].decode(errors="replace")
        pos = end + 1
    return fields


class Conn:
    def __init__(self, args, label):
        self.args = args
        self.label = label
        self.sock = socket.create_connection((args.host, args.port), timeout=20)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.backend_key = None
        self.params = {}

    def log(self, msg):
        print(f"raw_session[{self.label}]: {msg}", file=sys.stderr, flush=True)

    def send(self, data):
        self.sock.sendall(data)

    def recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ProtocolError(f"connection closed while waiting for {n} bytes")
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_msg(self):
        head = self.recv_exact(5)
        tag = head[:1]
        (length,) = struct.unpack(">I", head[1:])
        if length < 4:
            raise ProtocolError(f"bad length {length} for tag {tag!r}")
        body = self.recv_exact(length - 4)
        return tag, body

    def read_until_ready(self, allow_error=False):
        """Read messages through ReadyForQuery; return the list of (tag, body)."""
        msgs = []
        while True:
            tag, body = self.read_msg()
            msgs.append((tag, body))
            if tag == b"E" and not allow_error:
                raise ProtocolError(f"unexpected error: {error_fields(body)}")
            if tag == b"Z":
                return msgs

    def read_until(self, tags):
        """Read messages until every tag in `tags` has been seen (in order)."""
        wanted = list(tags)
        msgs = []
        while wanted:
            tag, body = self.read_msg()
            msgs.append((tag, body))
            if tag == b"E":
                raise ProtocolError(f"unexpected error: {error_fields(body)}")
            if tag == wanted[0]:
                wanted.pop(0)
        return msgs

    def startup(self, version=PROTOCOL_3_0, extra=None):
        params = [("user", self.args.user), ("database", self.args.database),
                  ("application_name", "raw_session")]
        params += list((extra or {}).items())
        body = i32(version) + b"".join(cstr(k) + cstr(v) for k, v in params) + b"\0"
        self.send(untagged(body))
        msgs = []
        while True:
            tag, body = self.read_msg()
            msgs.append((tag, body))
            if tag == b"R":
                (code,) = struct.unpack(">i", body[:4])
                if code != 0:
                    raise ProtocolError(f"unexpected authentication request {code}")
            elif tag == b"K":
                self.backend_key = struct.unpack(">ii", body[:8])
            elif tag == b"S":
                key, value, _ = body.split(b"\0", 2)
                self.params[key.decode()] = value.decode()
            elif tag == b"E":
                raise ProtocolError(f"startup failed: {error_fields(body)}")
            elif tag == b"Z":
                return msgs

    def simple_query(self, sql, allow_error=False):
        self.send(frame(b"Q", cstr(sql)))
        return self.read_until_ready(allow_error=allow_error)

    def terminate(self):
        self.send(frame(b"X"))
        # Wait for the server to close its side, so the capture is complete.
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass
        self.sock.close()


def tags_of(msgs):
    return "".join(t.decode() for t, _ in msgs)


def expect(cond, what):
    if not cond:
        raise ProtocolError(f"expectation failed: {what}")


def parse_negotiate(body):
    """Return (raw "newest minor version" field, unrecognized option names).

    The protocol documents the field as the newest minor version, but
    PostgreSQL 15 sends its whole latest version code, 0x00030000 (3.0),
    so only the low 16 bits are the minor version.
    """
    newest, count = struct.unpack(">ii", body[:8])
    names = body[8:].split(b"\0")[:count]
    return newest, [n.decode() for n in names]


def describe_negotiate(newest, names):
    return (f"NegotiateProtocolVersion: version field={newest} (0x{newest:08x}: "
            f"{newest >> 16}.{newest & 0xFFFF}), unrecognized options={names}")


# ---------------------------------------------------------------------------
# scenarios


def scenario_pq_option(args):
    """Protocol 3.0 startup with an unknown _pq_ option -> NegotiateProtocolVersion."""
    c = Conn(args, "pq_option")
    msgs = c.startup(PROTOCOL_3_0, {"_pq_.some_option": "on"})
    negotiations = [b for t, b in msgs if t == b"v"]
    expect(negotiations, "NegotiateProtocolVersion after a _pq_ startup option")
    newest, names = parse_negotiate(negotiations[0])
    c.log(describe_negotiate(newest, names))
    msgs = c.simple_query("")  # empty query string -> EmptyQueryResponse
    expect(tags_of(msgs) == "IZ", f"EmptyQueryResponse + ReadyForQuery, got {tags_of(msgs)}")
    c.terminate()


def scenario_minor_version(args):
    """Ask for protocol 3.2; PostgreSQL 15 only speaks 3.0."""
    c = Conn(args, "minor_version")
    msgs = c.startup(PROTOCOL_3_2)
    negotiations = [b for t, b in msgs if t == b"v"]
    expect(negotiations, "NegotiateProtocolVersion for a 3.2 request")
    newest, names = parse_negotiate(negotiations[0])
    c.log(describe_negotiate(newest, names))
    c.log(f"BackendKeyData: {c.backend_key}")
    msgs = c.simple_query("SELECT 'speaking 3.' || 0 AS version")
    expect(tags_of(msgs) == "TDCZ", f"simple query reply, got {tags_of(msgs)}")
    c.terminate()


def scenario_extended(args):
    c = Conn(args, "extended")
    c.startup()

    # 1. Named statement + named portal, binary int4 parameter, NULL parameter,
    #    binary results, partial Execute -> PortalSuspended.
    sql = ("SELECT $1::int4 + g AS n, $2::text IS NULL AS second_is_null, "
           "'row ' || g AS label FROM generate_series(1, 3) AS g")
    parse = frame(b"P", cstr("s1") + cstr(sql) + i16(2) + i32(OID_INT4) + i32(OID_TEXT))
    bind = frame(
        b"B",
        cstr("p1") + cstr("s1")
        + i16(2) + i16(1) + i16(0)  # parameter formats: binary, text
        + i16(2) + i32(4) + i32(41) + i32(-1)  # values: int4 41 (binary), NULL
        + i16(1) + i16(1),  # all result columns binary
    )
    describe_portal = frame(b"D", b"P" + cstr("p1"))
    describe_stmt = frame(b"D", b"S" + cstr("s1"))
    execute_one = frame(b"E", cstr("p1") + i32(1))
    c.send(parse + bind + describe_portal + describe_stmt + execute_one + frame(b"H"))
    msgs = c.read_until([b"1", b"2", b"T", b"t", b"T", b"D", b"s"])
    expect(tags_of(msgs) == "12TtTDs", f"first batch, got {tags_of(msgs)}")

    execute_rest = frame(b"E", cstr("p1") + i32(0))
    close_portal = frame(b"C", b"P" + cstr("p1"))
    close_stmt = frame(b"C", b"S" + cstr("s1"))
    c.send(execute_rest + close_portal + close_stmt + frame(b"H"))
    msgs = c.read_until([b"C", b"3", b"3"])
    expect(tags_of(msgs) == "DDC33", f"second batch, got {tags_of(msgs)}")
    c.send(frame(b"S"))
    msgs = c.read_until_ready()
    expect(tags_of(msgs) == "Z", f"ReadyForQuery after Sync, got {tags_of(msgs)}")

    # 2. Unnamed statement without a result -> NoData; it also changes a
    #    GUC_REPORT setting, so a ParameterStatus arrives mid-session.
    sql = "SET application_name = 'raw_session_extended'"
    c.send(
        frame(b"P", cstr("") + cstr(sql) + i16(0))
        + frame(b"D", b"S" + cstr(""))
        + frame(b"B", cstr("") + cstr("") + i16(0) + i16(0) + i16(0))
        + frame(b"E", cstr("") + i32(0))
        + frame(b"S")
    )
    msgs = c.read_until_ready()
    # PostgreSQL reports the changed setting just before ReadyForQuery.
    expect(tags_of(msgs) == "1tn2CSZ", f"NoData batch, got {tags_of(msgs)}")

    # 3. A Parse error: the server skips to Sync.
    c.send(
        frame(b"P", cstr("") + cstr("SELEC broken syntax") + i16(0))
        + frame(b"B", cstr("") + cstr("") + i16(0) + i16(0) + i16(0))
        + frame(b"E", cstr("") + i32(0))
        + frame(b"S")
    )
    msgs = c.read_until_ready(allow_error=True)
    expect(tags_of(msgs) == "EZ", f"error batch, got {tags_of(msgs)}")

    # 4. Empty query through the extended protocol -> EmptyQueryResponse.
    c.send(
        frame(b"P", cstr("") + cstr("") + i16(0))
        + frame(b"B", cstr("") + cstr("") + i16(0) + i16(0) + i16(0))
        + frame(b"E", cstr("") + i32(0))
        + frame(b"S")
    )
    msgs = c.read_until_ready()
    expect(tags_of(msgs) == "12IZ", f"empty extended query, got {tags_of(msgs)}")

    # 5. COPY FROM STDIN aborted by the client with CopyFail.
    c.simple_query("CREATE TEMP TABLE raw_copy (a int, b text)")
    c.send(frame(b"Q", cstr("COPY raw_copy FROM STDIN")))
    msgs = c.read_until([b"G"])
    c.send(frame(b"d", b"1\tone\n2\ttwo\n") + frame(b"f", cstr("raw_session gives up")))
    msgs = c.read_until_ready(allow_error=True)
    expect(tags_of(msgs) == "EZ", f"CopyFail reply, got {tags_of(msgs)}")
    c.log(f"CopyFail -> {error_fields(msgs[0][1]).get('C')}")
    c.terminate()


def scenario_function_call(args):
    c = Conn(args, "function_call")
    c.startup()
    call = frame(
        b"F",
        i32(OID_ABS_INT4)
        + i16(1) + i16(1)  # one argument format code: binary
        + i16(1) + i32(4) + i32(-42)  # one argument: int4 -42
        + i16(1),  # binary result
    )
    c.send(call)
    msgs = c.read_until_ready()
    expect(tags_of(msgs) == "VZ", f"FunctionCallResponse, got {tags_of(msgs)}")
    (length,) = struct.unpack(">i", msgs[0][1][:4])
    value = struct.unpack(">i", msgs[0][1][4:8])[0] if length == 4 else None
    expect(value == 42, f"abs(-42) = 42, got {value}")
    c.send(frame(b"S"))
    msgs = c.read_until_ready()
    expect(tags_of(msgs) == "Z", f"ReadyForQuery after Sync, got {tags_of(msgs)}")
    c.terminate()


def scenario_cancel(args):
    victim = Conn(args, "cancel-victim")
    victim.startup()
    expect(victim.backend_key is not None, "BackendKeyData")
    pid, secret = victim.backend_key
    victim.send(frame(b"Q", cstr("SELECT pg_sleep(2)")))
    time.sleep(0.5)  # let the query start

    canceller = Conn(args, "cancel-request")
    canceller.send(untagged(i32(CANCEL_REQUEST_CODE) + i32(pid) + i32(secret)))
    # The server sends nothing back and closes the connection.
    try:
        rest = canceller.sock.recv(65536)
        expect(rest == b"", f"no reply to CancelRequest, got {rest!r}")
    finally:
        canceller.sock.close()

    msgs = victim.read_until_ready(allow_error=True)
    errors = [error_fields(b) for t, b in msgs if t == b"E"]
    expect(errors and errors[0].get("C") == "57014", f"57014 query_canceled, got {errors}")
    victim.log(f"cancelled: {errors[0].get('M')}")
    victim.terminate()


def scenario_ssl_request(args):
    c = Conn(args, "ssl_request")
    c.send(untagged(i32(SSL_REQUEST_CODE)))
    answer = c.recv_exact(1)
    c.log(f"SSLRequest answered {answer!r}")
    expect(answer == b"N", f"'N' (ssl is off), got {answer!r}")
    c.startup()
    msgs = c.simple_query("SELECT 'after SSLRequest' AS note")
    expect(tags_of(msgs) == "TDCZ", f"query reply, got {tags_of(msgs)}")
    c.terminate()


def scenario_gssenc_request(args):
    c = Conn(args, "gssenc_request")
    c.send(untagged(i32(GSSENC_REQUEST_CODE)))
    answer = c.recv_exact(1)
    c.log(f"GSSENCRequest answered {answer!r}")
    if answer == b"G":
        # The server is willing to do GSSAPI encryption; without Kerberos we
        # cannot continue the handshake, so just hang up.
        expect(args.gss_answer in ("G", "any"), f"GSSENCRequest answer {args.gss_answer}, got 'G'")
        c.sock.close()
        return
    expect(answer == b"N", f"'N' or 'G', got {answer!r}")
    expect(args.gss_answer in ("N", "any"), f"GSSENCRequest answer {args.gss_answer}, got 'N'")
    c.startup()
    msgs = c.simple_query("SELECT 'after GSSENCRequest' AS note")
    expect(tags_of(msgs) == "TDCZ", f"query reply, got {tags_of(msgs)}")
    c.terminate()


SCENARIOS = {
    "pq_option": scenario_pq_option,
    "minor_version": scenario_minor_version,
    "extended": scenario_extended,
    "function_call": scenario_function_call,
    "cancel": scenario_cancel,
    "ssl_request": scenario_ssl_request,
    "gssenc_request": scenario_gssenc_request,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="trust_user")
    parser.add_argument("--database", default="capdb")
    parser.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), metavar="NAME")
    parser.add_argument("--gss-answer", choices=("N", "G", "any"), default="any",
                        help="answer expected to GSSENCRequest")
    args = parser.parse_args(argv)
    names = args.only or list(SCENARIOS)
    failed = []
    for name in names:
        try:
            SCENARIOS[name](args)
            print(f"raw_session: {name} ok", file=sys.stderr, flush=True)
        except (ProtocolError, OSError) as exc:
            print(f"raw_session: {name} FAILED: {exc}", file=sys.stderr, flush=True)
            failed.append(name)
        time.sleep(0.1)  # keep connection numbering in scenario order
    if failed:
        print(f"raw_session: failed scenarios: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
