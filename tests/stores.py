"""External SPARQL stores the backend tests start on 127.0.0.1: Oxigraph's server (PyPI
`oxigraph`) and Virtuoso (Debian's `virtuoso-opensource`), each in a temporary folder."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Store:
    """A running store: where to query it, where to update it, with which credentials."""

    query_url: str
    update_url: str
    user: str = ""
    password: str = ""
    auth: str = "basic"


def wait_until_answering(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"the store exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the store at {url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[Store]:
    """`oxigraph serve` on a fresh on-disk store (the binary is the one installed with the tests)."""
    binary = Path(sys.executable).with_name("oxigraph")
    command = str(binary) if binary.exists() else shutil.which("oxigraph")
    assert command, "the oxigraph server is part of the test dependencies (pip install -e '.[test]')"
    port = free_port()
    arguments = [command, "serve", "--location", str(folder / "oxigraph"), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(arguments,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/query", process)
        yield Store(f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/update")
    finally:
        stop(process)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@contextmanager
def virtuoso(folder: Path) -> Iterator[Store]:
    """Debian's Virtuoso 7 on a fresh database; updates go to /sparql-auth with Digest
    authentication as its administrator (dba, the password of a new database)."""
    command = shutil.which("virtuoso-t")
    assert command, "Virtuoso is installed by tests/run (Debian's virtuoso-opensource)"
    http, sql = free_port(), free_port()
    folder.mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, sql=sql, http=http), encoding="utf-8")
    process = subprocess.Popen([command, "+foreground", "+configfile", str(ini)], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_answering(f"http://127.0.0.1:{http}/sparql", process)
        yield Store(f"http://127.0.0.1:{http}/sparql", f"http://127.0.0.1:{http}/sparql-auth",
                    "dba", "dba", "digest")
    finally:
        stop(process)
