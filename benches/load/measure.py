#!/usr/bin/env python3
"""Load-benchmark helper for benches/load/run.sh (standard library only).

  measure.py run --out FILE.json [--server NAME VERSION COMMAND]... [--postgres VERSION]
      starts each COMMAND --listen 127.0.0.1:PORT itself (a fresh process for every idle-memory
      run, then one for the rest), measures it and the PostgreSQL that tools/pg/with_pg.sh
      started around this script (PGPORT, PGPROTO_PG_SOCKET_DIR), then stops what it started.
      Every pgbench configuration is run on each server in turn.
  measure.py report [--md FILE.md] FILE.json
      prints the comparison table (and writes it to FILE.md).

Settings come from the environment (run.sh documents them): RUNS, DURATION, CLIENTS, MODES,
STRACE_TXNS, STRACE_CLIENTS, IDLE_CONNS, CONN_CLIENTS, PGBENCH, LOAD_PIDFILE.
"""

import argparse
import collections
import datetime
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
# pgproto's select1 example on each binding: (server key, runtime), as run.sh's pgproto_bindings.
# The first, tokio (key "pgproto", the key older runs used), is the reference: it is compared with
# pgwire and PostgreSQL, and every other binding with it (a column "RUNTIME/tokio" each). A binding
# added here (monoio, say) gets its column and its ratio to tokio.
PGPROTO_BINDINGS = [("pgproto", "tokio"), ("smol", "smol"), ("monoio", "monoio")]
# What each binding aims at against tokio (issue 7), said under the table.
GOALS = {
    "smol": "pgproto on smol within 10% of tokio (TPS ratio ≥ 0.90×, server CPU µs/txn ratio ≤ 1.10×)",
    "monoio": "pgproto on monoio at ≤ 0.85× tokio's server CPU µs/txn with TPS ratio ≥ 1.00×, "
    "simple and extended at 16 and 64 clients",
}
REFERENCE, REFERENCE_RUNTIME = PGPROTO_BINDINGS[0]
# (server key, table label), in the table's column order.
SERVERS = [(key, f"pgproto ({runtime})") for key, runtime in PGPROTO_BINDINGS] + [
    ("pgwire", "pgwire 0.42"),
    ("postgres", "PostgreSQL"),
]
# The ratio columns: (label, numerator key, denominator key).
RATIOS = [
    (f"{REFERENCE_RUNTIME}/pgwire", REFERENCE, "pgwire"),
    (f"{REFERENCE_RUNTIME}/PostgreSQL", REFERENCE, "postgres"),
] + [(f"{runtime}/{REFERENCE_RUNTIME}", key, REFERENCE) for key, runtime in PGPROTO_BINDINGS[1:]]
# (key, label, higher is better)
MEASURES = [
    ("tps", "TPS ↑", True),
    ("cpu", "server CPU µs/txn ↓", False),
    ("writes", "write syscalls/txn ↓", False),
    ("syscalls", "all syscalls/txn ↓", False),
    ("idle_mem", "memory KiB/idle conn ↓", False),
    ("conn_rate", "new connections/s ↑", True),
    ("conn_cpu", "server CPU µs/new conn ↓", False),
]
MODE_ORDER = ["simple", "extended", "prepared"]
WRITE_SYSCALLS = {"write", "writev", "sendto", "sendmsg", "pwrite64", "pwritev", "pwritev2"}
SOCKET_WRITES = {"write", "writev", "sendto", "sendmsg"}


def env_int(name, default):
    return int(os.environ.get(name, default))


def log(*args):
    print(f"[{time.strftime('%H:%M:%S')}]", *args, file=sys.stderr, flush=True)


class Stop(Exception):
    """SIGTERM/SIGINT: unwind so that the servers started here are stopped."""


def on_signal(signum, _frame):
    # Once: the cleanup that follows must not be interrupted by a second signal.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Stop(f"signal {signum}")


# ---------------------------------------------------------------- /proc


