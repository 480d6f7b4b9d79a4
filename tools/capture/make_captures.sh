#!/usr/bin/env bash
# Record raw PostgreSQL 15 wire-protocol sessions with pgcapture.py.
#
#   bash tools/capture/make_captures.sh OUTDIR
#
# Starts a throw-away PostgreSQL 15 cluster on 127.0.0.1, puts the pgcapture
# relay in front of it and runs psql, pgbench and raw_session.py through the
# relay (sslmode=disable, so every byte is plaintext).  On success OUTDIR gets
# conn-NNNN.pgcap files (old conn-*.pgcap files there are replaced) and a
# manifest.txt saying which step produced which capture.  On failure OUTDIR is
# left untouched and the script exits non-zero.
#
# Environment: PYTHON (default python3), KEEP_WORK=1 keeps the temp directory.
#
# The server is started by tools/pg/with_pg.sh, which runs this script once
# more (with PGPROTO_CAPTURE_WORK set) to do the recording; the first run owns
# the work directory.

set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUTDIR=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-python3}
PGBIN=/usr/lib/postgresql/15/bin

if [ -z "${PGPROTO_CAPTURE_WORK:-}" ]; then
    # ---- first run: work directory, then the server via tools/pg/with_pg.sh ----
    if [ ! -x "$PGBIN/postgres" ]; then
        echo "PostgreSQL 15 not found in $PGBIN; installing" >&2
        apt-get update && apt-get install -y postgresql
    fi

    WORK=$(mktemp -d /tmp/pgcapture.XXXXXX)
    cleanup() {
        local rc=$?
        set +e
        if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then
            echo "work directory kept: $WORK" >&2
        else
            rm -rf "$WORK"
        fi
        exit $rc
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    PG_PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "initdb in $WORK/data (port $PG_PORT)" >&2
    PG_CONF="ssl = off
synchronous_commit = off
full_page_writes = off
lc_messages = 'C'
timezone = 'UTC'
password_encryption = 'scram-sha-256'"
    PG_HBA="# TYPE  DATABASE  USER        ADDRESS       METHOD
local   all       all                       trust
host    all       trust_user  127.0.0.1/32  trust
host    all       md5_user    127.0.0.1/32  md5
host    all       scram_user  127.0.0.1/32  scram-sha-256
host    all       clear_user  127.0.0.1/32  password"
    status=0
    PGPROTO_CAPTURE_WORK=$WORK PGPROTO_PG_WORK=$WORK PGPROTO_PG_PORT=$PG_PORT \
        PGPROTO_PG_CONF=$PG_CONF PGPROTO_PG_HBA=$PG_HBA \
        bash "$HERE/../pg/with_pg.sh" bash "$HERE/$(basename "${BASH_SOURCE[0]}")" "$OUTDIR" \
        || status=$?
    # with_pg.sh exits 3 when the server does not start; the second run (which
    # creates $WORK/captures first) never ran then, and this script exits 1.
    if [ $status -eq 3 ] && [ ! -d "$WORK/captures" ]; then
        status=1
    fi
    exit $status
fi

# ---- second run, inside with_pg.sh: the server is up ----
WORK=$PGPROTO_CAPTURE_WORK
PG_PORT=$PGPORT
CAPDIR=$WORK/captures
mkdir -p "$CAPDIR"
PSQL=$PGBIN/psql
PGBENCH=$PGBIN/pgbench
[ -x "$PSQL" ] || PSQL=$(command -v psql)
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench)

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

RELAY_PID=

