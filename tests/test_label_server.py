"""The Label Studio loop against a real server: push, annotate through the API, pull gold.

The server is started once per session by the same function as ``xxgk label serve`` (free
loopback port, temporary data dir, token via the environment) and stopped at the end. A fresh
data dir takes about a minute to migrate. Skipped only when the server package (the ``label``
extra) is not installed.

It runs with outbound connections refused (``test_label_offline.py``): any name lookup or
connection beyond loopback, from start-up to shut-down, fails and is recorded, and the session
fails if one was recorded. ``test_pages_call_nothing_outside`` loads the pages a browser would,
and the endpoints their scripts call (the tips box's among them).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from label_studio_sdk import LabelStudio
from test_label_offline import attempts, guarded_env
from typer.testing import CliRunner

from xxgk.annotation.client import ProjectChange, connect, export_tasks, find_project, push
from xxgk.annotation.convert import gold_from_tasks
from xxgk.annotation.server import (
    NOT_INSTALLED,
    RunningServer,
    ServerError,
    installed,
    server_command,
    server_env,
    start_server,
)
from xxgk.annotation.settings import ENV_TOKEN, ENV_URL, Credentials, load_settings
from xxgk.cli import app
from xxgk.corpus import Corpus
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256
from xxgk.standoff import load_docs

TEXTS = {
    # outside the BMP: 𠀀 (CJK Extension B) and an emoji, before every span
    "a": "𠀀局在😀门户网站发布信息120条。\n下一步将进一步加强培训。",
    "b": "张三任办公室主任。",
    "c": "2020年，本局在门户网站发布信息120条。",
}


def at(rid: str, text: str, piece: str, label: str, offset: int = 0) -> dict:
    """A span result as the Label Studio front end saves it (offsets relative to the task text)."""
    start = text.index(piece, offset) - offset
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": start + len(piece), "text": piece, "labels": [label]}}


def arc(head: str, tail: str, label: str) -> dict:
    return {"type": "relation", "from_id": head, "to_id": tail, "direction": "right", "labels": [label]}


def entity(eid: str, doc_id: str, piece: str, label: str) -> Entity:
    start = TEXTS[doc_id].index(piece)
    return Entity(eid, start, start + len(piece), label, piece)


CREDENTIALS = Credentials("xxgk-test@example.org", secrets.token_urlsafe(16), secrets.token_hex(20))


@pytest.fixture(scope="session")
def outbound_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the server records the connections it tried beyond loopback (they are all refused)."""
    return tmp_path_factory.mktemp("network") / "outbound.jsonl"


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory, outbound_log: Path) -> Iterator[RunningServer]:
    if not installed():
        pytest.skip(NOT_INSTALLED)
    with pytest.MonkeyPatch.context() as env:
        for name, value in guarded_env(outbound_log.parent / "guard", outbound_log).items():
            env.setenv(name, value)
        server = start_server(load_settings().server, CREDENTIALS,
                              data_dir=tmp_path_factory.mktemp("label-studio"), port=0)
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv(ENV_URL, server.url)
            env.setenv(ENV_TOKEN, CREDENTIALS.token)
            yield server
    finally:
        server.stop()
    assert attempts(outbound_log) == [], "Label Studio tried to reach beyond loopback"


