"""What each mode shows: its result dict (see :mod:`xxgk.eval.summary`) laid out as report blocks.

The same blocks go to the terminal and to ``report.md``/``report.html``; plots are drawn only
for the files (``plots=True``), since drawing them is the slow part. A label that occurs in
neither gold nor predictions has no score: its cells read "–" (its JSON figures are zeros).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xxgk.eval import plots as draw
from xxgk.eval.relations import GOLD_ENTITIES
from xxgk.eval.report import NA, Block, Heading, Image, Table, Text

Result = Mapping[str, Any]
Fig = Mapping[str, Any]
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")
REL_COUNTS = ("correct", "missed", "spurious", "possible", "actual")


def occurs(fig: Fig) -> bool:
    return bool(fig["possible"] or fig["actual"])


def f3(x: float) -> str:
    return f"{x:.3f}"


def signed(x: float) -> str:
    return f"{x:+.3f}"


def span(ci: Sequence[float]) -> str:
    return f"{ci[0]:.3f}–{ci[1]:.3f}"


def signed_span(ci: Sequence[float] | None) -> str:
    return "too few docs" if ci is None else f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"


def p_value(p: float | None) -> str:
    if p is None:
        return NA
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def metric(fig: Fig, name: str = "f1") -> str:
    return f3(fig[name]) if occurs(fig) else NA


def interval(fig: Fig) -> str:
    return span(fig["ci"]["f1"]) if occurs(fig) else NA


def with_ci(fig: Fig) -> str:
    return f"{fig['f1']:.3f} ({span(fig['ci']['f1'])})" if occurs(fig) else NA


def prf_cells(fig: Fig) -> tuple[str, ...]:
    """P, R, F1 and the F1 interval of a summed figure."""
    return metric(fig, "precision"), metric(fig, "recall"), metric(fig), interval(fig)


def doc_cells(fig: Fig) -> tuple[str, ...]:
    """P, R, F1 of a document's figure (documents have no interval)."""
    return metric(fig, "precision"), metric(fig, "recall"), metric(fig)


def _series(figs: Sequence[Fig]) -> draw.Series:
    return [f["f1"] for f in figs], [f["ci"]["f1"][0] for f in figs], [f["ci"]["f1"][1] for f in figs]


def _variant_figs(block: Mapping[str, Any]) -> tuple[list[str], list[Fig]]:
    """Micro, then each label that occurs, of one variant's figures."""
    labels = [label for label, fig in block["labels"].items() if occurs(fig)]
    return ["micro", *labels], [block["micro"], *(block["labels"][label] for label in labels)]


def _f1_plot(name: str, block: Mapping[str, Any], title: str) -> Image:
    groups, figs = _variant_figs(block)
    return Image(name, draw.f1_bars(groups, {"F1": _series(figs)}, title), title)


def _notes(notes: Mapping[str, Sequence[str]], prefix: str = "") -> list[Block]:
    out: list[Block] = []
    if missing := notes.get("missing_predictions"):
        out.append(Text(f"{prefix}warning: no prediction for {len(missing)} gold document(s), "
                        f"scored as empty: {', '.join(missing)}"))
    if ignored := notes.get("ignored_unknown"):
        out.append(Text(f"{prefix}skipped predictions for {len(ignored)} document(s) not in gold "
                        f"(--ignore-unknown): {', '.join(ignored)}"))
    return out


def _about(result: Result) -> Text:
    boot = result["bootstrap"]
    return Text(
        f"Gold: {result['gold']} (split: {result['split']}), corpus: {result['corpus']}, "
        f"schema v{result['schema_version']}. Intervals: {boot['level']:.0%} {boot['interval']} bootstrap "
        f"over {boot['unit']}s, {boot['resamples']} resamples, seed {boot['seed']}."
    )


# --- xxgk eval -------------------------------------------------------------------------------------


def _micro_table(family: Mapping[str, Any], counts: Sequence[str]) -> Table:
    """Micro figures, one column per mode or variant (narrow enough for a terminal)."""
    micro = [b["micro"] for b in family.values()]
    rows = [(k, *(str(fig[k]) for fig in micro)) for k in counts]
    rows += [(name, *cells) for name, *cells in zip(("P", "R", "F1", "F1 95% CI"),
                                                     *(prf_cells(fig) for fig in micro), strict=True)]
    rows.append(("macro F1", *(f3(b["macro"]["f1"]) for b in family.values())))
    return Table(("micro", *family), rows)


def _label_table(family: Mapping[str, Any], others: Sequence[str], caption: str) -> Table:
    return Table(
        ("label", "gold", "pred", "correct", "P", "R", "F1", "F1 95% CI", *(f"{v} F1" for v in others)),
        [(label, str(fig["possible"]), str(fig["actual"]), str(fig["correct"]), *prf_cells(fig),
          *(metric(family[v]["labels"][label]) for v in others))
         for label, fig in family["strict"]["labels"].items()],
        caption=caption,
    )