cleanup() {
    local rc=$?
    set +e
    if [ -n "$RELAY_PID" ] && kill -0 "$RELAY_PID" 2>/dev/null; then
        kill -TERM "$RELAY_PID"
        wait "$RELAY_PID" 2>/dev/null
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FAILURES=()
fail() {
    echo "FAILED: $*" >&2
    FAILURES+=("$*")
}

# --------------------------------------------------------------------------
# PostgreSQL cluster (started by with_pg.sh)

unset PGPASSWORD PGUSER PGDATABASE PGHOST PGHOSTADDR PGPORT PGSERVICE PGOPTIONS PGSSLMODE PGGSSENCMODE PGREQUIRESSL || true
export PGSSLMODE=disable PGGSSENCMODE=disable PGCONNECT_TIMEOUT=20

"$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PG_PORT" -U postgres -d postgres <<'EOF'
CREATE ROLE trust_user LOGIN PASSWORD 'trust_pw';
SET password_encryption = 'md5';
CREATE ROLE md5_user LOGIN PASSWORD 'md5_pw';
SET password_encryption = 'scram-sha-256';
CREATE ROLE scram_user LOGIN PASSWORD 'scram_pw';
CREATE ROLE clear_user LOGIN PASSWORD 'clear_pw';
CREATE DATABASE capdb OWNER trust_user;
EOF

# --------------------------------------------------------------------------
# relay

RELAY_LOG=$WORK/relay.log

start_relay() {  # start_relay UPSTREAM FIRST_INDEX
    RELAY_PORT=$(free_port)
    "$PYTHON" "$HERE/pgcapture.py" --listen "127.0.0.1:$RELAY_PORT" --upstream "$1" \
        --out "$CAPDIR" --first-index "$2" --max-seconds 900 2>>"$RELAY_LOG" &
    RELAY_PID=$!
    for _ in $(seq 100); do
        if grep -q "listening on 127.0.0.1:$RELAY_PORT" "$RELAY_LOG" 2>/dev/null; then
            return 0
        fi
        kill -0 "$RELAY_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "relay did not start" >&2
    cat "$RELAY_LOG" >&2
    exit 1
}

stop_relay() {
    sleep 0.5  # let the last connections finish closing
    kill -TERM "$RELAY_PID"
    wait "$RELAY_PID" || fail "relay exited with status $?"
    RELAY_PID=
}

capture_count() {
    find "$CAPDIR" -maxdepth 1 -name 'conn-*.pgcap' | wc -l
}

MANIFEST=$WORK/manifest.txt
: >"$MANIFEST"
STEP_FIRST=0
step_begin() { STEP_FIRST=$(( $(capture_count) + 1 )); }
step_end() {  # step_end NAME
    sleep 0.3
    local last
    last=$(capture_count)
    local i
    for (( i = STEP_FIRST; i <= last; i++ )); do
        printf 'conn-%04d.pgcap  %s\n' "$i" "$1" >>"$MANIFEST"
    done
    if (( last < STEP_FIRST )); then
        fail "step $1 produced no capture"
    fi
}

start_relay "127.0.0.1:$PG_PORT" 1
echo "relay on 127.0.0.1:$RELAY_PORT -> 127.0.0.1:$PG_PORT" >&2

R_ARGS=(-h 127.0.0.1 -p "$RELAY_PORT")
PSQL_R=("$PSQL" -X "${R_ARGS[@]}")

# --- a. psql: simple-protocol variety --------------------------------------
cat >"$WORK/session_a.sql" <<'EOF'
SELECT 1;
SELECT 1 \; SELECT 'a'::text, NULL, 2.5::numeric;
CREATE TABLE things (
    id int PRIMARY KEY,
    name text,
    price numeric(10, 2),
    seen timestamptz,
    tags text[],
    doc jsonb,
    blob bytea,
    ok boolean,
    ratio float8
);
INSERT INTO things VALUES
    (1, 'apple', 1.25, '2024-01-02 03:04:05+00', '{red,green}', '{"a": 1}', '\xdeadbeef', true, 0.5),
    (2, 'banana', 0.99, '2024-02-03 04:05:06+00', '{yellow}', '{"b": [1, 2]}', '\x00ff', false, -1e10),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN'),
    (4, 'ünïcødé ☃', 1000000.01, 'infinity', '{}', 'null', '', true, 3.141592653589793);
SELECT * FROM things ORDER BY id;
\d things
;
SELECT 1/0;
DO $$ BEGIN RAISE NOTICE 'hi'; END $$;
LISTEN ch;
NOTIFY ch, 'payload';
BEGIN;
INSERT INTO things (id, name) VALUES (5, 'in transaction');
UPDATE things SET price = 2.50 WHERE id = 1;
COMMIT;
BEGIN;
INSERT INTO things (id, name) VALUES (6, 'doomed');
SELECT 1/0;
SELECT 'ignored in a failed transaction';
ROLLBACK;
CREATE TABLE big (id int, v text);
INSERT INTO big SELECT 1, repeat('x', 100000);
SELECT id, length(v), v FROM big;
DELETE FROM things WHERE id = 5;
EOF
step_begin
"${PSQL_R[@]}" -U trust_user -d capdb -f "$WORK/session_a.sql" >"$WORK/session_a.out" 2>&1 \
    || fail "psql session a (status $?)"
grep -q 'division by zero' "$WORK/session_a.out" || fail "session a: no division by zero error"
grep -q 'NOTICE:  hi' "$WORK/session_a.out" || fail "session a: no NOTICE"
grep -q 'Asynchronous notification "ch" with payload "payload"' "$WORK/session_a.out" \
    || fail "session a: no notification"
step_end "psql trust_user: simple queries, multi-statement, \\d, empty query, errors, NOTICE, LISTEN/NOTIFY, transactions, 100000-char value"

# --- b. psql: COPY ------------------------------------------------------------
{
    echo "CREATE TABLE copytest (id int PRIMARY KEY, name text, amount numeric, note text);"
    echo '\copy copytest FROM STDIN'
    for i in $(seq 1 300); do
        printf '%d\tname %d\t%d.%02d\t%s\n' "$i" "$i" "$i" $(( i % 100 )) \
            "$( ((i % 7 == 0)) && echo '\N' || echo "note with\ttab $i")"
    done
    echo '\.'
    echo "SELECT count(*) FROM copytest;"
    echo '\copy copytest TO STDOUT'
    echo "COPY copytest FROM STDIN;"
    # The server fails at the bad row and then ignores the rest of the CopyData
    # until CopyDone (its ErrorResponse usually lands after psql's CopyDone).
    for i in $(seq 1001 1050); do
        printf '%d\tgood %d\t%d\tfiller filler filler filler\n' "$i" "$i" "$i"
    done
    printf 'not_a_number\tbad row\t0\tx\n'
    for i in $(seq 1051 1450); do
        printf '%d\tafter bad %d\t%d\tfiller filler filler filler\n' "$i" "$i" "$i"
    done
    echo '\.'
    echo "SELECT count(*) AS still_300 FROM copytest;"
    echo "COPY (SELECT id, name, amount, note, id % 2 = 0 AS even, now()::date - id AS day FROM copytest WHERE id <= 40 ORDER BY id) TO STDOUT (FORMAT binary);"
    echo "COPY (SELECT id, name FROM copytest WHERE id <= 5 ORDER BY id) TO STDOUT (FORMAT csv, HEADER);"
} >"$WORK/session_b.sql"
step_begin
"${PSQL_R[@]}" -U trust_user -d capdb -f "$WORK/session_b.sql" >"$WORK/session_b.out" 2>&1 \
    || fail "psql session b (status $?)"
grep -q 'invalid input syntax for type integer' "$WORK/session_b.out" \
    || fail "session b: bad COPY did not fail as intended"
grep -q '^PGCOPY' "$WORK/session_b.out" || fail "session b: no binary COPY output"
step_end "psql trust_user: \\copy FROM STDIN (300 rows), \\copy TO STDOUT, COPY FROM STDIN failing mid-copy, COPY TO STDOUT binary and csv"

# --- c. pgbench ---------------------------------------------------------------
# Initialise directly against PostgreSQL (not captured).
"$PGBENCH" -i -s 1 -q -h "$WORK" -p "$PG_PORT" -U trust_user capdb >"$WORK/pgbench_init.log" 2>&1 \
    || { cat "$WORK/pgbench_init.log" >&2; fail "pgbench -i"; }
for mode in extended:5 prepared:5 simple:3; do
    m=${mode%%:*}
    t=${mode##*:}
    step_begin
    "$PGBENCH" "${R_ARGS[@]}" -U trust_user -M "$m" -t "$t" -c 1 capdb >"$WORK/pgbench_$m.log" 2>&1 \
        || { cat "$WORK/pgbench_$m.log" >&2; fail "pgbench -M $m"; }
    step_end "pgbench -M $m -t $t -c 1 (trust_user)"
done

# --- d. password authentication ---------------------------------------------------
for who in md5 scram clear; do
    step_begin
    out=$(PGPASSWORD=${who}_pw "${PSQL_R[@]}" -w -A -t -U "${who}_user" -d capdb -c 'SELECT current_user' 2>&1) \
        || fail "login as ${who}_user: $out"
    [ "$out" = "${who}_user" ] || fail "login as ${who}_user printed: $out"
    step_end "psql login as ${who}_user (password auth), SELECT current_user"
done
step_begin
if out=$(PGPASSWORD=wrong_pw "${PSQL_R[@]}" -w -U scram_user -d capdb -c 'SELECT current_user' 2>&1); then
    fail "login as scram_user with a wrong password succeeded"
else
    case $out in
        *"password authentication failed"*) ;;
        *) fail "wrong-password login failed differently: $out" ;;
    esac