def proc_stat(pid):
    """(ppid, utime+stime+cutime+cstime in ticks) of one process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except OSError:
        return None
    rest = data[data.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    return int(rest[1]), sum(int(x) for x in rest[11:15])


def process_tree(root):
    """root and all its descendants, from the ppid links in /proc."""
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = proc_stat(int(entry))
            if st:
                children[st[0]].append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def cpu_ticks(root):
    """CPU time of the server: every live process of the tree plus, through cutime/cstime, the
    children that already exited (PostgreSQL backends of -C runs)."""
    total = 0
    for pid in process_tree(root):
        st = proc_stat(pid)
        if st:
            total += st[1]
    return total


def memory_kib(root, pss):
    """Summed VmRSS, or Pss (smaps_rollup) when pss, of the tree; also says which was read."""
    total, kind = 0, "Pss" if pss else "VmRSS"
    for pid in process_tree(root):
        value = None
        if pss:
            value = read_kib(f"/proc/{pid}/smaps_rollup", "Pss:")
            if value is None:
                kind = "VmRSS"
        if value is None:
            value = read_kib(f"/proc/{pid}/status", "VmRSS:")
        total += value or 0
    return total, kind


def read_text(path):
    with open(path) as f:
        return f.read()


def read_kib(path, field):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# ---------------------------------------------------------------- wire protocol (client side)


def startup(host, port, timeout=30):
    """A trust-authenticated connection, read up to its first ReadyForQuery."""
    sock = socket.create_connection((host, port), timeout=timeout)
    params = b"user\0postgres\0database\0postgres\0application_name\0load-idle\0\0"
    sock.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
    buf = bytearray()
    for tag, body in messages(sock, buf):
        if tag == b"R" and struct.unpack("!i", body[:4])[0] != 0:
            raise RuntimeError(f"server asks for authentication {struct.unpack('!i', body[:4])[0]}")
        if tag == b"E":
            raise RuntimeError(f"startup error: {error_text(body)}")
        if tag == b"Z":
            return sock
    raise RuntimeError("connection closed during startup")


def messages(sock, buf):
    """Backend messages (tag, body) read from sock, buf holding what is read ahead."""
    while True:
        while len(buf) >= 5:
            length = struct.unpack("!i", buf[1:5])[0]
            if len(buf) < 1 + length:
                break
            tag, body = bytes(buf[:1]), bytes(buf[5 : 1 + length])
            del buf[: 1 + length]
            yield tag, body
        data = sock.recv(65536)
        if not data:
            return
        buf.extend(data)


def error_text(body):
    return " ".join(f[1:].decode(errors="replace") for f in body.split(b"\0") if f[:1] in (b"C", b"M"))


def fields(body):
    """RowDescription's fields as (name, type oid, format): what clients use (pgwire, for one,
    sends type length 0 where PostgreSQL sends int4's 4)."""
    out, pos = [], 2
    for _ in range(struct.unpack("!h", body[:2])[0]):
        end = body.index(b"\0", pos)
        _table, _attnum, oid, _typlen, _typmod, fmt = struct.unpack("!ihihih", body[end + 1 : end + 19])
        out.append((body[pos:end], oid, fmt))
        pos = end + 19
    return out


def msg(tag, body=b""):
    return tag + struct.pack("!i", 4 + len(body)) + body


def until_ready(sock, buf):
    out = []
    for tag, body in messages(sock, buf):
        out.append((tag, body))
        if tag == b"Z":
            return out
    raise RuntimeError("connection closed")


