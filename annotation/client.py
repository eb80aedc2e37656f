"""Push tasks to and pull gold from a Label Studio server through label-studio-sdk 2.x.

Only this module knows the SDK; what goes over the wire is built and read by
:mod:`xxgk.annotation.convert`. A project is found by its exact title. Pushing is idempotent per
document: a document already in the project is left alone (its tasks may carry annotations), and
the report says, per document and for the project, what changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from xxgk.annotation.convert import GoldResult, dropped, gold_from_tasks, make_tasks
from xxgk.annotation.labelstudio_config import label_config
from xxgk.annotation.server import health
from xxgk.corpus import Corpus
from xxgk.records import AnnotatedDoc
from xxgk.schema import Schema

#: ``sections(text)`` → the ``(start, end)`` spans of a document that become tasks.
Sections = Callable[[str], list[tuple[int, int]]]

IMPORT_BATCH = 100


class LabelStudioError(Exception):
    """The server cannot be reached, refuses the token, or rejects a request."""


def connect(url: str, token: str) -> LabelStudio:
    """An SDK client for the server at ``url``; LabelStudioError when nothing healthy answers there."""
    if not health(url):
        raise LabelStudioError(f"no Label Studio answers at {url}/health; start one with `xxgk label serve`")
    return LabelStudio(base_url=url, api_key=token)


@contextmanager
def talking_to(url: str) -> Iterator[None]:
    """Turn the SDK's API errors into a :class:`LabelStudioError` that says what to do."""
    try:
        yield
    except ApiError as err:
        if err.status_code in (401, 403):
            raise LabelStudioError(
                f"Label Studio at {url} refuses the token (HTTP {err.status_code}): XXGK_LS_TOKEN must be "
                "the token the server's data dir was created with"
            ) from err
        raise LabelStudioError(f"Label Studio at {url} answered HTTP {err.status_code}: {err.body}") from err


def find_project(client: LabelStudio, title: str) -> int | None:
    """The id of the project titled exactly ``title`` (the API's title filter matches substrings)."""
    return next((p.id for p in client.projects.list(title=title) if p.title == title), None)


class ProjectChange(StrEnum):
    """What a push did to the project itself."""

    CREATED = "created"
    CONFIG_UPDATED = "labeling config updated"
    UNCHANGED = "unchanged"


def ensure_project(client: LabelStudio, title: str, config: str) -> tuple[int, ProjectChange]:
    """``(project id, what changed)``: create the project, or bring an existing one's config up to date."""
    project_id = find_project(client, title)
    if project_id is None:
        return client.projects.create(title=title, label_config=config).id, ProjectChange.CREATED
    if client.projects.get(id=project_id).label_config == config:
        return project_id, ProjectChange.UNCHANGED
    client.projects.update(id=project_id, label_config=config)
    return project_id, ProjectChange.CONFIG_UPDATED


def export_tasks(client: LabelStudio, project_id: int) -> list[dict[str, Any]]:
    """Every task of the project with its annotations, in the native JSON export (predictions
    appear there as ids only: read them with ``client.predictions.list``)."""
    chunks = client.projects.exports.download_sync(id=project_id, export_type="JSON", download_all_tasks=True)
    return json.loads(b"".join(chunks))


def with_predictions(tasks: list[dict[str, Any]], predictions: Iterable[Any]) -> list[dict[str, Any]]:
    """The exported tasks with their predictions written out (``id``, ``model_version``,
    ``result``) in place of the ids the native export gives."""
    by_task: dict[int, list[dict[str, Any]]] = {}
    for p in predictions:
        by_task.setdefault(p.task, []).append({"id": p.id, "model_version": p.model_version, "result": p.result})
    return [{**task, "predictions": by_task.get(task.get("id"), [])} for task in tasks]


def doc_ids_in(client: LabelStudio, project_id: int) -> set[str]:
    """Doc ids that already have tasks in the project."""
    return {t["data"]["doc_id"] for t in export_tasks(client, project_id) if "doc_id" in t.get("data", {})}


def project_doc_ids(client: LabelStudio, title: str) -> set[str]:
    """Doc ids that already have tasks in the project titled ``title`` (none when there is none)."""
    project_id = find_project(client, title)
    return set() if project_id is None else doc_ids_in(client, project_id)


@dataclass
class PushReport:
    project_id: int
    project: ProjectChange
    sent: dict[str, int] = field(default_factory=dict)  # doc id → tasks imported now
    already: list[str] = field(default_factory=list)  # in the project before, left alone
    dropped_entities: int = 0  # pre-annotations outside every task (tables) or crossing tasks
    dropped_relations: int = 0

    @property
    def tasks(self) -> int:
        return sum(self.sent.values())


def push(
    client: LabelStudio,
    title: str,
    items: Iterable[tuple[str, str]],
    *,
    predictions: Mapping[str, AnnotatedDoc] | None = None,
    model_version: str = "",
    gold: Mapping[str, AnnotatedDoc] | None = None,
    sections: Sections | None = None,
    schema: Schema | None = None,
) -> PushReport:
    """Create or update the project and import a task per document (or per section) of ``items``
    (``(doc_id, text)`` pairs), with ``predictions`` as pre-annotations and ``gold`` as finished
    annotations when given."""
    predictions, gold = predictions or {}, gold or {}
    project_id, change = ensure_project(client, title, label_config(schema))
    present = set() if change is ProjectChange.CREATED else doc_ids_in(client, project_id)
    report = PushReport(project_id, change)
    tasks: list[dict[str, Any]] = []
    for doc_id, text in items:
        if doc_id in present:
            report.already.append(doc_id)
            continue
        spans = sections(text) if sections else [(0, len(text))]
        prediction = predictions.get(doc_id)
        made = make_tasks(doc_id, text, spans=spans, prediction=prediction, model_version=model_version,
                          annotation=gold.get(doc_id))
        if prediction is not None:
            lost_entities, lost_relations = dropped(prediction, spans)
            report.dropped_entities += lost_entities
            report.dropped_relations += lost_relations
        report.sent[doc_id] = len(made)
        tasks += made
    for start in range(0, len(tasks), IMPORT_BATCH):
        client.projects.import_tasks(id=project_id, request=tasks[start:start + IMPORT_BATCH])
    return report


def pull(client: LabelStudio, title: str, corpus: Corpus, *, prefer_newest: bool = False,
         keep_empty: bool = False) -> GoldResult:
    """Gold records from the project's finished annotations (see :func:`convert.gold_from_tasks`),
    each compared with its task's predictions to record whether it is one of them unchanged."""
    project_id = find_project(client, title)
    if project_id is None:
        raise LabelStudioError(f"no Label Studio project titled {title!r}")
    tasks = with_predictions(export_tasks(client, project_id), client.predictions.list(project=project_id))
    return gold_from_tasks(tasks, corpus, prefer_newest=prefer_newest, keep_empty=keep_empty)
