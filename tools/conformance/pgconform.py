#!/usr/bin/env python3
"""Run raw-frame conformance scripts against a PostgreSQL server.

    pgconform.py record --port P [--host H] SCRIPTS_DIR EXPECTED_DIR
    pgconform.py check  --port P [--host H] SCRIPTS_DIR EXPECTED_DIR

A script (SCRIPTS_DIR/NNN-name.json) is a list of frontend messages; see
core/tests/conformance/README.md for the script and output formats.  `record`
writes EXPECTED_DIR/NNN-name.txt for every script; `check` compares what the
server answers now with those files, prints a unified diff for each mismatch
and exits 1 if any script differs.

Python 3.11, standard library only.
"""

import argparse
import difflib
import json
import os
import re
import select
import socket
import struct
import sys
import time

SSL_REQUEST_CODE = (1234 << 16) | 5679
GSSENC_REQUEST_CODE = (1234 << 16) | 5680
CANCEL_REQUEST_CODE = (1234 << 16) | 5678

IDLE_SECONDS = 1.0     # after the last step: stop after this long with nothing new
WAIT_SECONDS = 10.0    # a "wait" step gives up (and records TIMEOUT) after this long
CONNECT_SECONDS = 10.0


class ScriptError(Exception):
    pass


# ---------------------------------------------------------------------------
# frontend encoding

def cstr(s):
    if not isinstance(s, str):
        raise ScriptError(f"expected a string, got {s!r}")
    b = s.encode("utf-8")
    if b"\0" in b:
        raise ScriptError(f"string contains NUL: {s!r}")
    return b + b"\0"


def tagged(tag, body):
    return tag + struct.pack(">I", len(body) + 4) + body


def value_bytes(v):
    """A Bind parameter / FunctionCall argument: str, None or {"hex": ...}."""
    if v is None:
        return struct.pack(">i", -1)
    if isinstance(v, str):
        b = v.encode("utf-8")
    elif isinstance(v, dict) and set(v) == {"hex"}:
        b = bytes.fromhex(v["hex"])
    else:
        raise ScriptError(f"bad value {v!r}")
    return struct.pack(">i", len(b)) + b


def int16_list(xs):
    return struct.pack(">H", len(xs)) + b"".join(struct.pack(">h", x) for x in xs)


def protocol_code(version):
    m = re.fullmatch(r"(\d+)\.(\d+)", version)
    if not m:
        raise ScriptError(f"bad version {version!r}")
    return (int(m.group(1)) << 16) | int(m.group(2))


def fields(obj, allowed, required=()):
    if not isinstance(obj, dict):
        raise ScriptError(f"expected an object, got {obj!r}")
    extra = set(obj) - set(allowed)
    if extra:
        raise ScriptError(f"unknown fields {sorted(extra)}")
    for r in required:
        if r not in obj:
            raise ScriptError(f"missing field {r!r}")
    return obj


