"""pgcli against a PostgreSQL-compatible server, run non-interactively as a subprocess of this venv's
Python: `--ping` connects with the password (SCRAM forced through PGREQUIREAUTH, which pgcli's libpq
honours) and must answer PONG; `-c` runs one query and must print its value. pgcli runs its own
start-up queries too. Its config and log go to a temporary folder.

    python py_pgcli.py --host H --port P --user U --password PW --dbname D
"""

import os
import subprocess
import sys
import tempfile

from scenario import Steps, check, parse_args

CLIENT = "pgcli"


def pgcli(a, *args):
    with tempfile.TemporaryDirectory() as config:
        env = dict(os.environ, PGPASSWORD=a.password, PGREQUIREAUTH="scram-sha-256",
                   PGCONNECT_TIMEOUT="10", XDG_CONFIG_HOME=config)
        done = subprocess.run(
            [sys.executable, "-m", "pgcli.main", "-h", a.host, "-p", str(a.port), "-U", a.user,
             "-d", a.dbname, "-w", "--less-chatty", *args],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    out = done.stdout + done.stderr
    check(done.returncode == 0, f"exit status {done.returncode}: {out.strip()[-300:]}")
    return out


def main():
    a = parse_args(__doc__)
    steps = Steps(CLIENT)
    if not steps.run("connect", lambda: check("PONG" in pgcli(a, "--ping"), "no PONG")):
        steps.done()
    steps.run("select1", lambda: check("pgcli-42" in pgcli(a, "-t", "-c", "SELECT 'pgcli-' || (40 + 2)"),
                                       "the query's value is not in the output"))
    steps.done()


if __name__ == "__main__":
    main()
