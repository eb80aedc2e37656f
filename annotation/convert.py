"""Label Studio tasks ⇄ stand-off records, both ways, without loss.

A task shows ``data.text``: a whole document, or one section of it. ``data.doc_id``,
``data.offset`` (where the task text starts in the document) and ``data.text_sha256`` (of the
whole document) travel with it, so offsets map back to the document. Entities become ``labels``
results whose ``id`` is the entity id (plus ``score`` and ``norm`` when the entity has them);
relations become ``relation`` results (``from_id`` → ``to_id``, direction ``right``). A
document's other fields (``note``, provenance…) ride in the task's ``meta.xxgk``.

Pulled documents record where they came from in the extra field ``label_studio``: the ids of
the annotations taken, the model version of the task's pre-annotations, and whether the
annotation is that pre-annotation submitted unchanged (:func:`provenance`). A document whose
annotations are all empty is left out unless asked for (``keep_empty``): an empty submission is
more often a slip than a report with nothing to annotate.

Offsets are Python code points on both sides. Label Studio's server stores and exports offsets
verbatim; the 1.23 front end counts code points for new regions but not everywhere (see
annotation/README.md), so a result whose offsets do not cut out its own ``text`` is tried as
UTF-16 code units before it is reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from statistics import fmean
from typing import Any

from xxgk.annotation.labelstudio_config import FROM_NAME, TEXT_KEY, TO_NAME
from xxgk.annotation.select import confidence
from xxgk.corpus import Corpus, CorpusError
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256
from xxgk.schema import Schema, load_schema
from xxgk.standoff import check_doc

#: Key of ``task.meta`` holding the document's fields beyond entities and relations.
META_KEY = "xxgk"
#: Extra field of a pulled document: which annotations it came from (see :func:`provenance`).
ORIGIN_KEY = "label_studio"


# ---------------------------------------------------------------- records → tasks


def doc_part(doc: AnnotatedDoc, start: int, end: int) -> AnnotatedDoc:
    """The entities inside ``[start, end)`` and the relations between two of them (document offsets)."""
    inside = [e for e in doc.entities if start <= e.start and e.end <= end]
    ids = {e.id for e in inside}
    relations = [r for r in doc.relations if r.head in ids and r.tail in ids]
    return AnnotatedDoc(doc.doc_id, doc.text_sha256, inside, relations, doc.extra)


def results(doc: AnnotatedDoc, offset: int = 0) -> list[dict[str, Any]]:
    """Label Studio results of a record, offsets made relative to ``offset`` (a task's start)."""
    return [_entity_result(e, offset) for e in doc.entities] + [_relation_result(r) for r in doc.relations]


def _entity_result(e: Entity, offset: int) -> dict[str, Any]:
    value = {"start": e.start - offset, "end": e.end - offset, "text": e.text, "labels": [e.label]}
    out: dict[str, Any] = {"id": e.id, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
                           "value": value}
    if e.norm is not None:
        out["norm"] = e.norm
    if e.score is not None:
        out["score"] = e.score
    return out


def _relation_result(r: Relation) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "relation", "from_id": r.head, "to_id": r.tail, "direction": "right",
                           "labels": [r.label]}
    if r.score is not None:
        out["score"] = r.score
    return out


def make_tasks(
    doc_id: str,
    text: str,
    *,
    spans: Sequence[tuple[int, int]] | None = None,
    prediction: AnnotatedDoc | None = None,
    model_version: str = "",
    annotation: AnnotatedDoc | None = None,
) -> list[dict[str, Any]]:
    """Tasks for one document: one per ``(start, end)`` span (the whole text by default), each
    with the prediction as a pre-annotation (scored by :func:`~xxgk.annotation.select.confidence`,
    so Label Studio can sort by it) and/or the annotation as a finished one."""
    sha = text_sha256(text)
    for doc in (prediction, annotation):
        if doc is not None and (doc.doc_id, doc.text_sha256) != (doc_id, sha):
            raise ValueError(f"annotations of {doc.doc_id!r} were not made on the text of {doc_id!r}")
    tasks = []
    for start, end in spans if spans is not None else [(0, len(text))]:
        task: dict[str, Any] = {
            "data": {TEXT_KEY: text[start:end], "doc_id": doc_id, "text_sha256": sha, "offset": start},
        }
        if annotation is not None:
            if annotation.extra:
                task["meta"] = {META_KEY: annotation.extra}
            task["annotations"] = [{"result": results(doc_part(annotation, start, end), start)}]
        if prediction is not None:
            part = doc_part(prediction, start, end)
            pred: dict[str, Any] = {"model_version": model_version, "result": results(part, start)}
            score = confidence(part)
            if score is not None:
                pred["score"] = score
            task["predictions"] = [pred]
        tasks.append(task)
    return tasks