def encode(step):
    """Return (kind, bytes) for one step; kind is the step's key."""
    if not isinstance(step, dict) or len(step) != 1:
        raise ScriptError(f"a step must be an object with exactly one key: {step!r}")
    (kind, arg), = step.items()
    if kind == "startup":
        fields(arg, ("version", "params"), ("version",))
        body = struct.pack(">I", protocol_code(arg["version"]))
        for pair in arg.get("params", []):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ScriptError(f"bad startup param {pair!r}")
            body += cstr(pair[0]) + cstr(pair[1])
        body += b"\0"
        return kind, struct.pack(">I", len(body) + 4) + body
    if kind == "ssl":
        return kind, struct.pack(">II", 8, SSL_REQUEST_CODE)
    if kind == "gssenc":
        return kind, struct.pack(">II", 8, GSSENC_REQUEST_CODE)
    if kind == "cancel":
        fields(arg, ("pid", "key"), ("pid", "key"))
        return kind, struct.pack(">IIi", 16, CANCEL_REQUEST_CODE, arg["pid"]) + bytes.fromhex(arg["key"])
    if kind == "query":
        return kind, tagged(b"Q", cstr(arg))
    if kind == "parse":
        fields(arg, ("name", "query", "types"), ("query",))
        types = arg.get("types", [])
        body = cstr(arg.get("name", "")) + cstr(arg["query"]) + struct.pack(">H", len(types))
        body += b"".join(struct.pack(">I", t) for t in types)
        return kind, tagged(b"P", body)
    if kind == "bind":
        fields(arg, ("portal", "statement", "param_formats", "params", "result_formats"))
        params = arg.get("params", [])
        body = cstr(arg.get("portal", "")) + cstr(arg.get("statement", ""))
        body += int16_list(arg.get("param_formats", []))
        body += struct.pack(">H", len(params)) + b"".join(value_bytes(p) for p in params)
        body += int16_list(arg.get("result_formats", []))
        return kind, tagged(b"B", body)
    if kind in ("describe", "close"):
        fields(arg, ("kind", "name"), ("kind",))
        k = arg["kind"].encode("ascii")
        if len(k) != 1:
            raise ScriptError(f"bad {kind} kind {arg['kind']!r}")
        return kind, tagged(b"D" if kind == "describe" else b"C", k + cstr(arg.get("name", "")))
    if kind == "execute":
        fields(arg, ("portal", "max_rows"))
        return kind, tagged(b"E", cstr(arg.get("portal", "")) + struct.pack(">i", arg.get("max_rows", 0)))
    if kind in ("sync", "flush", "terminate", "copy_done"):
        if arg is not True:
            raise ScriptError(f"{kind} takes true")
        return kind, tagged({"sync": b"S", "flush": b"H", "terminate": b"X", "copy_done": b"c"}[kind], b"")
    if kind == "copy_data":
        if not isinstance(arg, str):
            raise ScriptError("copy_data takes a string")
        return kind, tagged(b"d", arg.encode("utf-8"))
    if kind == "copy_fail":
        return kind, tagged(b"f", cstr(arg))
    if kind == "function_call":
        fields(arg, ("oid", "arg_formats", "args", "result_format"), ("oid",))
        args = arg.get("args", [])
        body = struct.pack(">I", arg["oid"]) + int16_list(arg.get("arg_formats", []))
        body += struct.pack(">H", len(args)) + b"".join(value_bytes(a) for a in args)
        body += struct.pack(">h", arg.get("result_format", 0))
        return kind, tagged(b"F", body)
    if kind == "raw":
        return kind, bytes.fromhex(arg)
    if kind == "wait":
        if arg is not True:
            raise ScriptError("wait takes true")
        return kind, b""
    raise ScriptError(f"unknown step {kind!r}")


