"""``router learn``: keyword proposals from officials' decisions, written only when approved.

Every official decision about where a complaint belongs is a labelled example: a triage operator's
dispatch of a complaint the router could not place, a reroute, a forward to an outside body; a
"bukan wewenang" says where it does not belong. ``propose`` finds words and word pairs that are
over-represented in the complaints officials gave to an agency the router did not pick (smoothed
log-odds, at least ``min_support`` complaints: never from one), ``simulate`` shows which labelled
rows would route differently, and ``write_keywords`` adds the approved weights to the region's
config.yaml under ``routing.keywords`` (a region's knowledge survives upgrades of the shipped table).

Interface for the CLI and, later, the dashboard::

    examples = labelled_examples(session)                  # from complaint_events
    proposals = propose(examples, table)                   # [Proposal(agency, phrase, weight, support, lift)]
    changes = simulate(examples, table, table_with(proposals))   # rows whose route would change
    write_keywords(config_path, proposals)                 # only after an operator approved
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.routing.classify import classify
from bot.routing.evaluation import EXTERNAL_WILDCARD, LabelledText, is_triage_row
from bot.routing.suggest import _terms
from bot.routing.table import RoutingTable

OFFICIAL_DECISIONS = ("dispatch", "reroute", "forward")
MIN_SUPPORT = 3  # complaints that must share a term before it is proposed
MIN_LIFT = 1.0  # smoothed log-odds of the term in the agency's complaints versus all others
MIN_PRECISION = 0.6  # share of the complaints carrying the term that officials gave the agency


@dataclass(frozen=True)
class Example:
    complaint_id: int
    text: str
    agency: str  # where an official decided it belongs
    also: frozenset[str] = frozenset()  # other offices that would be right too (labelled files)

    def right(self, routed: str | None) -> bool:
        return routed == self.agency or routed in self.also


Rebuild = Callable[[dict[str, dict[str, float]]], RoutingTable]


@dataclass(frozen=True)
class Proposal:
    agency: str
    phrase: str
    weight: float
    support: int  # labelled complaints of the agency that contain the phrase
    lift: float


@dataclass(frozen=True)
class Change:
    complaint_id: int
    label: str
    before: str | None
    after: str | None

    right: frozenset[str] = frozenset()  # every office that counts as right (the label at least)

    @property
    def fixed(self) -> bool:
        return self._is_right(self.after) and not self._is_right(self.before)

    @property
    def broken(self) -> bool:
        return self._is_right(self.before) and not self._is_right(self.after)

    def _is_right(self, agency: str | None) -> bool:
        return agency == self.label or agency in self.right


def labelled_examples(session: Any) -> list[Example]:
    """The last official decision about each complaint's owner (``session``: a SQLAlchemy Session)."""
    from sqlalchemy import select

    from models.tables import Complaint, ComplaintEvent

    query = (
        select(ComplaintEvent.complaint_id, ComplaintEvent.data, Complaint.text)
        .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
        .where(ComplaintEvent.action.in_(OFFICIAL_DECISIONS), ComplaintEvent.actor_kind == "official")
        .order_by(ComplaintEvent.complaint_id, ComplaintEvent.id)
    )
    decided: dict[int, Example] = {}
    for complaint_id, data, text in session.execute(query):
        target = (data or {}).get("to")
        if isinstance(target, str) and text:
            decided[complaint_id] = Example(complaint_id, text, target)
    return list(decided.values())


def examples_from_rows(rows: Sequence[LabelledText], table: RoutingTable) -> list[Example]:
    """Labelled CSV rows as examples (a region's exported decisions, or a tuning set): TRIAGE rows
    teach no office; ``EXT_*`` accepts every outside body the table knows."""
    outside = frozenset(code for code in table.agencies if code.startswith("EXT_"))
    examples = []
    for number, row in enumerate(rows):
        if is_triage_row(row.accept):
            continue
        codes = sorted(code for code in row.accept if code != EXTERNAL_WILDCARD)
        also = frozenset(codes) | (outside if EXTERNAL_WILDCARD in row.accept else frozenset())
        label = codes[0] if codes else min(also, default=None)
        if label is not None:
            examples.append(Example(number, row.text, label, also))
    return examples


