"""A network guard for processes under test: loopback only, every other attempt refused and recorded.

:func:`guarded_env` gives the environment that makes any Python process started with it load this
file first (through a ``sitecustomize`` module written into a folder put on ``PYTHONPATH``). From
then on, a name lookup of anything but loopback and a connection to anything but loopback fail at
once, as on a machine without a network, and each attempt is appended to a log as one JSON line:
which call, to where, and from which code. The Label Studio fixture of ``test_label_server.py``
starts the real server this way and asserts that the log stays empty.

The tests below check the guard on a small child process, and that the proxy variables of
``configs/labelstudio.toml`` keep an HTTP client away from the network altogether (no lookup).

Only the standard library is imported here: this file also runs inside the guarded process.
"""

from __future__ import annotations

import errno
import functools
import ipaddress
import json
import os
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The environment variable naming the log; the guard is off when it is not set.
LOG_VARIABLE = "XXGK_TEST_OUTBOUND_LOG"
_SITECUSTOMIZE = """\
import importlib.util

_spec = importlib.util.spec_from_file_location("xxgk_network_guard", {path!r})
_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guard)
_guard.install_from_environment()
"""


def guarded_env(folder: Path, log: Path) -> dict[str, str]:
    """Variables that start a Python process with the guard on, recording to ``log``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_SITECUSTOMIZE.format(path=str(Path(__file__).resolve())),
                                             encoding="utf-8")
    path = [str(folder), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"PYTHONPATH": os.pathsep.join(path), LOG_VARIABLE: str(log)}


def attempts(log: Path) -> list[dict[str, Any]]:
    """The refused attempts recorded in ``log`` (none when the file was never written)."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


def _address(host: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    name = (host.decode() if isinstance(host, bytes) else str(host)).strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_loopback(host: Any) -> bool:
    """True for loopback names and addresses, and for the empty or missing host of a bind."""
    if host is None or host in ("", b"", "localhost", b"localhost"):
        return True
    address = _address(host)
    return address.is_loopback if address else str(host).endswith(".localhost")


def needs_no_lookup(host: Any) -> bool:
    """True when resolving ``host`` asks no name server: loopback, or an address written out (the
    connection to it is what the guard then refuses)."""
    return is_loopback(host) or _address(host) is not None


def install_from_environment() -> None:
    """Install the guard when :data:`LOG_VARIABLE` names a log (called by the ``sitecustomize``)."""
    log = os.environ.get(LOG_VARIABLE)
    if log:
        install(Path(log))


def install(log: Path) -> None:
    """Refuse and record, from now on in this process, every lookup and connection beyond loopback."""
    def refused(call: str, target: Any) -> str:
        stack = [f"{f.filename}:{f.lineno} {f.name}" for f in traceback.extract_stack()[:-2]][-12:]
        line = json.dumps({"pid": os.getpid(), "call": call, "target": repr(target), "stack": stack})
        with log.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return f"{call}({target!r}) refused by the test's network guard"

    def lookup(real: Callable[..., Any], call: str) -> Callable[..., Any]:
        @functools.wraps(real)
        def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not needs_no_lookup(host):
                raise socket.gaierror(socket.EAI_NONAME, refused(call, host))
            return real(host, *args, **kwargs)
        return guarded

    def outbound(address: Any) -> bool:
        return isinstance(address, tuple) and not is_loopback(address[0])  # AF_UNIX paths are local

    real_connect, real_connect_ex, real_sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto

    def connect(sock: socket.socket, address: Any) -> None:
        if outbound(address):
            raise ConnectionRefusedError(errno.ECONNREFUSED, refused("connect", address))
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if outbound(address):
            refused("connect_ex", address)
            return errno.ECONNREFUSED
        return real_connect_ex(sock, address)

    def sendto(sock: socket.socket, data: bytes, *rest: Any) -> int:
        if outbound(rest[-1]):
            raise ConnectionRefusedError(errno.ECONNREFUSED, refused("sendto", rest[-1]))
        return real_sendto(sock, data, *rest)

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        setattr(socket, name, lookup(getattr(socket, name), name))
    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto


# ---------------------------------------------------------------- the guard checked on a child process


def run_guarded(code: str, tmp_path: Path, **env: str) -> tuple[str, list[dict[str, Any]]]:
    """Run ``code`` in a guarded child Python; its stdout and the attempts it made."""
    log = tmp_path / "outbound.jsonl"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **guarded_env(tmp_path / "guard", log), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout, attempts(log)


def test_outbound_lookups_and_connections_are_refused_and_recorded(tmp_path):
    code = """
import socket, urllib.request
for attempt in (lambda: urllib.request.urlopen("https://raw.githubusercontent.com/", timeout=5),
                lambda: socket.create_connection(("192.0.2.1", 80), timeout=5)):
    try:
        attempt()
    except OSError as err:
        print(type(err).__name__)
"""
    out, seen = run_guarded(code, tmp_path)
    assert out.split() == ["URLError", "ConnectionRefusedError"]
    assert [(a["call"], a["target"]) for a in seen] == [("getaddrinfo", "'raw.githubusercontent.com'"),
                                                        ("connect", "('192.0.2.1', 80)")]
    assert any("urllib/request.py" in frame for frame in seen[0]["stack"])  # where it came from


def test_loopback_goes_through(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = f"""
import socket
for host in ("127.0.0.1", "localhost"):
    socket.create_connection((host, {port}), timeout=5).close()
print("ok")
"""
        out, seen = run_guarded(code, tmp_path)
    assert out.strip() == "ok" and seen == []


def test_the_configured_proxy_keeps_http_clients_off_the_network(tmp_path):
    """What Label Studio's tips endpoint does (``requests.get`` of raw.githubusercontent.com), with the
    server's environment from the settings: it fails on loopback, before any name lookup, even when
    the calling shell names a proxy of its own."""
    from xxgk.annotation.settings import load_settings

    code = """
import requests
try:
    requests.get("https://raw.githubusercontent.com/HumanSignal/label-studio/liveContent.json", timeout=5)
except requests.exceptions.ProxyError:
    print("refused on loopback")
"""
    shell = {"HTTPS_PROXY": "http://proxy.example.org:3128", "NO_PROXY": "githubusercontent.com"}
    out, seen = run_guarded(code, tmp_path, **shell, **load_settings().server.env)
    assert out.strip() == "refused on loopback"
    assert seen == []
