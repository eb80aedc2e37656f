"""``rules-v1``: the regex-and-gazetteer baseline the trained model has to beat.

Same output as the trained model (stand-off records, ids e1.. in text order, ``norm`` from
:func:`xxgk.models.normalize.normalize`), no training and no statistics: every decision is a
pattern here or a word list in ``configs/rules.toml``, so each error can be traced to one rule.

Entities, in this order:

1. Masked regions get nothing (schema Clarifications): table rows written with ``|``, 《…》
   titles (except a publication such as 《某某日报》, which becomes a CHANNEL without brackets),
   web/mail addresses, document and index numbers, phone numbers, postcodes, postal addresses.
2. Candidates: DATE (year/month/day regexes, Arabic or Chinese digits); QUANTITY (number +
   approximator + a listed unit; years, ordinals 第…, numbers inside words such as 统一 excluded);
   CHANNEL and ORG (gazetteer terms, plus "name + suffix" with the name read leftwards to the
   last stop word); POSITION (gazetteer); COMMITMENT (clauses of the improvement section that
   start with an action verb once the lead-in 我局/下一步/将… is stripped). A post written after
   a body that is an ORG on its own loses that prefix (镇党委副书记 → 镇党委 + 副书记); then
   overlaps are dropped, the longer span winning (schema).
3. PERSON: a surname-initial name of 2–3 characters next to a post (局长刘某任…, 由刘某任组长),
   in a 、-list ending in 同志, or at the start of a roster line that holds a post.
4. ITEM: the noun phrase right after, else right before, each QUANTITY, cut at verbs and
   determiners, kept if it ends with a listed head noun (信息, 申请, 文件 …) or is a short list
   element (…、财政预决算7条).

Relations: :func:`xxgk.models.relations.candidates.candidates` gives the type-compatible pairs in
the configured sentence windows; a proximity rule per label keeps some of them. COUNT_OF: the
nearest ITEM of the quantity's clause. VIA: the nearest channel phrase before the quantity in
its sentence (else the nearest channel after it in its clause); never for money. HOLDS: posts
joined to the name by nothing but 、, ORG/POSITION spans and 同志/任/为/兼. POST_IN: the ORG written
right before the post, else for a group post (组长…) the nearest group body of the sentence.
DUE: the latest date before the commitment in its own sentence or in a lead-in (…将…：).

Known weaknesses (errors read on the train/dev gold only):

- No notion of the narrative: tables are masked only when their rows use ``|``; other tabular
  layouts (space-aligned columns, one cell a line) yield spurious QUANTITY/ITEM/ORG.
- QUANTITY needs a listed unit: bare counts (``粉丝数 54373``), cut numbers at a document's end
  and unlisted measure nouns are missed; Chinese numerals in slogans (``五个中心``, ``三篇文章``)
  are only excluded when listed.
- ORG/CHANNEL names end at the last stop word, so names that contain one (向阳区, 和平街道,
  上海 when 上 is not listed…) are cut, and names after an unlisted verb swallow it
  (``采取市政府办公厅``). Generic uses of a body (``全区政府信息公开``, 人大监督) and contact
  bodies in addresses are hard to tell from real mentions. CHANNEL vs ORG for service centres
  (政务服务中心) and CHANNEL names without a place, quote or short prefix are missed.
- ITEM boundaries are stop-word guesses: modifiers are kept or lost by accident (``主动公开``,
  ``已审批``), open-vocabulary items without a head noun are missed, and a quantity gets at
  most one ITEM.
- PERSON needs a listed surname and a post or roster layout next to it; names in prose without
  a post (``由于某某负责``) are missed. Posts are a closed list (公安局局长, spaced ``组  长`` missed).
- COMMITMENT depends on finding the improvement section or a 下一步/plan line; this year's
  measures written without 了/已 in such a section become false commitments; clauses starting
  with an unlisted verb (尝试, 检测…) are missed; traditional-script reports are not handled.
- Relations are nearest-neighbour guesses: parallel lists (``A、B分别为3、4条``), ellipsis,
  counts far from their item and channel phrases after the count are wrong; nothing crosses a
  sentence except DUE, whose lead-in must hold a modal and end with a colon.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from xxgk.models.normalize import normalize
from xxgk.models.relations.candidates import Span, candidates, load_relation_settings
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256
from xxgk.schema import config_path

CJK = "\u4e00-\u9fff"
# Longer span wins; at equal length the label earlier here does.
LABEL_ORDER = ("COMMITMENT", "DATE", "ORG", "CHANNEL", "POSITION", "QUANTITY", "PERSON", "ITEM")
EDGE_JUNK = " \t\r\n\u3000，。；：！？、,.;:!?（）()《》【】"
COMMITMENT_BREAKS = "，。；：！？,;:!?\n"  # the schema's clause delimiters
CN_DIGITS = "零〇○一二两三四五六七八九十百千万亿"
YEAR = "(?:19|20)\\d{2}|二[〇○零0][〇○零0-9一二三四五六七八九]{2}"
MONTH = "[01]?\\d|十[一二]?|[一二三四五六七八九]"
DAY = "[0-3]?\\d|三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九]"
SP = "[ \u3000]?"  # PDF extraction leaves single spaces inside amounts (1136 条)

Pairs = list[tuple[int, int]]


@cache
def load_rules_config(path: str | None = None) -> dict[str, Any]:
    """``configs/rules.toml`` unless another file is given."""
    file = Path(path) if path else config_path("rules.toml")
    with file.open("rb") as fh:
        return tomllib.load(fh)


def alternation(words: Iterable[str]) -> str:
    """A regex alternation, longest word first so that the longest reading wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    label: str