def check_server(port):
    """Checks that the server answers SELECT 1 as PostgreSQL does, in the three pgbench modes
    and with a binary result; raises with what differs."""
    sock = startup("127.0.0.1", port)
    buf = bytearray()
    row_desc = lambda fmt: [(b"?column?", 23, fmt)]  # noqa: E731 - (name, type oid, format)
    one_text = struct.pack("!hi", 1, 1) + b"1"
    one_binary = struct.pack("!hii", 1, 4, 1)
    tag = b"SELECT 1\0"
    cases = [
        (
            "simple",
            msg(b"Q", b"SELECT 1;\0"),
            [(b"T", row_desc(0)), (b"D", one_text), (b"C", tag), (b"Z", b"I")],
        ),
        (
            "extended (unnamed, binary result)",
            msg(b"P", b"\0SELECT 1;\0\0\0")
            + msg(b"B", b"\0\0" + struct.pack("!hhh", 0, 0, 1) + struct.pack("!h", 1))
            + msg(b"D", b"P\0")
            + msg(b"E", b"\0\0\0\0\0")
            + msg(b"S"),
            [(b"1", b""), (b"2", b""), (b"T", row_desc(1)), (b"D", one_binary), (b"C", tag), (b"Z", b"I")],
        ),
        (
            "prepared (named statement, described)",
            msg(b"P", b"P0_1\0SELECT 1;\0\0\0") + msg(b"D", b"SP0_1\0") + msg(b"S"),
            [(b"1", b""), (b"t", b"\0\0"), (b"T", row_desc(0)), (b"Z", b"I")],
        ),
        (
            "prepared (bind and execute)",
            msg(b"B", b"\0P0_1\0" + struct.pack("!hhh", 0, 0, 0))
            + msg(b"E", b"\0\0\0\0\0")
            + msg(b"S"),
            [(b"2", b""), (b"D", one_text), (b"C", tag), (b"Z", b"I")],
        ),
    ]
    try:
        for name, request, expected in cases:
            sock.sendall(request)
            got = [(t, fields(b) if t == b"T" else b) for t, b in until_ready(sock, buf)]
            if got != expected:
                raise RuntimeError(f"{name}: expected {expected}, got {got}")
        sock.sendall(msg(b"X"))
    finally:
        sock.close()


# ---------------------------------------------------------------- servers


class Spawned:
    """A server binary started here on a free port, stopped by stop()."""

    def __init__(self, name, cmd, workdir):
        self.name, self.cmd, self.workdir = name, cmd, workdir
        self.proc = None
        self.port = None

    def start(self):
        self.port = free_port()
        logfile = os.path.join(self.workdir, f"{self.name}.log")
        with open(logfile, "w") as log_out:
            self.proc = subprocess.Popen(
                self.cmd + ["--listen", f"127.0.0.1:{self.port}"],
                stdin=subprocess.DEVNULL,
                stdout=log_out,
                stderr=log_out,
            )
        if os.environ.get("LOAD_PIDFILE"):
            with open(os.environ["LOAD_PIDFILE"], "a") as f:
                f.write(f"{self.proc.pid}\n")
        deadline = time.time() + 30
        while True:
            with open(logfile) as f:
                text = f.read()
            if "listening on" in text:
                return
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start: {text.strip() or 'no output'}")
            time.sleep(0.05)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class ExternalPostgres:
    """The PostgreSQL started by tools/pg/with_pg.sh around this script."""

    name = "postgres"

    def __init__(self):
        self.port = int(os.environ["PGPORT"])
        with open(os.path.join(os.environ["PGPROTO_PG_SOCKET_DIR"], "data", "postmaster.pid")) as f:
            self.pid = int(f.readline())

    def start(self):
        pass

    def stop(self):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- measures