def _document_table(documents: Sequence[Mapping[str, Any]], console_rows: int) -> Table:
    rows = []
    for d in documents:
        ent, rel = d["entities"]["strict"], d["relations"]["strict"]
        rows.append((d["doc_id"], str(ent["possible"]), str(ent["actual"]), *doc_cells(ent),
                     metric(d["entities"]["partial"]), str(rel["possible"]), str(rel["actual"]), metric(rel)))
    return Table(("doc", "gold ents", "pred ents", "P", "R", "F1", "partial F1", "gold rels", "pred rels",
                  "rel F1"), rows, console_rows=console_rows,
                 caption="Entities and relations strict, per document.")


def eval_blocks(result: Result, *, console_rows: int, plots: bool) -> list[Block]:
    ents, rels, conf = result["entities"], result["relations"], result["confusion"]
    blocks: list[Block] = [
        Text(f"System: {result['system']}; {result['docs']} documents."), _about(result), *_notes(result),
        Heading("Entities (SemEval-2013 modes, as nervaluate)"),
        _micro_table(ents, COUNTS),
        _label_table(ents, ("exact", "partial", "type"), "Per label: strict P, R, F1; other modes F1."),
    ]
    if plots:
        blocks.append(_f1_plot("entities_f1", ents["strict"], "Entity F1 per label (strict)"))
    blocks += [
        Heading("Relations"),
        _micro_table(rels, REL_COUNTS),
        _label_table(rels, [v for v in rels if v != "strict"], "Per label: strict P, R, F1; others F1."),
    ]
    if GOLD_ENTITIES not in rels:
        blocks.append(Text("Relations on gold entities: not measured (saved predictions, or a model that "
                           "cannot take gold entities)."))
    if plots:
        blocks.append(_f1_plot("relations_f1", rels["strict"], "Relation F1 per label (strict)"))
    labels = conf["labels"]
    blocks += [
        Heading("Label confusion (overlapping spans, paired one to one)"),
        Table(("gold \\ predicted", *labels),
              [(gold, *(str(c) for c in row)) for gold, row in zip(labels, conf["matrix"], strict=True)]),
    ]
    if plots:
        picture = draw.confusion_plot(labels, conf["matrix"], "Entity label confusion")
        blocks.append(Image("confusion", picture,
                            "Gold label (rows) vs predicted label (columns); 'none': no overlapping span."))
    if "slices" in result:
        blocks += _eval_slice_blocks(result["slices"], plots)
    if "withheld" in result:
        return [*blocks, Heading("Documents and errors"), Text(result["withheld"])]
    errors = result["errors"]
    blocks += [
        Heading("Documents"), _document_table(result["documents"], console_rows),
        Heading(f"Errors ({len(errors)}, strict)"),
        Table(("doc", "error", "label", "text", "cause", "context"),
              [(e["doc_id"], f"{e['error']} {e['kind']}", e["label"], e["text"], e["cause"], e["context"])
               for e in errors], console_rows=console_rows),
    ]
    return blocks


# --- error slices (--by) ---------------------------------------------------------------------------


def _slice_name(row: Mapping[str, Any]) -> str:
    return f"{row['slice']} *" if row["small"] else row["slice"]


def _slice_cell(row: Mapping[str, Any], fig: Fig | None) -> str:
    return "withheld (sealed)" if row.get("withheld") else with_ci(fig) if fig is not None else NA


def _slice_caption(slices: Mapping[str, Any]) -> str:
    return (f"Strict micro F1 (95% CI) per {' × '.join(slices['fields'])}; each slice bootstrapped on its own "
            f"documents. * fewer than {slices['min_docs']} documents: the interval says little.")


def _slice_series(figs: Sequence[Fig]) -> draw.Series:
    """F1 and interval of each slice (a slice with no interval: the point itself)."""
    bounds = [f["ci"]["f1"] or (f["f1"], f["f1"]) for f in figs]
    return [f["f1"] for f in figs], [b[0] for b in bounds], [b[1] for b in bounds]


def _eval_slice_blocks(slices: Mapping[str, Any], plots: bool) -> list[Block]:
    rows = slices["rows"]
    blocks: list[Block] = [
        Heading(f"Slices by {', '.join(slices['fields'])}"),
        Table(("slice", "docs", "entities F1", "relations F1"),
              [(_slice_name(r), str(r["docs"]), _slice_cell(r, r.get("entities")),
                _slice_cell(r, r.get("relations"))) for r in rows], caption=_slice_caption(slices)),
    ]
    shown = [r for r in rows if not r.get("withheld")]
    if plots and shown:
        series = {f"{family} strict": _slice_series([r[family] for r in shown])
                  for family in ("entities", "relations")}
        names = [_slice_name(r) for r in shown]
        blocks.append(Image("slices_f1", draw.f1_bars(names, series, "Strict F1 per slice"),
                            "Strict micro F1 per slice, 95% intervals."))
    return blocks