class RulesModel:
    """Regex and gazetteer extraction with proximity-rule relations (see the module docstring)."""

    name = "rules-v1"
    supports_gold_entities = True

    def __init__(self, config: dict[str, Any] | None = None):
        self.cfg = config or load_rules_config()
        self.settings = replace(load_relation_settings(), cjk_period=False,
                                sentence_breaks=frozenset(self.cfg["relations"]["sentence_breaks"]))
        self._compile()

    # ----------------------------------------------------------------------------- public API

    def predict(self, items: Iterable[tuple[str, str]]) -> Iterator[AnnotatedDoc]:
        """One record per ``(doc_id, text)``: entities e1.. in text order, with norm and relations."""
        for doc_id, text in items:
            spans = self.entities(text)
            entities = [
                Entity(f"e{i + 1}", s.start, s.end, s.label, s.text, normalize(s.label, s.text))
                for i, s in enumerate(spans)
            ]
            relations = [Relation(f"e{h + 1}", f"e{t + 1}", lab) for h, t, lab in self.relations(text, spans)]
            yield AnnotatedDoc(doc_id, text_sha256(text), entities, relations)

    def predict_relations(self, doc: AnnotatedDoc, text: str) -> AnnotatedDoc:
        """The given entities (ids kept) with relations predicted by the same rules."""
        ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
        spans = [Span(e.start, e.end, e.label, e.text) for e in ents]
        relations = [Relation(ents[h].id, ents[t].id, lab) for h, t, lab in self.relations(text, spans)]
        return AnnotatedDoc(doc.doc_id, doc.text_sha256, list(doc.entities), relations, dict(doc.extra))

    def entities(self, text: str) -> list[Span]:
        """Non-overlapping entity spans sorted by start."""
        blocked, titles = self._mask(text)
        found = [f for f in self._candidates(text) if not any(blocked[f.start:f.end])]
        kept = _resolve(self._split_posts(text, found) + titles)
        kept += self._persons(text, kept, blocked)
        kept += self._items(text, kept, blocked)
        kept.sort(key=lambda f: f.start)
        return [Span(f.start, f.end, f.label, text[f.start:f.end]) for f in kept]

    def relations(self, text: str, spans: list[Span]) -> list[tuple[int, int, str]]:
        """``(head, tail, label)`` index triples into ``spans`` (sorted by start)."""
        pairs: dict[str, Pairs] = {}
        for cand in candidates(text, spans, settings=self.settings):
            pairs.setdefault(cand.label, []).append((cand.head, cand.tail))
        deciders = {"COUNT_OF": self._count_of, "VIA": self._via, "HOLDS": self._holds,
                    "POST_IN": self._post_in, "DUE": self._due}
        return sorted((h, t, label) for label, p in pairs.items() for h, t in deciders[label](text, spans, p))

    # --------------------------------------------------------------------------- compilation

    def _compile(self) -> None:
        c = self.cfg
        q, d, n, pe, it, cm = (c[k] for k in ("quantity", "date", "names", "person", "item", "commitment"))
        num_ar = rf"\d+(?:[.,]\d+)*(?:{SP}[万亿千])?"
        num_cn = f"[{CN_DIGITS}]+"
        unit, cn_unit = alternation(q["units"]), alternation(q["units"] + q["cn_only_units"])
        core = (rf"(?:{num_ar}(?:{SP}(?:至|到|-|~){SP}{num_ar})?{SP}[余多]?{SP}(?:{unit}|%|％)"
                rf"|{num_cn}(?:(?:至|到){num_cn})?[余多]?(?:{cn_unit}))")
        per = f"(?:/[{CJK}])?"  # 200元/月
        self.re_quantity = re.compile(
            rf"(?:(?:{alternation(q['approx_before'])}){SP})?{core}{per}(?:{alternation(q['approx_after'])})?")
        self.re_quantity_left = re.compile(rf"[\d.第〔\[/\-{CN_DIGITS}{q['cn_not_after']}]")
        month_suffix, year_suffix = alternation(d["month_suffixes"]), alternation(d["year_suffixes"])
        self.re_date = re.compile(
            rf"(?<![\d.])(?:(?:{YEAR})\s?年\s?(?:{MONTH})\s?月\s?(?:{DAY})\s?[日号]"
            rf"|(?:{YEAR})[\-/.](?:0?[1-9]|1[0-2])[\-/.](?:[0-3]?\d)(?!\d)"
            rf"|(?:{YEAR})\s?年\s?(?:{MONTH})\s?(?:-|至|~)\s?(?:{MONTH})\s?月"
            rf"|(?:{YEAR})\s?年\s?(?:{MONTH})\s?(?:{month_suffix})"
            rf"|(?:{YEAR})\s?(?:{year_suffix})"
            rf"|(?<![年\d])(?:{MONTH})\s?月\s?(?:{DAY})\s?[日号]"
            rf"|(?<![年\d个])(?:1[0-2]|[1-9])\s?(?:{month_suffix}))")
        self.re_stop = re.compile(alternation(n["stop_words"]))
        self.re_keep = re.compile(f"(?=({alternation(n['keep'])}))")  # lookahead: overlapping matches too
        self.re_drop = re.compile(alternation(n["drop_leading"]))
        self.re_channel_name = re.compile(n["channel_name"])
        self.not_followed = tuple(n["not_followed"])
        self.re_channel_term = re.compile(alternation(c["channel"]["terms"]))
        self.re_channel_suffix = re.compile(f"(?=({alternation(c['channel']['name_suffixes'])}))")
        self.not_channels = set(c["channel"]["not_channels"])
        self.re_org_term = re.compile(alternation(c["org"]["terms"]))
        self.re_org_suffix = re.compile(f"(?=({alternation(c['org']['suffixes'])}))")
        self.not_orgs = set(c["org"]["not_orgs"])
        self.not_org_endings = tuple(c["org"]["not_org_endings"])
        self.re_post = re.compile(alternation(c["position"]["posts"]))
        self.not_posts = set(c["position"]["not_posts"])
        self.split_terms = {t.replace("|", ""): t.index("|") for t in c["position"]["split_terms"]}
        self.re_split_term = re.compile(alternation(self.split_terms))
        name = rf"(?:{alternation(pe['compound_surnames'])}|[{pe['surnames'].strip()}])[{CJK}]{{1,2}}"
        self.re_name = re.compile(name)
        self.re_name_after = re.compile(rf"{name}(?=(?:{alternation(pe['after_post'])}))")
        self.re_name_before = re.compile(rf"(?P<name>{name}?)(?:{alternation(pe['before_post'])})$")
        self.re_name_list = re.compile(
            rf"(?<![{CJK}])(?:{name}、)*{name}等?同志|(?<=[以由、，,])(?:{name}、)+{name}等?同志")
        self.re_roster_name = re.compile(rf"^[ \t\u3000]*(?P<name>{name})(?=[ \t\u3000:：])", re.M)
        self.re_known_person = re.compile(f"(?:{alternation(pe['known'])})(?!新时代)")
        self.re_item_head = re.compile(f"(?:{alternation(it['heads'])})$")
        self.re_item_between = re.compile(f"(?:{alternation(it['between'])})$")
        self.re_item_stop = re.compile(alternation(it["stop_words"]))
        self.re_item_keep = re.compile(alternation(it["keep"]))
        self.re_section_cue = re.compile(alternation(cm["section_cues"]))
        self.re_sentence_cue = re.compile(alternation(cm["sentence_cues"]))
        self.re_plan_line = re.compile(cm["plan_line"])
        self.re_lead_in = re.compile(
            rf"\s+|[（(][一二三四五六七八九十\d]+[)）][、.]?|[一二三四五六七八九十]+[、.．]|\d+[、.．)）]"
            rf"|[①-⑳]|(?:{YEAR})\s?年度?|{alternation(cm['lead_in'])}")
        self.re_verb = re.compile(alternation(cm["verbs"]))
        self.re_reject = re.compile(alternation(cm["reject"]))
        self.re_mask = [re.compile(p, re.M) for p in c["mask"]["patterns"]]
        r = c["relations"]
        self.re_joiners = re.compile(f"[{re.escape(r['channel_joiners'])}]*")
        self.re_holds_gap = re.compile(r["holds_gap"])
        self.re_modal = re.compile(alternation(r["due_modals"]))
        self.re_sentence_break = re.compile(f"[{re.escape(''.join(self.settings.sentence_breaks))}]")

    # ---------------------------------------------------------------------------- entities

    def _mask(self, text: str) -> tuple[list[bool], list[_Found]]:
        """Masked characters, and CHANNEL spans for publications written as 《title》."""
        blocked = [False] * len(text)
        titles = []
        for rx in self.re_mask:
            for m in rx.finditer(text):
                blocked[m.start():m.end()] = [True] * (m.end() - m.start())
        for m in re.finditer(r"《([^《》\n]{1,40})》", text):
            blocked[m.start():m.end()] = [True] * (m.end() - m.start())
            if re.search(self.cfg["channel"]["publication"], m[1]):
                titles.append(_Found(m.start(1), m.end(1), "CHANNEL"))
        return blocked, titles

    def _candidates(self, text: str) -> Iterator[_Found]:
        yield from (_Found(m.start(), m.end(), "DATE") for m in self.re_date.finditer(text))
        yield from self._quantities(text)
        yield from self._named(text, "CHANNEL")
        yield from self._named(text, "ORG")
        for m in self.re_split_term.finditer(text):
            cut = m.start() + self.split_terms[m[0]]
            yield from (_Found(m.start(), cut, "ORG"), _Found(cut, m.end(), "POSITION"))
        for m in self.re_post.finditer(text):
            if m[0] not in self.not_posts and not self._followed(text, m.end()):
                yield _Found(m.start(), m.end(), "POSITION")
        yield from self._commitments(text)

    def _followed(self, text: str, end: int) -> bool:
        """The span's last character and the next one make a word (部署, 报告): not a span end."""
        return text[end - 1:end + 1].startswith(self.not_followed)

    def _split_posts(self, text: str, found: list[_Found]) -> list[_Found]:
        """A post written after a body that is an ORG on its own is only the rest (镇党委副书记 →
        ORG 镇党委 + POSITION 副书记), so that the longer-span rule does not swallow the ORG."""
        orgs = [f for f in found if f.label == "ORG" and text[f.start:f.end] not in self.not_orgs]
        out = []
        for f in found:
            if f.label == "POSITION":
                for o in orgs:
                    if o.start <= f.start < o.end < f.end and self.re_post.fullmatch(text, o.end, f.end):
                        f = _Found(o.end, f.end, "POSITION")
                        break
            out.append(f)
        return out

    def _quantities(self, text: str) -> Iterator[_Found]:
        exclude = tuple(self.cfg["quantity"]["exclude"])
        for m in self.re_quantity.finditer(text):
            start, end = m.start(), m.end()
            if start and self.re_quantity_left.fullmatch(text[start - 1]):
                continue  # inside a longer number or word (统一), an ordinal 第…, a number 〔…
            if m[0].endswith(exclude) or re.match(r"(?:19|20)\d{2}年", m[0]) or self._followed(text, end):
                continue
            yield _Found(start, _trim_end(text, start, end), "QUANTITY")

    def _named(self, text: str, label: str) -> Iterator[_Found]:
        """Gazetteer terms, and "name + suffix" with the name read leftwards to a stop word."""
        terms, suffixes, rejected = (
            (self.re_org_term, self.re_org_suffix, self.not_orgs) if label == "ORG"
            else (self.re_channel_term, self.re_channel_suffix, self.not_channels))
        for m in terms.finditer(text):
            if m[0] not in rejected and not self._followed(text, m.end()):
                yield _Found(m.start(), m.end(), label)
        longest: dict[int, int] = {}  # suffix end → start of the longest suffix ending there
        for m in suffixes.finditer(text):
            end = m.start() + len(m[1])
            longest[end] = min(longest.get(end, m.start()), m.start())
        for s_end, s_start in sorted(longest.items()):
            if self._followed(text, s_end):
                continue
            start = self._name_start(text, s_start, digits=label == "CHANNEL")
            if start is None or start == s_start or text[start:s_end] in rejected:
                continue
            ok = self._org_ok if label == "ORG" else self._channel_ok
            if ok(text, start, s_start, s_end):
                yield _Found(start, s_end, label)

    def _channel_ok(self, text: str, start: int, s_start: int, s_end: int) -> bool:
        """A place or body name, quoted, or short before a suffix that is not broad (新浪微博)."""
        n = self.cfg["names"]
        name = text[start:s_start]
        short = len(name) <= n["channel_short_name"] and text[s_start:s_end] not in n["broad_suffixes"]
        return short or bool(self.re_channel_name.search(name))

    def _org_ok(self, text: str, start: int, s_start: int, s_end: int) -> bool:
        """Long enough, a place name before 政府-type suffixes, not a pronoun + short form (我区政府)."""
        o = self.cfg["org"]
        suffix = text[s_start:s_end]
        if text[start:s_end].endswith(self.not_org_endings) or s_start - start < o["min_name"]:
            return False
        if suffix in o["place_suffixes"] and text[s_start - 1] not in o["place_chars"]:
            return False
        return not (start and text[start - 1] in "我本该" and s_start - start < 2 + len(suffix))

    def _name_start(self, text: str, end: int, digits: bool) -> int | None:
        """Start of the name written before ``end``: the run of CJK characters and quotes, cut
        after its last stop word (outside protected compounds and quotes), without a pronoun."""
        limit = self.cfg["names"]["max_length"]
        chars = re.compile(f"[{CJK}“”·0-9A-Za-z]" if digits else f"[{CJK}“”·]")  # 12345热线
        start = end
        while start > 0 and chars.match(text[start - 1]):
            start -= 1
        window = text[max(start, end - limit):end]
        kept = [(m.start(), m.start() + len(m[1])) for m in self.re_keep.finditer(window)]
        kept += [m.span() for m in re.finditer("“[^“”]*”", window)]
        cut = max((m.end() for m in self.re_stop.finditer(window)
                   if not any(a <= m.start() < b for a, b in kept)), default=0)
        window = window[cut:]
        drop = self.re_drop.match(window)
        window = window[drop.end() if drop else 0:].lstrip("”")
        if window.count("“") != window.count("”"):
            window = window[window.rfind("“") + 1:]
        if end - len(window) - start >= limit:
            return None  # no boundary within reach: a cut-off name is worse than none
        return end - len(window)

    def _commitments(self, text: str) -> Iterator[_Found]:
        for lo, hi in self._commitment_regions(text):
            start = lo
            for i in range(lo, hi + 1):
                if i == hi or text[i] in COMMITMENT_BREAKS:
                    found = self._commitment_clause(text, start, i)
                    if found:
                        yield found
                    start = i + 1

    def _commitment_clause(self, text: str, start: int, end: int) -> _Found | None:
        """The clause without its lead-in, if it then starts with an action verb."""
        while (m := self.re_lead_in.match(text, start, end)) and m.end() > start:
            start = m.end()
        end = _trim_end(text, start, end)
        if end - start < 4 or not self.re_verb.match(text, start, end):
            return None
        if self.re_reject.search(text, start, end):
            return None
        return _Found(start, end, "COMMITMENT")

    def _commitment_regions(self, text: str) -> list[tuple[int, int]]:
        """Sections whose heading (or plan line 将做好以下工作：) announces improvements or plans,
        up to the next top-level heading; and the rest of a line from a 下一步-style cue."""
        regions = []
        section_start = None
        pos = 0
        for line in text.split("\n"):
            stripped = line.strip()
            top = re.match(r"[一二三四五六七八九十]+[、.．]", stripped) and len(stripped) <= 40
            sub = re.match(r"[（(][一二三四五六七八九十]+[)）]", stripped) and len(stripped) <= 30
            heading = top or sub
            if (heading and self.re_section_cue.search(stripped)) or self.re_plan_line.search(stripped):
                section_start = pos if section_start is None else section_start
            elif top and section_start is not None:
                regions.append((section_start, pos))
                section_start = None
            cue = self.re_sentence_cue.search(line)
            if cue and section_start is None:
                regions.append((pos + cue.start(), pos + len(line)))
            pos += len(line) + 1
        if section_start is not None:
            regions.append((section_start, len(text)))
        return regions

    def _persons(self, text: str, kept: list[_Found], blocked: list[bool]) -> list[_Found]:
        """Names next to posts (局长刘某任组长, 由刘某任组长), in a 、-list ending in 同志, at the
        start of a roster line that holds a post, and the few listed national leaders."""
        posts = [f for f in kept if f.label == "POSITION"]
        out = []
        for post in posts:
            if after := self.re_name_after.match(text, post.end):
                out.append(_Found(after.start(), after.end(), "PERSON"))
            if before := self.re_name_before.search(text, max(0, post.start - 10), post.start):
                out.append(_Found(before.start("name"), before.end("name"), "PERSON"))
        for m in self.re_name_list.finditer(text):
            names = self.re_name.finditer(text, m.start(), m.end())
            out += [_Found(*n.span(), "PERSON") for n in names if n.end() <= m.end() - 2]
        for m in self.re_roster_name.finditer(text):
            line_end = text.find("\n", m.end()) % (len(text) + 1)
            if any(m.end() <= p.start < line_end for p in posts):
                out.append(_Found(*m.span("name"), "PERSON"))
        out += [_Found(*m.span(), "PERSON") for m in self.re_known_person.finditer(text)]
        taken = _coverage(len(text), kept)
        return _resolve([f for f in out if not any(taken[f.start:f.end]) and not any(blocked[f.start:f.end])])

    def _items(self, text: str, kept: list[_Found], blocked: list[bool]) -> list[_Found]:
        taken = _coverage(len(text), kept)
        out = []
        for q in sorted((f for f in kept if f.label == "QUANTITY"), key=lambda f: f.start):
            item = self._item_after(text, q.end, taken) or self._item_before(text, q.start, taken)
            if item and not any(blocked[item.start:item.end]):
                taken[item.start:item.end] = [True] * (item.end - item.start)
                out.append(item)
        return out

    def _item_after(self, text: str, pos: int, taken: list[bool]) -> _Found | None:
        """1名全职工作人员: the longest prefix of the run after the quantity ending in a head noun."""
        limit = self.cfg["item"]["max_length"]
        end = pos
        while end < len(text) and end - pos < limit and re.match(f"[{CJK}]", text[end]) and not taken[end]:
            end += 1
        run = text[pos:end]
        stop = self.re_item_stop.search(run)
        if stop and not self._item_kept_at(run, stop.start()):
            run = run[:stop.start()]
        for k in range(len(run), 1, -1):
            if self.re_item_head.search(run[:k]):
                return _Found(pos, pos + k, "ITEM")
        return None

    def _item_before(self, text: str, pos: int, taken: list[bool]) -> _Found | None:
        """发布信息共计374条: the run before the quantity (and before 共计/达…), cut after its last
        stop word; kept if it ends in a head noun or is a short list element (…、财政预决算7条)."""
        limit = self.cfg["item"]["max_length"]
        end = pos
        while end > 0 and text[end - 1] in " \u3000":
            end -= 1
        between = self.re_item_between.search(text, max(0, end - 4), end)
        end -= len(between[0]) if between else 0
        start = end
        while start > 0 and end - start < limit and re.match(f"[{CJK}“”]", text[start - 1]) \
                and not taken[start - 1]:
            start -= 1
        run = text[start:end]
        stops = self.re_item_stop.finditer(run)
        cuts = [0] + [m.end() for m in stops if not self._item_kept_at(run, m.start())]
        if len(run) - cuts[-1] == 1 and len(cuts) > 1:
            cuts.pop()  # 回复率, 发布类: a lone head character keeps the word before it
        if cuts[-1] == 0 and end - start >= limit:
            return None  # no boundary within reach
        run = run[cuts[-1]:].lstrip("”")
        listed = cuts[-1] == 0 and start > 0 and text[start - 1] in "、，,；;：:" and len(run) <= 8
        if len(run) > 1 and (self.re_item_head.search(run) or listed):
            return _Found(end - len(run), end, "ITEM")
        return None

    def _item_kept_at(self, run: str, index: int) -> bool:
        return any(m.start() <= index < m.end() for m in self.re_item_keep.finditer(run))

    # --------------------------------------------------------------------------- relations

    def _count_of(self, text: str, spans: list[Span], pairs: Pairs) -> Pairs:
        best: dict[int, tuple[int, int]] = {}
        for h, t in pairs:
            if _clauses_between(text, spans[h], spans[t], self.settings.clause_breaks) == 0:
                gap = _gap(spans[h], spans[t])
                if h not in best or gap < best[h][0]:
                    best[h] = (gap, t)
        return [(h, t) for h, (_, t) in best.items()]

    def _via(self, text: str, spans: list[Span], pairs: Pairs) -> Pairs:
        """The nearest channel before the quantity with the channels listed with it (公示栏、网站
        等…36条); else the nearest channel after it in its clause. Money goes through no channel."""
        tails: dict[int, list[int]] = {}
        for h, t in pairs:
            tails.setdefault(h, []).append(t)
        out = []
        for h, ts in tails.items():
            if (normalize("QUANTITY", spans[h].text) or {}).get("kind") == "money":
                continue
            left = sorted((t for t in ts if spans[t].end <= spans[h].start), key=lambda t: spans[t].start)
            if left:
                group = [left.pop()]
                while left and self.re_joiners.fullmatch(text, spans[left[-1]].end, spans[group[-1]].start):
                    group.append(left.pop())
                out += [(h, t) for t in group]
                continue
            breaks = self.settings.clause_breaks
            right = [t for t in ts if _clauses_between(text, spans[h], spans[t], breaks) == 0]
            out += [(h, t) for t in sorted(right, key=lambda t: spans[t].start)[:1]]
        return out

    def _holds(self, text: str, spans: list[Span], pairs: Pairs) -> Pairs:
        """Posts joined to the name by nothing but 、/ORG/POSITION spans/同志/任/为/兼 and space;
        posts before the name must end right before it (常委、副县长赵某, not 组长、赵某)."""
        out = []
        for h, t in pairs:
            lo, hi = sorted((h, t))
            inner = spans[lo + 1:hi]
            if any(s.label not in ("ORG", "POSITION") for s in inner):
                continue
            if t < h and text[spans[h - 1].end:spans[h].start].strip():
                continue
            gap = text[spans[lo].end:spans[hi].start]
            for s in inner:
                gap = gap.replace(s.text, "", 1)
            if self.re_holds_gap.fullmatch(gap):
                out.append((h, t))
        return out

    def _post_in(self, text: str, spans: list[Span], pairs: Pairs) -> Pairs:
        """The ORG right before the post; for a group post, the nearest group body of the sentence."""
        r = self.cfg["relations"]
        out = []
        for h in sorted({h for h, _ in pairs}):
            tails = [t for hh, t in pairs if hh == h]
            adjacent = [t for t in tails if spans[t].end <= spans[h].start
                        and not text[spans[t].end:spans[h].start].strip()]
            group = [t for t in tails if spans[h].text in r["group_posts"]
                     and spans[t].text.endswith(tuple(r["group_org_endings"]))]
            chosen = adjacent or sorted(group, key=lambda t: _gap(spans[h], spans[t]))
            out += [(h, t) for t in chosen[:1]]
        return out

    def _due(self, text: str, spans: list[Span], pairs: Pairs) -> Pairs:
        """The latest date before the commitment whose sentence announces a plan (将/要/拟…):
        the commitment's own sentence, or a lead-in ending in a colon."""
        best: dict[int, int] = {}
        for h, t in pairs:
            if spans[t].end > spans[h].start:
                continue
            between = text[spans[t].end:spans[h].start]
            date_sentence = self.re_sentence_break.split(between, maxsplit=1)[0]
            lead_in = date_sentence == between or re.search("[：:]\\s*$", date_sentence)
            if self.re_modal.search(date_sentence) and lead_in and (h not in best or t > best[h]):
                best[h] = t
        return list(best.items())


def _resolve(found: list[_Found]) -> list[_Found]:
    """Drop overlaps: the longer span wins, then the label earlier in LABEL_ORDER. Linear: a span
    is kept when none of its characters is taken yet."""
    kept: list[_Found] = []
    taken = bytearray(max((f.end for f in found), default=0))
    for f in sorted(set(found), key=lambda f: (f.start - f.end, LABEL_ORDER.index(f.label), f.start)):
        if not any(taken[f.start:f.end]):
            taken[f.start:f.end] = b"\x01" * (f.end - f.start)
            kept.append(f)
    return kept


def _coverage(length: int, found: list[_Found]) -> list[bool]:
    covered = [False] * length
    for f in found:
        covered[f.start:f.end] = [True] * (f.end - f.start)
    return covered


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in EDGE_JUNK:
        end -= 1
    return end


def _gap(a: Span, b: Span) -> int:
    return max(b.start - a.end, a.start - b.end, 0)


def _clauses_between(text: str, a: Span, b: Span, breaks: frozenset[str]) -> int:
    lo, hi = (a.end, b.start) if a.start <= b.start else (b.end, a.start)
    return sum(c in breaks for c in text[lo:hi])
