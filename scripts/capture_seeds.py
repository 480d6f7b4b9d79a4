#!/usr/bin/env python3
"""Writes fuzz seeds from .pgcap captures: for decode_backend, each capture's backend byte stream;
for decode_frontend, its frontend stream behind a mode byte (bit 2 set: starts with a startup packet);
for server_connection, the frontend stream behind a mode byte and a chunk-size byte; for
client_connection, the backend stream behind a mode byte."""
import pathlib
import struct
import sys

target, capdir, outdir = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
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
