"""Settings of the Label Studio loop: ``configs/labelstudio.toml`` plus credentials from the environment.

Credentials never live in a file of the repository: the admin user and the API token come from
``XXGK_LS_USERNAME``, ``XXGK_LS_PASSWORD`` and ``XXGK_LS_TOKEN`` (or command-line options), so the
same values start the server and let the client in.

The data dir never depends on the working directory: a relative ``data_dir`` is taken from the
project root (the checkout holding ``configs/`` and ``pyproject.toml``), or, when xxgk is installed
as a package and there is no checkout, from the user's data folder (``$XDG_DATA_HOME/xxgk``).
Starting ``serve`` from another folder used to open a new, empty Label Studio without a word.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from xxgk.schema import config_path

ENV_USERNAME = "XXGK_LS_USERNAME"
ENV_PASSWORD = "XXGK_LS_PASSWORD"
ENV_TOKEN = "XXGK_LS_TOKEN"
ENV_URL = "XXGK_LS_URL"

# Label Studio keeps the legacy token in a 40-character key column; 40 hex digits always fit.
TOKEN_PATTERN = re.compile(r"[0-9a-f]{40}")
TOKEN_HINT = "40 hex digits, e.g. from: python -c 'import secrets; print(secrets.token_hex(20))'"


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    data_dir: Path
    startup_timeout: float
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class LabelSettings:
    server: ServerSettings
    select_seed: int


@dataclass(frozen=True)
class Credentials:
    """The admin account the server creates on first start and the token the client sends."""

    username: str
    password: str
    token: str

    def check(self) -> None:
        """Raise ValueError naming every missing or malformed value (before a server is started)."""
        missing = [name for name, value in (
            (ENV_USERNAME, self.username), (ENV_PASSWORD, self.password), (ENV_TOKEN, self.token),
        ) if not value]
        if missing:
            raise ValueError(f"set {', '.join(missing)} (or pass the matching options)")
        if not TOKEN_PATTERN.fullmatch(self.token):
            raise ValueError(f"{ENV_TOKEN} must be {TOKEN_HINT}")


def project_root() -> Path | None:
    """The checkout xxgk runs from (the folder above ``configs/``, holding ``pyproject.toml``);
    None when xxgk is installed as a package."""
    root = config_path("labelstudio.toml").parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def user_data_home() -> Path:
    """``$XDG_DATA_HOME/xxgk`` (``~/.local/share/xxgk`` by default): relative data dirs of an
    installed package live there."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "xxgk"


def resolve_data_dir(path: Path) -> Path:
    """``path`` if absolute (``~`` expanded), else under the project root (or the user data home)."""
    path = path.expanduser()
    return path if path.is_absolute() else (project_root() or user_data_home()) / path


def load_settings(path: str | Path | None = None) -> LabelSettings:
    """The loop's settings: ``configs/labelstudio.toml`` unless another file is given."""
    file = Path(path) if path else config_path("labelstudio.toml")
    with file.open("rb") as fh:
        data = tomllib.load(fh)
    server = data["server"]
    return LabelSettings(
        server=ServerSettings(
            host=server["host"],
            port=int(server["port"]),
            data_dir=resolve_data_dir(Path(server["data_dir"])),
            startup_timeout=float(server["startup_timeout"]),
            env={k: str(v) for k, v in server.get("env", {}).items()},
        ),
        select_seed=int(data["select"]["seed"]),
    )