fi
step_end "psql login as scram_user with a WRONG password (fails with 28P01)"

# --- e. hand-written protocol messages ------------------------------------------
RAW=("$PYTHON" "$HERE/raw_session.py" --host 127.0.0.1 --port "$RELAY_PORT" --user trust_user --database capdb)
raw_step() {  # raw_step SCENARIO DESCRIPTION [extra args]
    local scenario=$1 desc=$2
    shift 2
    step_begin
    "${RAW[@]}" --only "$scenario" "$@" 2>>"$WORK/raw_session.log" || fail "raw_session $scenario"
    step_end "raw_session $scenario: $desc"
}
raw_step pq_option "StartupMessage 3.0 with _pq_.some_option -> NegotiateProtocolVersion (0x00030000, 1 option); empty Query"
raw_step minor_version "StartupMessage 3.2 (196610) -> NegotiateProtocolVersion (version field 0x00030000, no options)"
raw_step extended "Parse/Bind(binary+NULL params, binary results)/Describe P+S/Execute limit 1 -> PortalSuspended/Execute/Close P+S/Flush/Sync; NoData + ParameterStatus; parse error; empty extended query; CopyFail"
raw_step function_call "FunctionCall abs(int4) (oid 1397), binary arg/result, then Sync"
raw_step cancel "connection running pg_sleep(2) (gets 57014) + CancelRequest connection"
raw_step ssl_request "SSLRequest answered 'N', then startup on the same connection"
raw_step gssenc_request "GSSENCRequest over TCP (a GSSAPI-enabled build answers 'G'; the client then hangs up)" --gss-answer any

