"""Start and stop a local Label Studio server (the ``label`` extra): loopback only, offline, no telemetry.

One function, :func:`start_server`, serves ``xxgk label serve`` and the test fixture alike. The
server runs as ``python -c 'label_studio.server.main()' start`` of this interpreter, in its own
process group (so stopping it also stops its workers), with every setting passed through the
environment, and is ready once ``GET /health`` answers.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from xxgk.annotation.settings import Credentials, ServerSettings

NOT_INSTALLED = "Label Studio server not installed (pip install -e '.[label]')"
#: Label Studio's sqlite database in its data dir: absent until the first start there.
DATABASE = "label_studio.sqlite3"
_MAIN = "import sys; from label_studio.server import main; sys.exit(main())"


class ServerError(RuntimeError):
    """The server could not be started, or did not become healthy in time."""


def installed() -> bool:
    """True when the ``label-studio`` server package (the ``label`` extra) can be imported."""
    return importlib.util.find_spec("label_studio") is not None


def free_port(host: str) -> int:
    """A port the OS says is free on ``host`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((host, port)) == 0


def server_env(settings: ServerSettings, data_dir: Path, credentials: Credentials) -> dict[str, str]:
    """The server's environment: ours plus the settings' telemetry switches, data dir and admin."""
    return {
        **os.environ,
        **settings.env,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir.resolve()),
        "LABEL_STUDIO_USERNAME": credentials.username,
        "LABEL_STUDIO_PASSWORD": credentials.password,
        "LABEL_STUDIO_USER_TOKEN": credentials.token,
    }


def server_command(host: str, port: int) -> list[str]:
    """``label-studio start`` bound to ``host`` (``--internal-host``; ``--host`` is only a URL prefix)."""
    return [sys.executable, "-c", _MAIN, "start", "--no-browser",
            "--internal-host", host, "--port", str(port)]


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    log: Path
    seconds_to_ready: float
    fresh: bool  # the data dir had no database: Label Studio started empty

    def stop(self, timeout: float = 20.0) -> None:
        """Terminate the server's process group; kill it if it has not exited after ``timeout``."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_server(
    settings: ServerSettings,
    credentials: Credentials,
    *,
    data_dir: Path | None = None,
    port: int | None = None,
    timeout: float | None = None,
) -> RunningServer:
    """Start Label Studio and wait for ``GET /health``; the log goes to ``DATA_DIR/server.log``.

    ``data_dir`` defaults to the settings' (absolute: see :func:`~xxgk.annotation.settings.resolve_data_dir`);
    a relative one given here is taken from the working folder, as any path argument.

    ``port`` 0 picks a free one. A busy port is an error here: Label Studio itself would quietly
    move to the next free port, and the client would then talk to whatever holds this one.
    """
    if not installed():
        raise ServerError(NOT_INSTALLED)
    try:
        credentials.check()
    except ValueError as err:
        raise ServerError(str(err)) from err
    host = settings.host
    port = settings.port if port is None else port
    port = port or free_port(host)
    if port_in_use(host, port):
        raise ServerError(f"port {port} on {host} is already in use (another Label Studio?); choose --port")
    data_dir = Path(data_dir or settings.data_dir).resolve()
    fresh = not (data_dir / DATABASE).exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "server.log"
    began = time.monotonic()
    with log.open("ab") as sink:
        process = subprocess.Popen(
            server_command(host, port), env=server_env(settings, data_dir, credentials),
            stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    server = RunningServer(process, f"http://{host}:{port}", data_dir, log, 0.0, fresh)
    try:
        wait_healthy(server.url, process, settings.startup_timeout if timeout is None else timeout, log)
    except BaseException:
        server.stop()
        raise
    server.seconds_to_ready = time.monotonic() - began
    return server


def health(url: str) -> bool:
    """True when ``GET url/health`` answers ``{"status": "UP"}``."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            return json.loads(response.read()).get("status") == "UP"
    except (OSError, ValueError):
        return False


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    """Poll ``/health`` until it is up; ServerError (with the log's tail) if the process dies or
    ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"Label Studio exited with code {process.returncode}:\n{_tail(log)}")
        if health(url):
            return
        time.sleep(0.5)
    raise ServerError(f"Label Studio not healthy at {url} after {timeout:.0f} s:\n{_tail(log)}")


def token_accepted(url: str, token: str) -> bool:
    """True when the server takes ``token``; False when a data dir made with another one refuses it."""
    request = urllib.request.Request(f"{url}/api/current-user/whoami",
                                     headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10):
            return True
    except urllib.error.HTTPError as err:
        if err.code in (401, 403):
            return False
        raise


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
