"""A throwaway PostgreSQL server for the tests: initdb on a temporary folder, loopback
only, a free port, stopped and removed afterwards (the Debian `postgresql` package;
.ci/run installs it when missing)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

LOADER = "poet_loader"
DATABASE = "poet"


def postgres_bin() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError(
        "PostgreSQL server binaries not found: apt-get install postgresql (.ci/run does)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgServer:
    root: Path
    port: int
    bin: Path
    fsync: bool = False  # tests: off (a throwaway server); the benchmark: on

    def url(self, user: str = "postgres", database: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    @property
    def loader_url(self) -> str:
        return self.url(LOADER, DATABASE)

    def _run(self, *argv: str) -> None:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        if not self.fsync:
            options += " -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start"
        )
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE ROLE {LOADER} LOGIN CREATEROLE")
            con.execute(f"CREATE DATABASE {DATABASE} OWNER {LOADER}")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server(fsync: bool = False) -> PgServer:
    root = Path(tempfile.mkdtemp(prefix="poet-pgtest-"))
    server = PgServer(root, _free_port(), postgres_bin(), fsync)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