def propose(examples: Sequence[Example], table: RoutingTable, min_support: int = MIN_SUPPORT,
            limit: int = 20, rebuild: Rebuild | None = None) -> list[Proposal]:
    """Terms that would route complaints officials gave an agency the router missed, and break
    fewer than they fix.

    A term is a candidate when at least ``min_support`` missed complaints of the agency carry it,
    it is over-represented in the agency's complaints against every other agency's (smoothed
    log-odds >= ``MIN_LIFT``) and most complaints carrying it belong to the agency
    (``MIN_PRECISION``): "jalan" or "kelurahan" appear in everyone's complaints and are never
    proposed. Each candidate, strongest first, is then tried on the labelled complaints that carry
    it, with the candidates already kept: it is kept only when it fixes at least ``min_support - 1``
    more of them than it breaks (``rebuild`` makes the trial table; the shipped table with the
    weights as a region's keywords by default).
    """
    rebuild = rebuild or _shipped_with
    documents = [frozenset(_terms(example.text, table)) for example in examples]
    routed = [_routed(example.text, table) for example in examples]
    candidates = _candidates(examples, documents, routed, table, min_support)
    kept: list[Proposal] = []
    current = list(routed)
    for proposal in candidates:
        carrying = [i for i, terms in enumerate(documents) if proposal.phrase in terms]
        trial = rebuild(as_weights([*kept, proposal]))
        after = {i: _routed(examples[i].text, trial) for i in carrying}
        gained = sum(examples[i].right(after[i]) - examples[i].right(current[i]) for i in carrying)
        if gained >= max(1, min_support - 1):
            kept.append(proposal)
            for i, agency in after.items():
                current[i] = agency
            if len(kept) >= limit:
                break
    return kept


def _candidates(examples: Sequence[Example], documents: Sequence[frozenset[str]], routed: Sequence[str | None],
                table: RoutingTable, min_support: int) -> list[Proposal]:
    frequency: dict[str, Counter[str]] = defaultdict(Counter)  # agency -> term -> complaints
    missed: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for example, terms, agency in zip(examples, documents, routed, strict=True):
        sizes[example.agency] += 1
        frequency[example.agency].update(terms)
        if not example.right(agency):
            missed[example.agency].update(terms)
    everywhere: Counter[str] = Counter()
    for counts in frequency.values():
        everywhere.update(counts)
    total = len(examples)
    found: list[Proposal] = []
    for agency, counts in missed.items():
        inside_size, outside_size = sizes[agency], total - sizes[agency]
        for term, count in counts.items():
            if count < min_support or not _may_be_keyword(term, table) or _already_keyword(term, agency, table):
                continue
            inside = frequency[agency][term]
            outside = everywhere[term] - inside
            if inside / (inside + outside) < MIN_PRECISION:
                continue
            lift = math.log(((inside + 0.5) / (inside_size + 1.0)) / ((outside + 0.5) / (outside_size + 1.0)))
            if lift >= MIN_LIFT:
                weight = float(min(4.0, max(1.0, round(lift * 2) / 2)))
                found.append(Proposal(agency, term, weight, count, round(lift, 3)))
    found.sort(key=lambda p: (-p.support * p.lift, p.agency, p.phrase))
    return found


def _may_be_keyword(term: str, table: RoutingTable) -> bool:
    """Place words (address markers, landmarks) and numbers name where, not what."""
    places = table.address_markers.keys() | table.landmarks
    return not any(word in places or word.isdigit() for word in term.split())


def _shipped_with(weights: dict[str, dict[str, float]]) -> RoutingTable:
    from bot.routing.builder import RegionRouting
    from bot.routing.loader import load_table

    return load_table(region=RegionRouting(keyword_weights=weights))


def _already_keyword(term: str, agency: str, table: RoutingTable) -> bool:
    for phrase_id, label in enumerate(table.phrase_labels):
        if label == term and any(code == agency for code, _ in table.phrase_weights[phrase_id]):
            return True
    return False


