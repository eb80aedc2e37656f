"""The Label Studio labeling config is generated from the schema: every label once, nothing else."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from typer.testing import CliRunner

from xxgk.annotation.labelstudio_config import FROM_NAME, TEXT_KEY, TO_NAME, label_config
from xxgk.annotation.settings import Credentials, load_settings
from xxgk.cli import app
from xxgk.schema import load_schema


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
