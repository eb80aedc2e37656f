"""The labeling config (generated from the schema: every label once) and the settings of the loop."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

from typer.testing import CliRunner

from xxgk.annotation import settings as label_settings
from xxgk.annotation.labelstudio_config import FROM_NAME, RELATION_LABELS_CSS, TEXT_KEY, TO_NAME, label_config
from xxgk.annotation.settings import Credentials, load_settings
from xxgk.cli import app
from xxgk.schema import load_schema

REPO = Path(__file__).resolve().parents[1]


def test_config_follows_the_schema():
    schema = load_schema()
    view = ET.fromstring(label_config())
    assert view.tag == "View"
    labels = view.find("Labels")
    assert labels.attrib == {"name": FROM_NAME, "toName": TO_NAME}
    assert [(x.get("value"), x.get("background"), x.get("hint")) for x in labels] == [
        (e.label, e.color, e.definition) for e in schema.entities
    ]
    assert [x.get("value") for x in view.find("Relations")] == list(schema.relation_labels)
    text = view.find("Text")
    assert text.attrib == {"name": TO_NAME, "value": f"${TEXT_KEY}", "granularity": "symbol",
                           "saveTextResult": "yes"}


def test_relation_labels_are_off_the_text_until_asked_for():
    view = ET.fromstring(label_config())
    assert view.find("Style").text == RELATION_LABELS_CSS
    hide, show = (rule.strip() for rule in RELATION_LABELS_CSS.split("}")[:2])
    assert hide == ".relations-overlay g[transform] { display: none;"  # the label boxes on the arcs
    assert show.endswith("{ display: inline;")
    shown_for = [s.strip() for s in show.split("{")[0].split(",")]
    assert shown_for == [
        ".relations-overlay [class*=_highlighted--] g[transform]",  # hovered in the Relations panel
        "body:has(.htx-highlight[data-label]:not(.htx-no-label)) .relations-overlay g[transform]",  # setting on
    ]
    assert not set("<>&'\"") & set(RELATION_LABELS_CSS)  # the editor escapes these in a <Style>
    assert "showLabels" not in view.find("Text").attrib  # region labels: the annotator's setting decides
    assert view.find("Relations").attrib == {"choice": "single"}


def test_cli_prints_the_config():
    result = CliRunner().invoke(app, ["label", "config"])
    assert result.exit_code == 0
    assert result.output == label_config() + "\n"


def test_settings_bind_to_loopback_only():
    server = load_settings().server
    assert server.host == "127.0.0.1"
    assert server.env["COLLECT_ANALYTICS"] == "false" and server.env["LATEST_VERSION_CHECK"] == "false"
    assert server.env["SENTRY_DSN"] == "" and server.env["FRONTEND_SENTRY_DSN"] == ""
    assert server.url == f"http://127.0.0.1:{server.port}"


def test_the_server_http_clients_go_nowhere_but_loopback():
    env = load_settings().server.env
    for scheme in ("http", "https"):
        assert urlsplit(env[f"{scheme}_proxy"]).hostname == "127.0.0.1"
    assert set(env["no_proxy"].split(",")) == {"127.0.0.1", "localhost", "::1"}


def test_the_data_dir_comes_from_the_project_root_not_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings().server.data_dir == REPO / "runs" / "label-studio"
    absolute = tmp_path / "elsewhere"
    toml = (REPO / "configs" / "labelstudio.toml").read_text(encoding="utf-8")
    (tmp_path / "ls.toml").write_text(toml.replace('"runs/label-studio"', f'"{absolute}"'), encoding="utf-8")
    assert load_settings(tmp_path / "ls.toml").server.data_dir == absolute


def test_an_installed_package_keeps_its_data_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(label_settings, "project_root", lambda: None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert load_settings().server.data_dir == tmp_path / "xxgk" / "runs" / "label-studio"


def test_credentials_are_checked_before_anything_starts():
    for creds, needle in (
        (Credentials("", "pw", "a" * 40), "XXGK_LS_USERNAME"),
        (Credentials("u@x.org", "", ""), "XXGK_LS_PASSWORD, XXGK_LS_TOKEN"),
        (Credentials("u@x.org", "pw", "short"), "40 hex digits"),
    ):
        try:
            creds.check()
        except ValueError as err:
            assert needle in str(err)
        else:
            raise AssertionError(f"{creds} passed")
    Credentials("u@x.org", "pw", "0123456789abcdef" * 2 + "01234567").check()
