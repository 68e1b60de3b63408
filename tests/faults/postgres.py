"""A throwaway PostgreSQL server for fault tests: ``initdb`` into a temporary directory,
``pg_ctl start`` on a free port of 127.0.0.1 (socket in that directory, trust auth), stopped
and started again at will. The machine's shared server (port 5432) is never touched.

initdb refuses to run as root: when the tests run as root, every server command runs as the
``postgres`` OS user (``runuser -u postgres --``) in a directory that user owns.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

SERVER_USER = "postgres"
COMMAND_TIMEOUT = 120


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def find_bindir() -> Path | None:
    """The folder of the newest installed ``initdb`` and ``pg_ctl`` (Debian keeps them under
    ``/usr/lib/postgresql/<major>/bin``), or ``None``."""
    candidates = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    candidates.sort(
        key=lambda bindir: int(bindir.parent.name) if bindir.parent.name.isdigit() else 0
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.insert(0, Path(on_path).resolve().parent)
    for bindir in reversed(candidates):
        if (bindir / "pg_ctl").exists():
            return bindir
    return None


def unavailable_reason() -> str | None:
    """Why no throwaway server can be made here, or ``None`` when one can."""
    if find_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


class ThrowawayPostgres:
    """One PostgreSQL cluster in ``root``, listening on 127.0.0.1:``port`` only."""

    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir, self.root, self.port = bindir, root, port
        self.data = root / "data"
        self.log_path = root / "server.log"
        #: Plain ``postgresql://`` URL of the server's ``postgres`` database.
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(
            command,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}\n{self.log_tail()}"
            )

    def init(self) -> None:
        self._run(
            "initdb",
            *("-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"),
            *("--no-locale", "--no-sync"),
        )

    def start(self) -> None:
        """Start and wait until the server accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            *("-D", str(self.data), "-l", str(self.log_path), "-o", options),
            *("-w", "-t", "60", "start"),
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop and wait until the server is down: ``fast`` aborts the open transactions and
        disconnects every client, as a database restart in production does."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def throwaway_postgres(bindir: Path) -> Iterator[ThrowawayPostgres]:
    """A fresh cluster, started; stopped (immediately) and deleted on exit."""
    root = Path(tempfile.mkdtemp(prefix="coworking-faults-pg-"))
    try:
        if os.geteuid() == 0:
            server_user = pwd.getpwnam(SERVER_USER)
            os.chown(root, server_user.pw_uid, server_user.pw_gid)
        server = ThrowawayPostgres(bindir, root, free_port())
        server.init()
        server.start()
        try:
            yield server
        finally:
            if server.is_running():
                server.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)