stop_relay

# Over a Unix socket the server answers GSSENCRequest with 'N'.  Relay TCP -> Unix socket.
start_relay "$WORK/.s.PGSQL.$PG_PORT" $(( $(capture_count) + 1 ))
RAW=("$PYTHON" "$HERE/raw_session.py" --host 127.0.0.1 --port "$RELAY_PORT" --user trust_user --database capdb)
raw_step gssenc_request "GSSENCRequest relayed to the Unix socket, answered 'N', then startup on the same connection" --gss-answer N
stop_relay

# --------------------------------------------------------------------------
# check that every capture parses into whole frames

"$PYTHON" - "$CAPDIR" >"$WORK/check.log" 2>&1 <<'PYEOF' || { cat "$WORK/check.log" >&2; fail "capture check"; }
import collections, os, struct, sys

SSL, GSS, CANCEL = 80877103, 80877104, 80877102
FRONT = set(b"QPBDECHSXFdcfp")
BACK = set(b"RKSZTDCEN AI123ntsGHWcdvV".replace(b" ", b""))

def records(data):
    pos = 0
    while pos < len(data):
        d = data[pos:pos + 1]
        if d not in (b"F", b"B") or pos + 5 > len(data):
            raise ValueError(f"bad record header at {pos}")
        (n,) = struct.unpack_from(">I", data, pos + 1)
        payload = data[pos + 5:pos + 5 + n]
        if len(payload) != n:
            raise ValueError(f"truncated record at {pos}")
        yield d, payload
        pos += 5 + n