def simulate(examples: Sequence[Example], before: RoutingTable, after: RoutingTable) -> list[Change]:
    """Labelled complaints whose routed agency would change with the proposals."""
    changes = []
    for example in examples:
        old, new = _routed(example.text, before), _routed(example.text, after)
        if old != new:
            changes.append(Change(example.complaint_id, example.agency, old, new, example.also))
    return changes


def _routed(text: str, table: RoutingTable) -> str | None:
    result = classify(text, table)
    top = result.top()
    return top.agency if result.decision == "route" and top is not None else None


def as_weights(proposals: Sequence[Proposal]) -> dict[str, dict[str, float]]:
    weights: dict[str, dict[str, float]] = defaultdict(dict)
    for proposal in proposals:
        weights[proposal.agency][proposal.phrase] = proposal.weight
    return dict(weights)


def write_keywords(config_path: Path, proposals: Sequence[Proposal]) -> None:
    """Merge approved weights into ``routing.keywords`` of config.yaml, keeping the rest of the
    file (comments included) as it is."""
    text = config_path.read_text(encoding="utf-8")
    current = (yaml.safe_load(text) or {}).get("routing") or {}
    merged: dict[str, dict[str, float]] = {code: dict(words) for code, words in (current.get("keywords") or {}).items()}
    for code, words in as_weights(proposals).items():
        merged.setdefault(code, {}).update(words)
    if not merged:
        return
    config_path.write_text(_with_routing_keywords(text, merged), encoding="utf-8")


def _with_routing_keywords(text: str, keywords: dict[str, dict[str, float]]) -> str:
    block = "  keywords:\n" + "".join(
        f"    {code}: {json.dumps(words, ensure_ascii=False)}\n" for code, words in sorted(keywords.items())
    )
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^routing:\s*(#.*)?$", line)), None)
    if start is None:
        return text.rstrip("\n") + "\n\nrouting:\n" + block
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^\S", lines[i])), len(lines))
    old = next((i for i in range(start + 1, end) if re.match(r"^  keywords:", lines[i])), None)
    if old is None:
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        return "".join(lines[:end]) + block + "".join(lines[end:])
    stop = next((i for i in range(old + 1, end) if not re.match(r"^(    |\s*$)", lines[i])), end)
    return "".join(lines[:old]) + block + "".join(lines[stop:])


def examples_from_database(database_url: str) -> list[Example]:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return labelled_examples(session)
    finally:
        engine.dispose()


def learn_command(table: RoutingTable, examples: Sequence[Example], config_path: Path | None, write: bool,
                  as_json: bool, rebuild: Callable[[dict[str, dict[str, float]]], RoutingTable] | None = None,
                  ) -> int:
    """CLI: print proposals and the rows they would change; with ``write``, add them to config.yaml."""
    proposals = propose(examples, table, rebuild=rebuild)
    changes = simulate(examples, table, rebuild(as_weights(proposals))) if rebuild and proposals else []
    report = {"examples": len(examples), "proposals": [asdict(p) for p in proposals],
              "changes": [asdict(c) | {"right": sorted(c.right), "fixed": c.fixed, "broken": c.broken}
                          for c in changes]}
    if write:
        if config_path is None:
            raise ValueError("--write needs --config: the proposals go into that file's routing section")
        if proposals:
            write_keywords(config_path, proposals)
        report["written"] = str(config_path) if proposals else None
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    _print_report(report, write)
    return 0


def _print_report(report: dict[str, Any], write: bool) -> None:
    print(f"{report['examples']} complaints with an official's decision")
    if not report["proposals"]:
        print("nothing to propose (a term needs at least three complaints)")
        return
    for p in report["proposals"]:
        print(f"  {p['agency']:<26} {p['phrase']!r:<28} weight {p['weight']}  ({p['support']} complaints, "
              f"lift {p['lift']})")
    fixed = sum(c["fixed"] for c in report["changes"])
    broken = sum(c["broken"] for c in report["changes"])
    print(f"{len(report['changes'])} labelled complaints would route differently: {fixed} fixed, {broken} broken")
    for c in report["changes"]:
        print(f"  #{c['complaint_id']}: {c['before']} -> {c['after']} (official: {c['label']})")
    print(f"written to {report['written']}" if write else "nothing written: approve with --write --config PATH")