def tasks_from_gold(docs: Iterable[AnnotatedDoc], corpus: Corpus) -> list[dict[str, Any]]:
    """Whole-document tasks carrying each record as a finished annotation (offline export)."""
    return [t for doc in docs for t in make_tasks(doc.doc_id, corpus.text(doc.doc_id), annotation=doc)]


def dropped(doc: AnnotatedDoc, spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """Entities and relations of ``doc`` that no task of ``spans`` shows (in tables, or crossing)."""
    parts = [doc_part(doc, start, end) for start, end in spans]
    return (len(doc.entities) - sum(len(p.entities) for p in parts),
            len(doc.relations) - sum(len(p.relations) for p in parts))


# ---------------------------------------------------------------- tasks → records


@dataclass(frozen=True)
class Issue:
    """Why a document (or one task of it) did not become gold."""

    doc_id: str
    task_id: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        task = f" task {self.task_id}" if self.task_id is not None else ""
        return f"doc {self.doc_id or '?'}{task}: [{self.kind}] {self.message}"


@dataclass(frozen=True)
class Disagreement:
    """A task with several annotations: their agreement and which one (if any) was taken."""

    doc_id: str
    task_id: int | None
    annotation_ids: tuple[Any, ...]
    f1: float
    taken: Any | None


@dataclass
class GoldResult:
    docs: list[AnnotatedDoc] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # docs with a task nobody has annotated yet
    empty: list[str] = field(default_factory=list)  # docs whose every annotation is empty
    unchanged: list[str] = field(default_factory=list)  # docs that are the pre-annotation, unchanged
    utf16_spans: int = 0  # spans whose offsets were UTF-16 code units, converted to code points


def strict_f1(a: Iterable[tuple[int, int, str]], b: Iterable[tuple[int, int, str]]) -> float:
    """Strict entity F1 of two annotations (same span and label), symmetric; 1.0 when both are
    empty. Equals xxgk.eval's strict micro F1 of one scored against the other."""
    set_a, set_b = set(a), set(b)
    if not set_a and not set_b:
        return 1.0
    return 2 * len(set_a & set_b) / (len(set_a) + len(set_b))


def _spans_of(annotation: dict[str, Any]) -> set[tuple[int, int, str]]:
    return {
        (r["value"].get("start"), r["value"].get("end"), ",".join(r["value"].get("labels", [])))
        for r in annotation.get("result", []) if r.get("type") == "labels"
    }


def choose_annotation(task: dict[str, Any], prefer_newest: bool) -> tuple[dict | None, Disagreement | None]:
    """The task's one finished annotation; with several, a disagreement (mean pairwise strict F1)
    and the newest one only when ``prefer_newest``. Skipped (cancelled) annotations do not count."""
    done = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
    if len(done) <= 1:
        return (done[0] if done else None), None
    f1 = fmean(strict_f1(_spans_of(x), _spans_of(y)) for x, y in combinations(done, 2))
    newest = max(done, key=lambda a: (a.get("updated_at") or a.get("created_at") or "", a.get("id") or 0))
    taken = newest if prefer_newest else None
    doc_id = task.get("data", {}).get("doc_id", "")
    ids = tuple(a.get("id") for a in done)
    return taken, Disagreement(doc_id, task.get("id"), ids, f1, taken.get("id") if taken else None)


def content(results: Iterable[dict[str, Any]]) -> tuple[Counter, Counter]:
    """What a list of results says, whatever ids and display fields it carries: its spans
    (offsets and labels) and its arcs (between spans, ``left`` turned around, with labels)."""
    results = list(results)
    spans = {r.get("id"): _span_key(r.get("value", {})) for r in results if r.get("type") == "labels"}
    arcs = Counter()
    for r in results:
        if r.get("type") == "relation":
            ends = (spans.get(r.get("from_id")), spans.get(r.get("to_id")))
            head, tail = ends[::-1] if r.get("direction") == "left" else ends
            arcs[head, tail, r.get("direction") == "bi", tuple(sorted(r.get("labels") or []))] += 1
    return Counter(spans.values()), arcs


def _span_key(value: dict[str, Any]) -> tuple[Any, Any, tuple[str, ...]]:
    return value.get("start"), value.get("end"), tuple(sorted(value.get("labels", [])))


def predictions_of(task: dict[str, Any], annotation: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's pre-annotations with their results: the task's ``predictions`` when written out
    (as :func:`make_tasks` and the client's pull give them; a native export lists ids only), else
    the prediction Label Studio stored with the annotation when it was saved, if any."""
    written = [p for p in task.get("predictions") or [] if isinstance(p, dict) and "result" in p]
    stored = annotation.get("prediction")
    return written or ([stored] if isinstance(stored, dict) and "result" in stored else [])


def provenance(chosen: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any] | None:
    """Where a document's gold came from, given its ``(task, annotation taken)`` pairs: the
    annotation ids, the model version of the pre-annotations (None without any) and whether every
    annotation is its task's pre-annotation submitted unchanged (then the "gold" is the model's
    output). None for annotations that never were in Label Studio (no ids: made offline)."""
    ids = [annotation.get("id") for _, annotation in chosen]
    if all(i is None for i in ids):
        return None
    predictions = [predictions_of(task, annotation) for task, annotation in chosen]
    versions = sorted({str(p.get("model_version") or "") for preds in predictions for p in preds})
    unchanged = all(
        any(content(annotation.get("result", [])) == content(p["result"]) for p in preds)
        for (_, annotation), preds in zip(chosen, predictions, strict=True)
    )
    return {"annotation_ids": ids, "model_version": ", ".join(versions) if versions else None,
            "unchanged_prediction": unchanged}


def code_point_offset(text: str, units: int) -> int | None:
    """The code-point index of UTF-16 offset ``units`` in ``text``; None if it falls inside a
    surrogate pair or past the end."""
    position = 0
    for index, char in enumerate(text):
        if position == units:
            return index
        position += 2 if ord(char) > 0xFFFF else 1
        if position > units:
            return None
    return len(text) if position == units else None


def resolve_span(text: str, start: Any, end: Any, expected: str | None) -> tuple[int, int, bool] | None:
    """``(start, end, was_utf16)`` in code points, or None when the offsets cannot be right.

    Without ``expected`` text the offsets are taken as code points; with it, they must cut it out
    of ``text`` either as code points or, failing that, as UTF-16 code units.
    """
    if type(start) is not int or type(end) is not int:
        return None
    if expected is None or text[start:end] == expected:
        return (start, end, False) if 0 <= start < end <= len(text) else None
    cp_start, cp_end = code_point_offset(text, start), code_point_offset(text, end)
    if None not in (cp_start, cp_end) and text[cp_start:cp_end] == expected:
        return cp_start, cp_end, True
    return None


@dataclass
class _DocBuilder:
    """Entities and relations of one document, gathered task by task."""

    doc_id: str
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    utf16_spans: int = 0

    def add(self, task_id: int | None, results: list[dict[str, Any]], task_text: str, offset: int) -> None:
        used = {e.id for e in self.entities}
        ids: dict[str, str] = {}
        arcs: list[dict[str, Any]] = []
        for n, result in enumerate(results):
            kind = result.get("type")
            if kind == "relation":
                arcs.append(result)
            elif kind == "labels":
                result_id = str(result.get("id") or f"r{n + 1}")
                entity_id = _unique(result_id, used)
                if self._entity(task_id, result, entity_id, task_text, offset):
                    ids[result_id] = entity_id
                    used.add(entity_id)
            else:
                self.issue(task_id, "result", f"result #{n + 1} of type {kind!r} is not a span or relation")
        for arc in arcs:
            self._relation(task_id, arc, ids)

    def _entity(self, task_id: int | None, result: dict[str, Any], entity_id: str, task_text: str,
                offset: int) -> bool:
        value = result.get("value", {})
        labels = value.get("labels", [])
        if len(labels) != 1:
            self.issue(task_id, "result", f"region {entity_id} has labels {labels}, expected exactly one")
            return False
        span = resolve_span(task_text, value.get("start"), value.get("end"), value.get("text"))
        if span is None:
            self.issue(task_id, "offsets", f"region {entity_id} [{value.get('start')}:{value.get('end')}] "
                        f"{labels[0]} {value.get('text')!r} matches the task text neither as code points "
                        "nor as UTF-16 units")
            return False
        start, end, utf16 = span
        self.utf16_spans += utf16
        self.entities.append(Entity(entity_id, offset + start, offset + end, labels[0], task_text[start:end],
                                    result.get("norm"), result.get("score")))
        return True

    def _relation(self, task_id: int | None, arc: dict[str, Any], ids: dict[str, str]) -> None:
        ends = (arc.get("from_id"), arc.get("to_id"))
        direction = arc.get("direction", "right")
        if direction not in ("right", "left"):
            self.issue(task_id, "relation", f"relation {ends[0]} – {ends[1]} is {direction!r}; "
                        "schema relations are directed (right or left)")
            return
        head, tail = ends if direction == "right" else ends[::-1]
        if head not in ids or tail not in ids:
            self.issue(task_id, "relation", f"relation {head} → {tail} names no span of this task")
            return
        labels = arc.get("labels") or []
        if not labels:
            self.issue(task_id, "relation", f"relation {head} → {tail} has no label")
        score = arc.get("score")
        self.relations.extend(Relation(ids[head], ids[tail], label, score) for label in labels)

    def issue(self, task_id: int | None, kind: str, message: str) -> None:
        self.issues.append(Issue(self.doc_id, task_id, kind, message))


def _unique(entity_id: str, used: set[str]) -> str:
    """``entity_id``, or ``entity_id-2``, ``-3``… when another task of the document used it."""
    candidate, n = entity_id, 1
    while candidate in used:
        n += 1
        candidate = f"{entity_id}-{n}"
    return candidate


def shape_problem(task: Any) -> str | None:
    """What makes a task unreadable as Label Studio's export (None when its shape is right):
    checked before anything is taken from it, so a hand-edited or damaged export gets a reason,
    not a traceback."""
    if not isinstance(task, dict):
        return f"is a {type(task).__name__}, not a task object"
    data = task.get("data")
    if not isinstance(data, dict):
        return "has no data object"
    if not isinstance(data.get(TEXT_KEY), str) or not data.get(TEXT_KEY):
        return f"has no data.{TEXT_KEY} (the text its spans point into)"
    if not isinstance(data.get("offset", 0), int):
        return "data.offset is not an integer"
    annotations = task.get("annotations", [])
    if not isinstance(annotations, list) or not all(isinstance(a, dict) for a in annotations):
        return "annotations is not a list of annotation objects"
    for a in annotations:
        results = a.get("result", [])
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            return f"annotation {a.get('id')}: result is not a list of objects"
        for r in results:
            if r.get("type") != "labels":
                continue
            value = r.get("value")
            if not isinstance(value, dict):
                return f"annotation {a.get('id')}, region {r.get('id')}: value is {value!r}, not an object"
            where = f"annotation {a.get('id')}, region {r.get('id')}"
            for key in ("start", "end"):
                if not isinstance(value.get(key), int) or isinstance(value.get(key), bool):
                    return f"{where}: {key} is {value.get(key)!r}, not an integer"
            if not isinstance(value.get("labels"), list):
                return f"{where}: labels is not a list"
    return None


def gold_from_tasks(
    tasks: Iterable[dict[str, Any]], corpus: Corpus, *, prefer_newest: bool = False,
    keep_empty: bool = False, schema: Schema | None = None,
) -> GoldResult:
    """Gold records from Label Studio's native JSON export (a list of tasks).

    A document becomes gold only when every one of its tasks has exactly one finished
    annotation (or ``prefer_newest`` settles several) and the result passes the same checks as
    any gold file (:func:`xxgk.standoff.check_doc`); otherwise it is left out and said why. A
    document whose annotations are all empty is listed in ``empty`` and left out unless
    ``keep_empty``; one that is its pre-annotation unchanged is listed in ``unchanged``.
    """
    schema = schema or load_schema()
    out = GoldResult()
    by_doc: dict[str, list[dict[str, Any]]] = {}
    broken: set[str] = set()
    for n, task in enumerate(tasks, 1):
        data = task.get("data") if isinstance(task, dict) else None
        doc_id = data.get("doc_id") if isinstance(data, dict) else None
        task_id = task.get("id") if isinstance(task, dict) else None
        if not isinstance(doc_id, str) or not doc_id:
            out.issues.append(Issue("", task_id, "task", f"task #{n} has no data.doc_id"))
            continue
        if (problem := shape_problem(task)) is not None:
            out.issues.append(Issue(doc_id, task_id, "task", f"task #{n} {problem}"))
            broken.add(doc_id)
            continue
        by_doc.setdefault(doc_id, []).append(task)
    for doc_id, doc_tasks in by_doc.items():
        if doc_id in broken:
            continue
        doc = _doc_from_tasks(doc_id, doc_tasks, corpus, prefer_newest, keep_empty, schema, out)
        if doc is not None:
            out.docs.append(doc)
    return out


def _doc_from_tasks(doc_id: str, tasks: list[dict[str, Any]], corpus: Corpus, prefer_newest: bool,
                    keep_empty: bool, schema: Schema, out: GoldResult) -> AnnotatedDoc | None:
    try:
        text = corpus.text(doc_id)
    except CorpusError as err:
        out.issues.append(Issue(doc_id, None, "unknown-doc", str(err)))
        return None
    sha = text_sha256(text)
    builder = _DocBuilder(doc_id)
    chosen: list[tuple[dict[str, Any], dict[str, Any]]] = []
    waiting = undecided = False
    for task in sorted(tasks, key=lambda t: t.get("data", {}).get("offset", 0)):
        task_id, data = task.get("id"), task.get("data", {})
        offset, task_text = data.get("offset", 0), data.get(TEXT_KEY, "")
        if data.get("text_sha256", sha) != sha:
            builder.issue(task_id, "hash", "data.text_sha256 is not the hash of the corpus text")
            continue
        if not isinstance(offset, int) or text[offset:offset + len(task_text)] != task_text:
            builder.issue(task_id, "task-text", f"data.text is not the corpus text at offset {offset}")
            continue
        annotation, disagreement = choose_annotation(task, prefer_newest)
        if disagreement is not None:
            out.disagreements.append(disagreement)
        if annotation is None:
            undecided = undecided or disagreement is not None
            waiting = waiting or disagreement is None
            continue
        builder.add(task_id, annotation.get("result", []), task_text, offset)
        chosen.append((task, annotation))
    out.utf16_spans += builder.utf16_spans
    out.issues.extend(builder.issues)
    if waiting:
        out.pending.append(doc_id)
    if builder.issues or waiting or undecided:
        return None
    if not any(annotation.get("result") for _, annotation in chosen):
        out.empty.append(doc_id)
        if not keep_empty:
            return None
    doc = AnnotatedDoc(doc_id, sha, builder.entities, builder.relations, _extra(tasks, chosen))
    problems = check_doc(doc, text, schema)
    out.issues.extend(Issue(doc_id, None, kind, message) for kind, message in problems)
    if problems:
        return None
    if doc.extra.get(ORIGIN_KEY, {}).get("unchanged_prediction"):
        out.unchanged.append(doc_id)
    return doc


def _extra(tasks: list[dict[str, Any]], chosen: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """The document's fields that rode in ``task.meta``, with its :func:`provenance` when pulled."""
    extra = dict(next((t["meta"][META_KEY] for t in tasks if META_KEY in (t.get("meta") or {})), {}))
    origin = provenance(chosen)
    if origin is not None:
        extra[ORIGIN_KEY] = origin
    return extra