class Bench:
    def __init__(self, server, workdir, version):
        self.server = server
        self.workdir = workdir
        self.version = version
        self.broken = False
        self.values = collections.defaultdict(list)
        self.failures = []
        self.notes = []
        self.pgbench = os.environ.get("PGBENCH", "pgbench")
        self.script = os.path.join(workdir, "select1.sql")
        with open(self.script, "w") as f:
            f.write("SELECT 1;\n")

    def add(self, measure, mode, clients, value):
        self.values[f"{measure}|{mode}|{clients}"].append(value)

    def run_pgbench(self, args, what):
        """Runs pgbench against the server; returns (tps, processed) or None on failure."""
        cmd = [self.pgbench, "-n", "-h", "127.0.0.1", "-p", str(self.server.port), "-U", "postgres"]
        cmd += ["-f", self.script, *args, "postgres"]
        env = dict(os.environ, PGSSLMODE="disable", PGGSSENCMODE="disable", PGAPPNAME="pgbench")
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        out = r.stdout + r.stderr
        tps = re.search(r"^tps = ([0-9.]+) \((?:without initial connection time|including reconnection times)\)", out, re.M)
        processed = re.search(r"number of transactions actually processed: (\d+)", out)
        failed = re.search(r"number of failed transactions: (\d+)", out)
        n_failed = int(failed.group(1)) if failed else 0
        if r.returncode != 0 or not tps or not processed or n_failed:
            first_error = next((l for l in out.splitlines() if "error" in l.lower() or "abort" in l.lower()), "")
            self.failures.append(
                f"{what}: pgbench exit {r.returncode}, {n_failed} failed transactions"
                + (f", processed {processed.group(1)}" if processed else "")
                + (f": {first_error.strip()}" if first_error else "")
            )
            if not tps or not processed or int(processed.group(1)) == 0:
                return None
        return float(tps.group(1)), int(processed.group(1))

    def load(self, run, mode, c, duration):
        what = f"-M {mode} -c {c} run {run + 1}"
        before = cpu_ticks(self.server.pid)
        res = self.run_pgbench(["-M", mode, "-c", str(c), "-j", str(min(2, c)), "-T", str(duration)], what)
        after = cpu_ticks(self.server.pid)
        if res:
            tps, n = res
            cpu = (after - before) * 1e6 / CLK_TCK / n
            self.add("tps", mode, c, tps)
            self.add("cpu", mode, c, cpu)
            log(f"{self.server.name} {what}: tps {tps:.0f}, cpu {cpu:.1f} µs/txn")

    def connections(self, run, c, duration):
        what = f"-C -M simple -c {c} run {run + 1}"
        before = cpu_ticks(self.server.pid)
        res = self.run_pgbench(["-C", "-M", "simple", "-c", str(c), "-j", str(min(2, c)), "-T", str(duration)], what)
        after = cpu_ticks(self.server.pid)
        if res:
            tps, n = res
            self.add("conn_rate", "simple", c, tps)
            self.add("conn_cpu", "simple", c, (after - before) * 1e6 / CLK_TCK / n)
            log(f"{self.server.name} {what}: {tps:.0f} connections/s")

    def syscalls(self, run, mode, c, txns):
        what = f"strace -M {mode} -c {c} -t {txns} run {run + 1}"
        counts = self.strace_pgbench(["-M", mode, "-c", str(c), "-j", str(min(2, c)), "-t", str(txns)], what)
        if counts:
            per_txn, detail = counts
            self.add("writes", mode, c, per_txn["writes"])
            self.add("syscalls", mode, c, per_txn["all"])
            log(f"{self.server.name} {what}: {per_txn['writes']:.2f} writes/txn, {per_txn['all']:.2f} syscalls/txn ({detail})")

    def strace_pgbench(self, args, what):
        out = os.path.join(self.workdir, "strace.out")
        err = os.path.join(self.workdir, "strace.err")
        with open(err, "w") as err_f:
            # -f with -p attaches to every thread of the process (and follows forks: the
            # backends PostgreSQL forks for the new connections).
            st = subprocess.Popen(
                ["strace", "-f", "-c", "-o", out, "-p", str(self.server.pid)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err_f,
            )
        try:
            deadline = time.time() + 10
            while "attached" not in read_text(err):
                if st.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"strace did not attach: {read_text(err).strip()}")
                time.sleep(0.05)
            time.sleep(0.5)
            res = self.run_pgbench(args, what)
        finally:
            if st.poll() is None:
                st.send_signal(signal.SIGINT)
            st.wait(60)
        if not res:
            return None
        calls = {}
        with open(out) as f:
            for line in f:
                tokens = line.split()
                if len(tokens) >= 5 and tokens[3].isdigit():
                    calls[tokens[-1]] = int(tokens[3])
        n = res[1]
        writes = sum(v for k, v in calls.items() if k in SOCKET_WRITES)
        other_writes = {k: v for k, v in calls.items() if k in WRITE_SYSCALLS - SOCKET_WRITES}
        if other_writes:
            self.notes.append(f"{what}: also {other_writes} (not counted as socket writes)")
        detail = ", ".join(f"{k} {calls[k]}" for k in sorted(SOCKET_WRITES) if k in calls)
        return {"writes": writes / n, "all": calls.get("total", 0) / n}, f"{n} txns: {detail}"

    def idle_memory(self, run, conns):
        spawned = isinstance(self.server, Spawned)
        if spawned:
            # A fresh process for every run: freed connection memory stays in the allocator, so
            # a second run on the same process would measure reuse, not growth.
            self.server.stop()
            self.server.start()
        baseline_procs = len(process_tree(self.server.pid))
        time.sleep(0.5)
        before, kind = memory_kib(self.server.pid, pss=not spawned)
        socks, after = [], None
        try:
            for _ in range(conns):
                socks.append(startup("127.0.0.1", self.server.port))
            time.sleep(1)
            after, kind = memory_kib(self.server.pid, pss=not spawned)
        except (OSError, RuntimeError) as e:
            self.failures.append(f"idle connections run {run + 1}: {len(socks)} opened, then {e}")
        finally:
            for sock in socks:
                sock.close()
        if after is not None:
            self.add("idle_mem", "idle", conns, (after - before) / conns)
            log(f"{self.server.name} idle run {run + 1}: {before} -> {after} KiB {kind} ({(after - before) / conns:.1f} KiB/conn)")
            if kind != ("VmRSS" if spawned else "Pss"):
                self.notes.append(f"memory: {kind} read instead")
        # PostgreSQL's backends exit asynchronously: wait for them before the next measure.
        deadline = time.time() + 30
        while len(process_tree(self.server.pid)) > baseline_procs and time.time() < deadline:
            time.sleep(0.2)
        if spawned:
            self.server.stop()