def load_script(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or set(doc) != {"description", "steps"}:
        raise ScriptError("a script is an object with exactly 'description' and 'steps'")
    if not isinstance(doc["steps"], list):
        raise ScriptError("'steps' must be a list")
    groups = [[]]           # lists of (kind, bytes), split at "wait"
    for i, step in enumerate(doc["steps"]):
        try:
            kind, data = encode(step)
        except (ScriptError, ValueError, TypeError, KeyError, struct.error) as exc:
            raise ScriptError(f"step {i + 1}: {exc}") from None
        if kind == "wait":
            groups.append(None)     # marker: wait before the next group
            groups.append([])
        else:
            groups[-1].append((kind, data))
    return doc, groups


# ---------------------------------------------------------------------------
# backend decoding

def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def hexv(b):
    """Hex of a value; an empty value is written "" so that no line ends in a space."""
    return b.hex() if b else '""'


def join_items(tag, items):
    """`tag item,item,...`, or just `tag` when there are no items."""
    return f"{tag} {','.join(items)}" if items else tag


class Reader:
    def __init__(self, body):
        self.b, self.pos = body, 0

    def take(self, n):
        if self.pos + n > len(self.b):
            raise ValueError("short message")
        v = self.b[self.pos:self.pos + n]
        self.pos += n
        return v

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def cstr(self):
        end = self.b.index(b"\0", self.pos)
        s = self.b[self.pos:end].decode("utf-8", "replace")
        self.pos = end + 1
        return s

    def rest(self):
        v = self.b[self.pos:]
        self.pos = len(self.b)
        return v


def describe_backend(tag, body):
    """One output line for a backend message, or None to skip it."""
    t = chr(tag)
    if t in "SK":
        return None
    r = Reader(body)
    try:
        if t == "R":
            code = r.i32()
            extra = r.rest()
            return f"R {code}" + (f" {extra.hex()}" if extra else "")
        if t == "Z":
            return "Z " + r.take(1).decode("latin-1")
        if t in "EN":
            f = {}
            while True:
                code = r.take(1)
                if code == b"\0":
                    break
                f[code.decode("latin-1")] = r.cstr()
            sev = f.get("V", f.get("S", ""))
            return f"{t} {sev} {f.get('C', '')} {esc(f.get('M', ''))}"
        if t == "C":
            return "C " + esc(r.cstr())
        if t == "T":
            names, oids, fmts = [], [], []
            for _ in range(r.i16()):
                names.append(esc(r.cstr()))
                r.u32(); r.i16()                  # table oid, attnum
                oids.append(str(r.u32()))
                r.i16(); r.i32()                  # typlen, typmod
                fmts.append(str(r.i16()))
            if not names:
                return "T"
            return f"T {','.join(names)}:{','.join(oids)}:{','.join(fmts)}"
        if t == "D":
            vals = []
            for _ in range(r.i16()):
                n = r.i32()
                vals.append("NULL" if n == -1 else hexv(r.take(n)))
            return join_items("D", vals)
        if t == "t":
            return join_items("t", [str(r.u32()) for _ in range(r.i16())])
        if t in "123nsIc":
            if body:
                return f"? {t} {body.hex()}"
            return t
        if t in "GHW":
            fmt = r.take(1)[0]
            cols = [str(r.i16()) for _ in range(r.i16())]
            return join_items(f"{t} {fmt}", cols)
        if t == "d":
            return "d " + hexv(body)
        if t == "v":
            return "v " + hexv(body)
        if t == "V":
            n = r.i32()
            return "V " + ("NULL" if n == -1 else hexv(r.take(n)))
        if t == "A":
            r.i32()                               # pid: varies
            channel = r.cstr()
            payload = r.cstr()
            return f"A {esc(channel)} {esc(payload)}"
    except (ValueError, struct.error):
        pass
    return f"? {t} {body.hex()}"


# ---------------------------------------------------------------------------
# running a script

class Session:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=CONNECT_SECONDS)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buf = bytearray()
        self.lines = []
        self.closed = False         # EOF (or reset) seen
        self.closed_recorded = False
        self.pending_answers = 0    # SSL/GSSENC requests sent before any startup packet
        self.startup_sent = False
        self.encrypted = False      # after an 'S' or 'G' answer: the rest is not framed
        self.v2 = False             # a startup packet with major version < 3 was sent

    def send(self, group):
        data = b""
        for kind, b in group:
            if kind in ("ssl", "gssenc") and not self.startup_sent:
                self.pending_answers += 1
            elif kind in ("startup", "cancel"):
                if kind == "startup" and not self.startup_sent and struct.unpack_from(">I", b, 4)[0] >> 16 < 3:
                    self.v2 = True
                self.startup_sent = True
            data += b
        if not data or self.closed:
            return
        view = memoryview(data)
        deadline = time.monotonic() + WAIT_SECONDS
        while view:
            try:
                n = self.sock.send(view)
                view = view[n:]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                select.select([], [self.sock], [], 0.1)
            except OSError:
                return      # the server has gone; reading will show CLOSED

    def next_event(self):
        """Parse one event from the buffer: a line, or '' for a skipped message; None if incomplete."""
        if self.encrypted:
            if not self.buf:
                return None
            line = "BYTES " + self.buf.hex()
            self.buf.clear()
            return line
        if self.pending_answers and self.buf:
            c = self.buf[0]
            if c in b"NSG":
                del self.buf[0]
                self.pending_answers -= 1
                if c in b"SG":
                    self.encrypted = True
                return "ANSWER " + chr(c)
            self.pending_answers = 0
        if self.v2 and self.buf[:1] == b"E":
            # protocol 2 ErrorResponse: 'E' and a NUL-terminated string, no length word
            end = self.buf.find(b"\0", 1)
            if end < 0:
                return None
            text = self.buf[1:end].decode("utf-8", "replace")
            del self.buf[:end + 1]
            return "E2 " + esc(text)
        if len(self.buf) < 5:
            return None
        n = struct.unpack_from(">I", self.buf, 1)[0]
        if n < 4:
            line = f"BYTES {self.buf.hex()}"
            self.buf.clear()
            return line
        if len(self.buf) < 1 + n:
            return None
        tag, body = self.buf[0], bytes(self.buf[5:1 + n])
        del self.buf[:1 + n]
        line = describe_backend(tag, body)
        return "" if line is None else line

    def receive(self, timeout):
        """Read once (waiting up to timeout). Returns False on timeout."""
        if self.closed:
            return True
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return False
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return True
        except OSError:       # ECONNRESET and friends
            data = b""
        if not data:
            self.closed = True
        self.buf += data
        return True

    def finish_closed(self):
        if self.closed_recorded:
            return
        self.closed_recorded = True
        if self.buf:
            self.lines.append("BYTES " + self.buf.hex())
            self.buf.clear()
        self.lines.append("CLOSED")

    def wait(self):
        """Read until ReadyForQuery, a one-byte answer, or the connection closes."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            ev = self.next_event()
            if ev is not None:
                if ev:
                    self.lines.append(ev)
                if ev.startswith("Z ") or ev.startswith("ANSWER "):
                    return
                continue
            if self.closed:
                self.finish_closed()
                return
            left = deadline - time.monotonic()
            if left <= 0 or not self.receive(left):
                self.lines.append("TIMEOUT")
                return

    def drain(self):
        """After the last step: read until closed or IDLE_SECONDS of silence."""
        while True:
            ev = self.next_event()
            if ev is not None:
                if ev:
                    self.lines.append(ev)
                continue
            if self.closed:
                self.finish_closed()
                return
            if not self.receive(IDLE_SECONDS):
                if self.buf:
                    self.lines.append("BYTES " + self.buf.hex())
                self.lines.append("TIMEOUT")
                return

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def run_script(path, host, port):
    _, groups = load_script(path)
    s = Session(host, port)
    try:
        for g in groups:
            if g is None:
                s.wait()
            elif not s.closed:
                s.send(g)
        s.drain()
    finally:
        s.close()
    return "".join(line + "\n" for line in s.lines)


# ---------------------------------------------------------------------------

def script_names(scripts_dir, only):
    names = sorted(n for n in os.listdir(scripts_dir) if n.endswith(".json"))
    if only:
        names = [n for n in names if re.search(only, n)]
    return names


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("record", "check"))
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--only", help="run only scripts whose file name matches this regex")
    ap.add_argument("scripts_dir")
    ap.add_argument("expected_dir")
    a = ap.parse_args(argv)

    names = script_names(a.scripts_dir, a.only)
    if not names:
        print("no scripts found", file=sys.stderr)
        return 2
    if a.mode == "record":
        os.makedirs(a.expected_dir, exist_ok=True)
    failed = 0
    for name in names:
        stem = name[:-len(".json")]
        exp_path = os.path.join(a.expected_dir, stem + ".txt")
        try:
            got = run_script(os.path.join(a.scripts_dir, name), a.host, a.port)
        except ScriptError as exc:
            print(f"{name}: bad script: {exc}", file=sys.stderr)
            failed += 1
            continue
        except OSError as exc:
            print(f"{name}: cannot connect: {exc}", file=sys.stderr)
            failed += 1
            continue
        if a.mode == "record":
            with open(exp_path, "w", encoding="utf-8", newline="\n") as f:
                f.write(got)
            print(f"recorded {stem} ({got.count(chr(10))} lines)")
            continue
        try:
            with open(exp_path, encoding="utf-8") as f:
                want = f.read()
        except FileNotFoundError:
            want = ""
            print(f"{stem}: no expected file {exp_path}")
        if got == want:
            print(f"ok   {stem}")
        else:
            failed += 1
            print(f"FAIL {stem}")
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(keepends=True), got.splitlines(keepends=True),
                fromfile=exp_path, tofile=f"{stem} (server)"))
    total = len(names)
    print(f"{total - failed}/{total} scripts {'recorded' if a.mode == 'record' else 'match'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