def _compare_slice_blocks(slices: Mapping[str, Any], systems: Sequence[str], plots: bool) -> list[Block]:
    rows, base = slices["rows"], systems[0]
    table_rows = []
    for r in rows:
        cells = [_slice_cell(r, r.get("systems", {}).get(s, {}).get("entities")) for s in systems]
        deltas = [NA if r.get("withheld") else
                  f"{signed(r['deltas'][s]['entities']['delta'])} {signed_span(r['deltas'][s]['entities']['ci'])}"
                  for s in systems[1:]]
        table_rows.append((_slice_name(r), str(r["docs"]), *cells, *deltas))
    blocks: list[Block] = [
        Heading(f"Slices by {', '.join(slices['fields'])}"),
        Table(("slice", "docs", *(f"{s} entities F1" for s in systems), *(f"{s} − {base}" for s in systems[1:])),
              table_rows, caption=_slice_caption(slices) + " Deltas: paired bootstrap within the slice."),
        Table(("slice", "docs", *(f"{s} relations F1" for s in systems)),
              [(_slice_name(r), str(r["docs"]),
                *(_slice_cell(r, r.get("systems", {}).get(s, {}).get("relations")) for s in systems))
               for r in rows]),
    ]
    shown = [r for r in rows if not r.get("withheld")]
    if plots and shown:
        names = [_slice_name(r) for r in shown]
        for k, name in enumerate(systems[1:], 1):
            series = {s: _slice_series([r["systems"][s]["entities"] for r in shown]) for s in (base, name)}
            blocks.append(Image(f"slices_{k}", draw.f1_bars(names, series, f"{name}: entity F1 per slice"),
                                f"Strict entity F1 per slice of {name} and {base}, 95% intervals."))
    return blocks


# --- xxgk compare ----------------------------------------------------------------------------------


