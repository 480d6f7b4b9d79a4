#!/usr/bin/env python3
"""Writes fuzz seeds from .pgcap captures: for decode_backend, each capture's backend byte stream;
for decode_frontend, its frontend stream behind a mode byte (bit 2 set: starts with a startup packet);
for server_connection, the frontend stream behind a mode byte and a chunk-size byte; for
client_connection, the backend stream behind a mode byte."""
import pathlib
import struct
import sys

target, capdir, outdir = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])

if target.startswith("types_"):
    # The type fuzzers read a type-picking byte (an index into core's pg_type table, by OID)
    # then a value: seed them with one typical text per common type (binary: its text bytes,
    # which the fuzzer mutates into shape).
    import re
    table = (pathlib.Path(__file__).parent.parent / "core/src/types/pg_type.rs").read_text()
    names = re.findall(r'oid: \d+,\s*name: "([^"]+)"', table)
    samples = {
        "int4": "-2147483648", "int8": "9223372036854775807", "float8": "1.5e-300", "numeric": "-12345.678900",
        "bool": "yes", "text": "ü€ 'x'", "bytea": "\\x00ff", "date": "2024-02-29 BC", "time": "24:00:00",
        "timetz": "12:34:56.789+05:30", "timestamp": "294276-12-31 23:59:59.999999",
        "timestamptz": "2024-02-29T13:45:00Z", "interval": "1 year -2 mons +3 days -04:05:06.5 ago",
        "uuid": "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}", "json": '{"a": [1, 2.5e3, null]}',
        "jsonb": '{"b": 1, "a": "\\u00e9"}', "inet": "::ffff:1.2.3.4/120", "cidr": "10.1/16",
        "varbit": "x1F", "money": "($1,234.56)", "_int4": "[0:1][1:2]={{1,NULL},{3,4}}",
        "_text": '{"a b",NULL,"\\"q\\""}', "int4range": "[1,5]", "tstzrange": '["2020-01-01 00:00+02",)',
        "int4multirange": "{[1,3),[3,5),empty}", "oid": "-1", "regtype": "double precision",
    }
    for name, text in samples.items():
        if name in names:
            pick = names.index(name)
            (outdir / f"seed-{name}").write_bytes(bytes([pick]) + text.encode())
    sys.exit(0)

for cap in sorted(capdir.glob("*.pgcap")):
    data = cap.read_bytes()
    streams = {b"F": bytearray(), b"B": bytearray()}
    i = 0
    while i + 5 <= len(data):
        d, n = data[i:i + 1], struct.unpack(">I", data[i + 1:i + 5])[0]
        streams[d] += data[i + 5:i + 5 + n]
        i += 5 + n
    if target == "decode_backend":
        seed = bytes(streams[b"B"][:65536])
    elif target == "client_connection":
        # mode byte (no SSL, 1-byte chunks... mode>>2 + 1), then the server's bytes
        seed = bytes([0x40]) + bytes(streams[b"B"][:65536])
    elif target == "server_connection":
        # mode byte (trust, no COPY), chunk-size byte, then the client's bytes
        seed = bytes([0, 7]) + bytes(streams[b"F"][:65536])
    else:
        seed = bytes([4]) + bytes(streams[b"F"][:65536])
    (outdir / f"seed-{cap.stem}").write_bytes(seed)