def tagged(stream, pos, allowed, out):
    while pos < len(stream):
        if pos + 5 > len(stream):
            raise ValueError(f"partial frame header at {pos}")
        tag = stream[pos]
        (n,) = struct.unpack_from(">I", stream, pos + 1)
        if tag not in allowed or n < 4 or pos + 1 + n > len(stream):
            raise ValueError(f"bad frame tag {chr(tag)!r} len {n} at {pos}")
        out[chr(tag)] += 1
        pos += 1 + n

def check(path):
    f = bytearray(); b = bytearray(); nrec = 0
    for d, p in records(open(path, "rb").read()):
        (f if d == b"F" else b).extend(p); nrec += 1
    ftags, btags = collections.Counter(), collections.Counter()
    pos, answers = 0, 0
    while pos < len(f):  # untagged startup-phase packets
        (n,) = struct.unpack_from(">I", f, pos)
        (code,) = struct.unpack_from(">I", f, pos + 4)
        if n < 8 or pos + n > len(f):
            raise ValueError(f"bad startup packet len {n}")
        pos += n
        if code in (SSL, GSS):
            ftags["<ssl>" if code == SSL else "<gssenc>"] += 1
            answers += 1
            continue
        ftags["<cancel>" if code == CANCEL else f"<startup {code >> 16}.{code & 0xffff}>"] += 1
        break
    bpos = 0
    encrypted = False
    for _ in range(answers):
        if bpos >= len(b):
            break
        a = chr(b[bpos]); bpos += 1
        btags[f"<answer {a}>"] += 1
        if a in "SG":
            encrypted = True
    if encrypted:
        if pos != len(f) or bpos != len(b):
            raise ValueError("traffic after an accepted encryption request")
    else:
        tagged(f, pos, FRONT, ftags)
        tagged(b, bpos, BACK, btags)
    return nrec, len(f), len(b), ftags, btags

total_f, total_b = collections.Counter(), collections.Counter()
bad = 0
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".pgcap"):
        continue
    try:
        nrec, nf, nb, ft, bt = check(os.path.join(sys.argv[1], name))
    except Exception as exc:
        print(f"{name}: BAD: {exc}"); bad += 1; continue
    total_f.update(ft); total_b.update(bt)
    fmt = lambda c: " ".join(f"{k}:{v}" for k, v in sorted(c.items()))
    print(f"{name}: {nrec} records, F {nf} bytes [{fmt(ft)}], B {nb} bytes [{fmt(bt)}]")
print("frontend message totals:", dict(sorted(total_f.items())))
print("backend message totals:", dict(sorted(total_b.items())))
sys.exit(1 if bad else 0)
PYEOF

if [ ${#FAILURES[@]} -gt 0 ]; then
    echo "${#FAILURES[@]} step(s) failed; $OUTDIR left untouched. Logs:" >&2
    for f in "$RELAY_LOG" "$WORK/raw_session.log" "$WORK/check.log"; do
        [ -f "$f" ] && { echo "== $f" >&2; tail -n 40 "$f" >&2; }
    done
    exit 1
fi

# --------------------------------------------------------------------------
# publish

mkdir -p "$OUTDIR"
rm -f "$OUTDIR"/conn-*.pgcap "$OUTDIR/manifest.txt"
cp "$CAPDIR"/conn-*.pgcap "$OUTDIR"/
{
    echo "# pgcapture captures of PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), made by tools/capture/make_captures.sh"
    echo "# format: records of 1 byte direction (F|B), u32 BE length, payload (one recv() each)"
    cat "$MANIFEST"
} >"$OUTDIR/manifest.txt"
cat "$WORK/raw_session.log" "$WORK/check.log" >&2

nfiles=$(find "$OUTDIR" -maxdepth 1 -name 'conn-*.pgcap' | wc -l)
nbytes=$(find "$OUTDIR" -maxdepth 1 -name 'conn-*.pgcap' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
echo "captures: $nfiles files, $nbytes bytes in $OUTDIR"