def _shown_deltas(deltas: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Micro of every variant, and every label of the strict variant."""
    return [d for d in deltas if d["scope"] == "micro" or d["variant"] == "strict"]


def _delta_name(d: Mapping[str, Any]) -> str:
    return f"{d['family']} {d['variant']} {d['scope']}"


def _delta_table(deltas: Sequence[Mapping[str, Any]]) -> Table:
    return Table(
        ("figure", "scope", "baseline F1", "F1", "delta", "95% CI", "p"),
        [(f"{d['family']} {d['variant']}", d["scope"], f3(d["baseline"]), f3(d["value"]), signed(d["delta"]),
          signed_span(d["ci"]), p_value(d["p_value"])) for d in deltas],
        caption="p: two-sided, from the paired bootstrap distribution of the delta.",
    )


def _side_by_side(systems: Sequence[str], figures: Mapping[str, Any]) -> Table:
    rows = []
    for family in ("entities", "relations"):
        for variant in figures[systems[0]][family]:
            if all(variant in figures[s][family] for s in systems):
                rows.append((f"{family} {variant} micro",
                             *(with_ci(figures[s][family][variant]["micro"]) for s in systems)))
        macro = [f3(figures[s][family]["strict"]["macro"]["f1"]) for s in systems]
        rows.append((f"{family} strict macro", *macro))
    return Table(("figure", *systems), rows, caption="F1 (95% CI).")


def _system_plots(systems: Sequence[str], figures: Mapping[str, Any]) -> list[Block]:
    out: list[Block] = []
    for family in ("entities", "relations"):
        groups, _ = _variant_figs(figures[systems[0]][family]["strict"])
        series = {}
        for s in systems:
            block = figures[s][family]["strict"]
            series[s] = _series([block["micro"], *(block["labels"][g] for g in groups[1:])])
        out.append(Image(f"{family}_f1", draw.f1_bars(groups, series, f"{family} F1 (strict)"),
                         f"{family.capitalize()} F1 per label, strict, by system."))
    return out


def compare_blocks(result: Result, *, console_rows: int, plots: bool) -> list[Block]:
    systems, base, figures = result["systems"], result["baseline"], result["figures"]
    blocks: list[Block] = [
        Text(f"Baseline: {base}; compared: {', '.join(systems[1:])}; {result['docs']} documents."),
        _about(result),
        *(note for s in systems for note in _notes(result["notes"][s], prefix=f"{s}: ")),
        Heading("F1 side by side"), _side_by_side(systems, figures),
        *(_system_plots(systems, figures) if plots else []),
    ]
    if "slices" in result:
        blocks += _compare_slice_blocks(result["slices"], systems, plots)
    if "withheld" in result:
        blocks.append(Text(result["withheld"]))
    for k, name in enumerate(systems[1:], 1):
        shown = _shown_deltas(result["deltas"][name])
        blocks += [Heading(f"{name} vs {base}: F1 deltas (paired bootstrap)"), _delta_table(shown)]
        plotted = [d for d in shown if d["ci"] is not None]
        if plots and plotted:
            values = ([d["delta"] for d in plotted], [d["ci"][0] for d in plotted],
                      [d["ci"][1] for d in plotted])
            picture = draw.delta_plot([_delta_name(d) for d in plotted], values, f"{name} vs {base}")
            blocks.append(Image(f"deltas_{k}", picture, f"F1 deltas of {name} vs {base}, 95% intervals."))
        if "withheld" in result:
            continue
        docs = result["documents"][name]
        blocks.append(Heading(f"Documents where {name} differs most from {base}"))
        blocks.append(Table(("doc", "entity F1 delta", "relation F1 delta"),
                            [(d["doc_id"], signed(d["entities_f1_delta"]), signed(d["relations_f1_delta"]))
                             for d in docs], console_rows=console_rows)
                      if docs else Text("No document differs."))
    return blocks


# --- xxgk eval curve -------------------------------------------------------------------------------


def curve_blocks(result: Result, *, plots: bool) -> list[Block]:
    steps = result["steps"]
    blocks: list[Block] = [
        Text(f"{result['train_docs']} train documents, {result['dev_docs']} dev documents; "
             f"training config: {result['train_config'] or '(default)'}."),
        _about(result),
        Table(("fraction", "train docs", "entity F1 (strict)", "relation F1 (strict)", "model"),
              [(f"{s['fraction']:.0%}", str(s["train_docs"]), with_ci(s["entities"]["strict"]["micro"]),
                with_ci(s["relations"]["strict"]["micro"]), s["model_dir"]) for s in steps],
              caption="Micro F1 on dev (95% CI)."),
    ]
    if plots:
        series = {f"{family} strict": _series([s[family]["strict"]["micro"] for s in steps])
                  for family in ("entities", "relations")}
        picture = draw.curve_plot([s["train_docs"] for s in steps], series, "Learning curve")
        blocks.append(Image("curve", picture, "Strict micro F1 on dev against training documents."))
    if result["gains"]:
        blocks += [
            Heading("Gain of each step"),
            Table(("figure", "from", "to", "delta", "95% CI", "p"),
                  [(f"{g['family']} strict micro", f"{g['from']:.0%}", f"{g['to']:.0%}", signed(g["delta"]),
                    signed_span(g["ci"]), p_value(g["p_value"])) for g in result["gains"]]),
        ]
    blocks.append(Heading("Verdict"))
    blocks += [
        Text(f"{family}: last step {signed(v['last_gain'])} F1 (95% CI {signed_span(v['ci'])}, "
             f"p {p_value(v['p_value'])}): {v['verdict']}.")
        for family, v in result["verdict"].items()
    ] or [Text("One step only: no gain to judge.")]
    return blocks


# --- xxgk eval agreement ---------------------------------------------------------------------------


def _agreement_table(block: Mapping[str, Any]) -> Table:
    def row(name: str, fig: Fig) -> tuple[str, ...]:
        return name, str(fig["possible"]), str(fig["actual"]), str(fig["correct"]), metric(fig), interval(fig)

    rows = [row("micro", block["micro"]), *(row(label, fig) for label, fig in block["labels"].items())]
    rows.append(("macro", "", "", "", f3(block["macro"]["f1"]), ""))
    return Table(("label", "pass 1", "pass 2", "agreed", "F1", "F1 95% CI"), rows)


def agreement_blocks(result: Result, *, plots: bool) -> list[Block]:
    boot = result["bootstrap"]
    blocks: list[Block] = [
        Text(f"Pass 1: {result['pass1']}; pass 2: {result['pass2']}; {result['docs']} documents in both "
             f"({', '.join(result['doc_ids'])}); schema v{result['schema_version']}."),
        Text(f"Strict matching (same span and label; relations: same argument spans, label and direction). "
             f"F1 is symmetric in the two passes. Intervals: {boot['level']:.0%} bootstrap over documents, "
             f"{boot['resamples']} resamples, seed {boot['seed']}."),
    ]
    if result["only_in_pass2"]:
        blocks.append(Text(f"Only in pass 2 (not compared): {', '.join(result['only_in_pass2'])}"))
    blocks += [Heading("Entities (strict)"), _agreement_table(result["entities"])]
    if plots:
        blocks.append(_f1_plot("entities_agreement", result["entities"], "Entity agreement F1 (strict)"))
    blocks += [Heading("Relations (strict)"), _agreement_table(result["relations"])]
    if plots:
        blocks.append(_f1_plot("relations_agreement", result["relations"], "Relation agreement F1 (strict)"))
    return blocks