def each(benches, what, measure):
    """Calls measure(bench) for every server still standing; a server that breaks (exits,
    stops answering) is left out of the rest of the run, with the reason in its failures."""
    for bench in benches:
        if bench.broken:
            continue
        try:
            measure(bench)
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            bench.broken = True
            bench.failures.append(f"{what}: {e}; the server's remaining measures were skipped")
            log(f"{bench.server.name}: {what}: {e}")
            bench.server.stop()


def cmd_run(args):
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if os.environ.get("LOAD_MEASURE_PIDFILE"):
        with open(os.environ["LOAD_MEASURE_PIDFILE"], "w") as f:
            f.write(f"{os.getpid()}\n")
    conns = env_int("IDLE_CONNS", 1000)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < conns + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(conns + 200, hard), hard))
    runs = env_int("RUNS", 3)
    duration = env_int("DURATION", 5)
    clients = [int(c) for c in os.environ.get("CLIENTS", "1 16 64").split()]
    modes = os.environ.get("MODES", "simple extended prepared").split()
    workdir = tempfile.mkdtemp(prefix="pgproto-load.")
    benches = []
    for name, version, command in args.server or []:
        benches.append(Bench(Spawned(name, shlex.split(command), workdir), workdir, version))
    if args.postgres is not None:
        benches.append(Bench(ExternalPostgres(), workdir, args.postgres))
    load_before = read_text("/proc/loadavg").split()[:3]
    try:
        # Memory first, one server at a time (the others idle or not started yet).
        for run in range(runs):
            each(benches, "idle connections", lambda b: b.idle_memory(run, conns))
        # Then every server runs, and every configuration goes to each server in turn, so that
        # a noisy moment on the machine hits them alike.
        for bench in benches:
            each([bench], "start", lambda b: b.server.start())
            each([bench], "SELECT 1 check", lambda b: check_server(b.server.port))
            if not bench.broken:
                log(f"{bench.server.name}: answers SELECT 1 like PostgreSQL (simple, extended, prepared)")
        for run in range(runs):
            for mode in modes:
                for c in clients:
                    each(benches, f"-M {mode} -c {c}", lambda b: b.load(run, mode, c, duration))
        for run in range(runs):
            c = env_int("CONN_CLIENTS", 8)
            each(benches, "-C", lambda b: b.connections(run, c, duration))
        for run in range(runs):
            for mode in modes:
                c, txns = env_int("STRACE_CLIENTS", 4), env_int("STRACE_TXNS", 2000)
                each(benches, f"strace -M {mode}", lambda b: b.syscalls(run, mode, c, txns))
    except Stop as e:
        log(f"stopped by {e}")
        return 130
    finally:
        for bench in benches:
            bench.server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    results = {
        "load_before": load_before,
        "servers": {
            b.server.name: {
                "version": b.version,
                "values": b.values,
                "failures": b.failures,
                "notes": sorted(set(b.notes)),
            }
            for b in benches
        },
    }
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    return 0