@pytest.fixture
def client(label_studio: RunningServer) -> LabelStudio:
    return connect(label_studio.url, os.environ[ENV_TOKEN])


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    root = tmp_path / "corpus"
    root.mkdir()
    for doc_id, text in TEXTS.items():
        (root / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return Corpus(root)


def predicted(doc_id: str, *entities: Entity, relations: tuple[Relation, ...] = ()) -> AnnotatedDoc:
    return AnnotatedDoc(doc_id, text_sha256(TEXTS[doc_id]), list(entities), list(relations))


def pull(project: str, corpus: Corpus, out: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["label", "pull", "--project", project, "--corpus", str(corpus.root),
                                      "-o", str(out), *options])
    return result.exit_code, result.output


@pytest.mark.labelstudio
def test_server_is_loopback_only(label_studio):
    host = label_studio.url.split("//")[1].split(":")[0]
    assert host == "127.0.0.1"
    assert (label_studio.data_dir / "server.log").exists()
    assert label_studio.fresh and (label_studio.data_dir / "label_studio.sqlite3").exists()
    print(f"Label Studio ready after {label_studio.seconds_to_ready:.1f} s")


@contextmanager
def signed_in(url: str) -> Iterator[httpx.Client]:
    """A browser-like session of the admin: cookies and the CSRF token of the sign-in form."""
    with httpx.Client(base_url=url, follow_redirects=True, timeout=30) as web:
        web.get("/user/login/").raise_for_status()
        form = {"email": CREDENTIALS.username, "password": CREDENTIALS.password,
                "csrfmiddlewaretoken": web.cookies["csrftoken"]}
        web.post("/user/login/", data=form, headers={"Referer": f"{url}/user/login/"}).raise_for_status()
        yield web


@pytest.mark.labelstudio
def test_pages_call_nothing_outside(label_studio, client, outbound_log):
    """The pages an annotator opens, and what their scripts ask the server for; the tips box
    (``/heidi-tips/``) made the server fetch raw.githubusercontent.com on each of them."""
    push(client, "xxgk test pages", [("c", TEXTS["c"])])
    project = find_project(client, "xxgk test pages")
    (task,) = export_tasks(client, project)
    with httpx.Client(base_url=label_studio.url, timeout=30) as anonymous:
        sign_in = anonymous.get("/user/login/")
        assert sign_in.status_code == 200 and 'class="tips"' in sign_in.text  # the page with the tips box
    with signed_in(label_studio.url) as web:
        pages = [web.get(path) for path in (
            "/projects/", f"/projects/{project}/data", f"/projects/{project}/data?task={task['id']}",
            f"/projects/{project}/settings", "/user/account/",
        )]
        calls = [web.get(path) for path in (
            f"/api/projects/{project}", f"/api/tasks/{task['id']}", "/api/current-user/whoami", "/api/version",
            "/feature-flags/", "/__lsa/?__=%7B%7D",
        )]
        tips = web.get("/heidi-tips/")
    assert [r.status_code for r in pages + calls] == [200] * 10 + [204]  # whoami: signed in
    assert not [r.url for r in pages if r.url.path.startswith("/user/login")]
    assert tips.status_code == 404  # the fetch failed on loopback: the page shows the tips it bundles
    for page in (sign_in, *pages):
        assert "googletagmanager" not in page.text and "sentry-cdn" not in page.text  # nothing for the browser
    assert attempts(outbound_log) == []


@pytest.mark.labelstudio
def test_push_annotate_pull(client, corpus, tmp_path):
    title = "xxgk test loop"
    a, b = TEXTS["a"], TEXTS["b"]
    cut = a.index("\n") + 1
    q = a.index("120条")
    preds = {
        "a": predicted("a", entity("e1", "a", "门户网站", "CHANNEL"),
                       Entity("e2", q, q + 4, "QUANTITY", "120条", score=0.9),
                       relations=(Relation("e2", "e1", "VIA", 0.6),)),
        "b": predicted("b", Entity("e1", 0, 2, "PERSON", "张三", score=0.4)),
    }
    report = push(client, title, [("a", a)], predictions=preds, model_version="test-1",
                  sections=lambda text: [(0, text.index("\n") + 1), (text.index("\n") + 1, len(text))])
    assert report.project is ProjectChange.CREATED and report.sent == {"a": 2}
    report = push(client, title, [("a", a), ("b", b)], predictions=preds, model_version="test-1")
    assert report.project is ProjectChange.UNCHANGED and report.already == ["a"] and report.sent == {"b": 1}

    tasks = {(t["data"]["doc_id"], t["data"]["offset"]): t for t in export_tasks(client, report.project_id)}
    assert sorted(tasks) == [("a", 0), ("a", cut), ("b", 0)]
    (pre,) = client.predictions.list(task=tasks[("a", 0)]["id"])
    assert pre.model_version == "test-1" and pre.score == pytest.approx((0.9 + 0.6) / 2)
    spans = {r["id"]: r.get("score") for r in pre.result if r["type"] == "labels"}
    assert spans == {"e1": None, "e2": 0.9}
    assert next(r for r in pre.result if r["type"] == "relation")["labels"] == ["VIA"]

    # annotators: two spans and a relation in the first section, a commitment in the second
    sec1, sec2 = a[:cut], a[cut:]
    client.annotations.create(id=tasks[("a", 0)]["id"], result=[
        at("Ab3kq9", sec1, "门户网站", "CHANNEL"), at("Zz81Lp", sec1, "信息", "ITEM"),
        at("Qx0wRt", sec1, "120条", "QUANTITY"),
        arc("Qx0wRt", "Zz81Lp", "COUNT_OF"), arc("Qx0wRt", "Ab3kq9", "VIA"),
    ])
    client.annotations.create(id=tasks[("a", cut)]["id"],
                              result=[at("Kc7", sec2, "进一步加强培训", "COMMITMENT")])
    client.annotations.create(id=tasks[("b", 0)]["id"], result=[
        at("p", b, "张三", "PERSON"), at("o", b, "办公室", "ORG"), at("r", b, "主任", "POSITION"),
        arc("p", "r", "HOLDS"), arc("r", "o", "POST_IN"),
    ])

    code, output = pull(title, corpus, tmp_path / "gold.jsonl")
    assert code == 0, output
    gold = {d.doc_id: d for d in load_docs(tmp_path / "gold.jsonl", corpus)}
    for doc in gold.values():  # where each came from: corrected pre-annotations, not the model's output
        origin = doc.extra.pop("label_studio")
        assert origin["model_version"] == "test-1" and origin["unchanged_prediction"] is False
        assert len(origin["annotation_ids"]) == len(tasks_of(doc.doc_id, tasks))
    assert gold["a"].to_dict() == predicted(
        "a", entity("Ab3kq9", "a", "门户网站", "CHANNEL"), entity("Zz81Lp", "a", "信息", "ITEM"),
        entity("Qx0wRt", "a", "120条", "QUANTITY"), entity("Kc7", "a", "进一步加强培训", "COMMITMENT"),
        relations=(Relation("Qx0wRt", "Zz81Lp", "COUNT_OF"), Relation("Qx0wRt", "Ab3kq9", "VIA")),
    ).to_dict()
    assert gold["b"].to_dict() == predicted(
        "b", entity("p", "b", "张三", "PERSON"), entity("o", "b", "办公室", "ORG"),
        entity("r", "b", "主任", "POSITION"),
        relations=(Relation("p", "r", "HOLDS"), Relation("r", "o", "POST_IN")),
    ).to_dict()
    assert gold["a"].entities[2].start == TEXTS["a"].index("120条") == 12  # code points, not UTF-16 (15)


def tasks_of(doc_id: str, tasks: dict) -> list[dict]:
    return [t for (d, _), t in tasks.items() if d == doc_id]


@pytest.mark.labelstudio
def test_unchanged_and_empty_submissions_are_named(client, corpus, tmp_path):
    """An annotator who submits a pre-annotation as it came, or submits nothing at all."""
    title = "xxgk test unchanged"
    c, b = TEXTS["c"], TEXTS["b"]
    preds = {"c": predicted("c", entity("d", "c", "2020年", "DATE"), entity("w", "c", "门户网站", "CHANNEL"))}
    push(client, title, [("c", c), ("b", b)], predictions=preds, model_version="test-2")
    tasks = {t["data"]["doc_id"]: t for t in export_tasks(client, find_project(client, title))}
    (pre,) = client.predictions.list(task=tasks["c"]["id"])
    as_the_editor_sends = [{**r, "origin": "prediction"} for r in pre.result]
    client.annotations.create(id=tasks["c"]["id"], result=as_the_editor_sends, parent_prediction=pre.id)
    client.annotations.create(id=tasks["b"]["id"], result=[])

    (exported,) = [t for t in export_tasks(client, find_project(client, title)) if t["data"]["doc_id"] == "c"]
    stored = exported["annotations"][0]
    assert exported["predictions"] == [pre.id]  # what 1.23.2 exports: prediction ids, the one the annotation
    assert stored["parent_prediction"] == pre.id  # started from, and the prediction seen when it was saved
    assert (stored["prediction"]["id"], stored["prediction"]["model_version"]) == (pre.id, "test-2")
    offline = gold_from_tasks(export_tasks(client, find_project(client, title)), corpus)  # `xxgk label convert`
    assert offline.unchanged == ["c"] and offline.empty == ["b"]

    code, output = pull(title, corpus, tmp_path / "gold.jsonl")
    assert code == 0, output
    flat = " ".join(output.split())
    assert "1 document(s) submitted with empty annotations, left out (--keep-empty writes them): b" in flat
    assert "1 document(s) are the model's pre-annotations submitted unchanged" in flat
    (doc,) = load_docs(tmp_path / "gold.jsonl", corpus)
    assert doc.doc_id == "c" and [e.text for e in doc.entities] == ["2020年", "门户网站"]
    assert doc.extra["label_studio"] == {"annotation_ids": [exported["annotations"][0]["id"]],
                                         "model_version": "test-2", "unchanged_prediction": True}

    code, output = pull(title, corpus, tmp_path / "kept.jsonl", "--keep-empty")
    assert code == 0, output
    kept = {d.doc_id: d for d in load_docs(tmp_path / "kept.jsonl", corpus)}
    assert kept["b"].entities == [] and kept["b"].extra["label_studio"]["unchanged_prediction"] is False


@pytest.mark.labelstudio
def test_two_annotations_are_a_disagreement(client, corpus, tmp_path):
    title = "xxgk test disagreement"
    c = TEXTS["c"]
    push(client, title, [("c", c)])
    (only,) = export_tasks(client, find_project(client, title))
    date = at("d", c, "2020年", "DATE")
    client.annotations.create(id=only["id"], result=[date, at("w", c, "门户网站", "CHANNEL")])
    client.annotations.create(id=only["id"], result=[date, at("n", c, "120条", "QUANTITY")])

    code, output = pull(title, corpus, tmp_path / "skip.jsonl")
    assert code == 0, output
    assert "several annotations" in output and "0.500" in output and "doc skipped" in output
    assert (tmp_path / "skip.jsonl").read_text(encoding="utf-8") == ""

    code, output = pull(title, corpus, tmp_path / "newest.jsonl", "--prefer", "newest")
    assert code == 0, output
    (doc,) = load_docs(tmp_path / "newest.jsonl", corpus)
    assert [(e.id, e.text) for e in doc.entities] == [("d", "2020年"), ("n", "120条")]


class FakeModel:
    """Scores only: the fewer characters a document has, the surer the model (no spaCy needed)."""

    name = "fake-1"

    def predict(self, items):
        for doc_id, text in items:
            guess = Entity("e1", 0, 1, "ORG", text[0], score=1 / len(text))
            yield AnnotatedDoc(doc_id, text_sha256(text), [guess])


@pytest.mark.labelstudio
def test_cli_push_selects_the_least_sure_documents(client, corpus, monkeypatch):
    monkeypatch.setattr("xxgk.models.registry.load_model", lambda name: FakeModel())
    args = ["label", "push", "--project", "xxgk test select", "--corpus", str(corpus.root), "--model", "fake"]
    result = CliRunner().invoke(app, [*args, "--select", "uncertain", "-n", "1"])
    assert result.exit_code == 0, result.output
    assert "1 of 3 by uncertain" in result.output
    (only,) = export_tasks(client, find_project(client, "xxgk test select"))
    longest = max(TEXTS, key=lambda d: len(TEXTS[d]))
    assert only["data"]["doc_id"] == longest
    assert [p.model_version for p in client.predictions.list(task=only["id"])] == ["fake-1"]
    assert "(id " in result.output and "): created" in result.output
    assert f"│ {longest} " in result.output and "1 entities, 0 relations" in result.output
    again = CliRunner().invoke(app, [*args, "--select", "random", "-n", "5"])
    assert again.exit_code == 0, again.output
    assert "2 of 2 by random" in again.output and "): unchanged" in again.output
    assert "sent 2 document(s), 2 task(s):" in again.output
    assert f"already in the project, left alone (1): {longest}" in again.output
    assert len(export_tasks(client, find_project(client, "xxgk test select"))) == 3


@pytest.mark.labelstudio
def test_cli_push_says_what_changed(client, corpus):
    """Nothing is "updated" when nothing changed; a config that drifted is brought back and said so."""
    args = ["label", "push", "--project", "xxgk test report", "--corpus", str(corpus.root), "--docs", "b,c"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "): created" in first.output and "sent 2 document(s), 2 task(s):" in first.output
    assert "│ b " in first.output and "│ c " in first.output and "updated" not in first.output
    same = CliRunner().invoke(app, args)
    assert same.exit_code == 0, same.output
    assert "): unchanged" in same.output and "nothing sent" in same.output
    assert "already in the project, left alone (2): b, c" in same.output and "updated" not in same.output
    project = find_project(client, "xxgk test report")
    client.projects.update(id=project, label_config='<View><Text name="text" value="$text"/></View>')
    drifted = CliRunner().invoke(app, args)
    assert drifted.exit_code == 0, drifted.output
    assert "): labeling config updated" in drifted.output and "nothing sent" in drifted.output


def test_command_binds_loopback_and_env_turns_telemetry_off(tmp_path):
    settings = load_settings().server
    command = server_command(settings.host, 8123)
    assert command[command.index("--internal-host") + 1] == "127.0.0.1"
    assert "--host" not in command and "--no-browser" in command
    env = server_env(settings, tmp_path, Credentials("u@x.org", "pw", "f" * 40))
    assert env["COLLECT_ANALYTICS"] == "false" and env["LATEST_VERSION_CHECK"] == "false"
    assert env["SENTRY_DSN"] == "" and env["LABEL_STUDIO_USER_TOKEN"] == "f" * 40
    assert env["LABEL_STUDIO_BASE_DATA_DIR"] == str(tmp_path.resolve())


@pytest.mark.skipif(not installed(), reason=NOT_INSTALLED)
def test_a_busy_port_is_refused(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ServerError, match="already in use"):
            start_server(load_settings().server, Credentials("u@x.org", "pw", "f" * 40),
                         data_dir=tmp_path, port=port)