# ---------------------------------------------------------------- report


def fmt(measure, v):
    if v is None:
        return "—"
    if measure in ("tps", "conn_rate"):
        return f"{v:,.0f}"
    if measure in ("writes", "syscalls"):
        return f"{v:.2f}"
    return f"{v:,.1f}"


def cmd_report(args):
    with open(args.json) as f:
        results = json.load(f)
    data = results["servers"]
    keys = set()
    for d in data.values():
        keys.update(d["values"])
    order = {m[0]: i for i, m in enumerate(MEASURES)}
    rows = sorted(
        (k.split("|") for k in keys),
        key=lambda k: (order[k[0]], MODE_ORDER.index(k[1]) if k[1] in MODE_ORDER else 9, int(k[2])),
    )

    def median(server, key):
        vals = data.get(server, {}).get("values", {}).get(key)
        return statistics.median(vals) if vals else None

    def spread(server, key):
        vals = data.get(server, {}).get("values", {}).get(key)
        return vals or []

    runs = os.environ.get("RUNS", "3")
    out = []
    runtimes = ", ".join(runtime for _, runtime in PGPROTO_BINDINGS)
    out.append(f"# Load benchmark: pgproto ({runtimes}) vs pgwire vs PostgreSQL, pgbench `SELECT 1`\n")
    out.append(
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs ({cpu_model()}), "
        f"Linux {platform.release()}; DURATION={os.environ.get('DURATION', '5')} s, RUNS={runs} "
        f"(each cell is the median of the runs); load average before measuring "
        f"{' '.join(results['load_before'])} (1, 5, 15 min).\n"
    )
    servers = "Servers: " + "; ".join(data[s]["version"] or label for s, label in SERVERS if s in data)
    missing = [label for s, label in SERVERS if s not in data]
    if missing:
        servers += f" (not run: {', '.join(missing)})"
    out.append(servers + ".\n")
    out.append(
        "↑ higher is better (TPS, connections/s): a ratio A/B above 1 favours A. "
        "↓ lower is better (CPU, syscalls, memory): a ratio A/B below 1 favours A. "
        f"{REFERENCE_RUNTIME}/pgwire and {REFERENCE_RUNTIME}/PostgreSQL compare pgproto on {REFERENCE_RUNTIME}"
        + "".join(f"; {runtime}/{REFERENCE_RUNTIME} pgproto on {runtime} with it" for _, runtime in PGPROTO_BINDINGS[1:])
        + " (— where a server was not run).\n"
    )
    header = [label for _, label in SERVERS] + [label for label, _, _ in RATIOS]
    out.append("| measure | mode | clients | " + " | ".join(header) + " |")
    out.append("|---|---|---|" + "---:|" * len(header))
    labels = {m[0]: m[1] for m in MEASURES}
    for measure, mode, clients in rows:
        key = f"{measure}|{mode}|{clients}"
        vals = {s: median(s, key) for s, _ in SERVERS}
        ratio = lambda a, b: f"{a / b:.2f}×" if a is not None and b else "—"  # noqa: E731
        mode_cell = mode if measure != "conn_rate" and measure != "conn_cpu" else "simple -C"
        out.append(
            f"| {labels[measure]} | {mode_cell} | {clients} | "
            + " | ".join(fmt(measure, vals[s]) for s, _ in SERVERS)
            + " | "
            + " | ".join(ratio(vals[a], vals[b]) for _, a, b in RATIOS)
            + " |"
        )
    out.append("")
    out.append("Notes:")
    out.append(
        "- TPS: pgbench `-n -f select1.sql` (`SELECT 1;`), `-j 2` (`-j 1` at `-c 1`), "
        "\"tps ... (without initial connection time)\". pgbench runs on the same machine and "
        "competes with the server for the CPUs."
    )
    out.append(
        "- server CPU: utime+stime of the server's process tree from /proc/PID/stat over the run, "
        "divided by the transactions processed; for PostgreSQL the postmaster, every backend and "
        "background process, and (cutime/cstime) the children that exited during the run."
    )
    out.append(
        "- syscalls: `strace -f -c -p PID` attached to the server (every thread; for PostgreSQL the "
        f"postmaster, following the backends it forks) during pgbench `-t {os.environ.get('STRACE_TXNS', '2000')} "
        f"-c {os.environ.get('STRACE_CLIENTS', '4')}` per mode; writes = write + writev + sendto + sendmsg. "
        "Connection setup and teardown are included, amortised over the transactions."
    )
    out.append(
        f"- memory/idle conn: {os.environ.get('IDLE_CONNS', '1000')} idle, authenticated connections "
        "(raw StartupMessage, read to ReadyForQuery); growth of VmRSS for pgproto and pgwire (a fresh "
        "server per run), of **Pss summed over the postmaster and all its children** for PostgreSQL "
        "(Pss shares shared memory among the processes mapping it; the VmRSS sum would count the "
        "shared buffers each backend touched once per backend)."
    )
    out.append(
        f"- new connections/s: pgbench `-C -M simple -c {os.environ.get('CONN_CLIENTS', '8')}`, "
        "\"tps ... (including reconnection times)\" (one connection per transaction); the CPU row "
        "is the server CPU per such connection+transaction."
    )
    for key, runtime in PGPROTO_BINDINGS[1:]:
        if key in data and key in GOALS:
            out.append(f"- {runtime}/{REFERENCE_RUNTIME}: the goal is {GOALS[key]}.")
    out.append("- Clients use `PGSSLMODE=disable` (no SSLRequest round trip) and trust authentication.")
    for s, label in SERVERS:
        for note in data.get(s, {}).get("notes", []):
            out.append(f"- {label}: {note}")
    failures = [(label, f) for s, label in SERVERS for f in data.get(s, {}).get("failures", [])]
    out.append("")
    out.append("Failures: " + ("none (0 failed transactions in every run)." if not failures else "\n"))
    for label, f in failures:
        out.append(f"- {label}: {f}")
    if any(len(spread(s, f"{m}|{mo}|{c}")) > 1 for s, _ in SERVERS for m, mo, c in rows):
        out.append("")
        out.append("<details><summary>Every run</summary>\n")
        out.append("| measure | mode | clients | " + " | ".join(label for _, label in SERVERS) + " |")
        out.append("|---|---|---|" + "---|" * len(SERVERS))
        for measure, mode, clients in rows:
            key = f"{measure}|{mode}|{clients}"
            cells = [", ".join(fmt(measure, v) for v in spread(s, key)) or "—" for s, _ in SERVERS]
            out.append(f"| {labels[measure]} | {mode} | {clients} | " + " | ".join(cells) + " |")
        out.append("\n</details>")
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text)
    return 0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--out", required=True, help="the results, JSON")
    r.add_argument(
        "--server",
        nargs=3,
        action="append",
        metavar=("NAME", "VERSION", "COMMAND"),
        help="a server to start as COMMAND --listen 127.0.0.1:PORT (COMMAND split as by a shell)",
    )
    r.add_argument("--postgres", metavar="VERSION", help="measure with_pg.sh's PostgreSQL too")
    rep = sub.add_parser("report")
    rep.add_argument("--md", help="also write the table here")
    rep.add_argument("json", help="the results of run")
    args = p.parse_args()
    if args.command == "run":
        if not args.server and args.postgres is None:
            p.error("run needs --server or --postgres")
        return cmd_run(args)
    return cmd_report(args)


if __name__ == "__main__":
    sys.exit(main())
