"""`router learn`: officials' decisions become keyword proposals, written to config only on approval."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.routing import RegionRouting, RoutingTable, classify, load_table
from bot.routing.learn import as_weights, labelled_examples, propose, simulate, write_keywords
from models.config import load_settings
from models.tables import Base, Complaint, ComplaintEvent, Reporter

REPO_ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
# A region where people call the river ferry "getek": officials keep moving these to Dishub.
FERRY = ["getek ke seberang penuh sesak tiap pagi", "getek terbalik kemarin sore",
         "tarif getek naik sepihak", "getek tidak ada pelampung"]
OTHERS = ["jalan rusak parah", "sampah numpuk di pasar", "air pdam mati", "blangko ktp habis"]


def _database(tmp_path: Path, decisions: list[tuple[str, str, str]]) -> str:
    url = f"sqlite:///{tmp_path / 'learn.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        reporter = Reporter(channel="console", provider_id="warga", created_at=NOW)
        session.add(reporter)
        for number, (text, actor, target) in enumerate(decisions):
            complaint = Complaint(code=f"BTL-{number:04d}", kind="complaint", status="dispatched", text=text,
                                  reporter=reporter, channel="console", created_at=NOW, updated_at=NOW)
            session.add(complaint)
            session.flush()
            session.add(ComplaintEvent(complaint_id=complaint.id, at=NOW, actor_kind=actor, actor_id="kominfo.triage",
                                       action="dispatch", data={"from": None, "to": target}))
        session.commit()
    engine.dispose()
    return url


def _examples(url: str) -> list:  # type: ignore[type-arg]
    engine = create_engine(url)
    with Session(engine) as session:
        found = labelled_examples(session)
    engine.dispose()
    return found


def test_officials_decisions_are_the_labelled_examples(tmp_path: Path) -> None:
    url = _database(tmp_path, [(FERRY[0], "official", "DISHUB"), (OTHERS[0], "reporter", "PUPR")])
    examples = _examples(url)
    assert [(e.text, e.agency) for e in examples] == [(FERRY[0], "DISHUB")]  # a citizen's choice is no label


def test_a_word_shared_by_several_rerouted_complaints_is_proposed_and_fixes_them(
        tmp_path: Path, table: RoutingTable) -> None:
    url = _database(tmp_path, [(t, "official", "DISHUB") for t in FERRY]
                    + [(t, "official", a) for t, a in zip(OTHERS, ["PUPR", "DLH", "PDAM", "DISDUKCAPIL"],
                                                         strict=True)])
    examples = _examples(url)
    proposals = propose(examples, table)
    assert ("DISHUB", "getek") in {(p.agency, p.phrase) for p in proposals}
    learned = load_table(region=RegionRouting(keyword_weights=as_weights(proposals)))
    changes = simulate(examples, table, learned)
    assert changes and all(change.fixed for change in changes)
    assert not any(change.broken for change in changes)


def test_one_complaint_is_an_anecdote_not_evidence(tmp_path: Path, table: RoutingTable) -> None:
    url = _database(tmp_path, [(FERRY[0], "official", "DISHUB")]
                    + [(t, "official", a) for t, a in zip(OTHERS, ["PUPR", "DLH", "PDAM", "DISDUKCAPIL"],
                                                         strict=True)])
    assert propose(_examples(url), table) == []


def test_approved_proposals_land_in_the_regions_config_and_route_there(tmp_path: Path, table: RoutingTable) -> None:
    config = tmp_path / "config.yaml"
    shutil.copy(REPO_ROOT / "config.yaml", config)
    before = config.read_text(encoding="utf-8")
    url = _database(tmp_path, [(t, "official", "DISHUB") for t in FERRY]
                    + [(t, "official", a) for t, a in zip(OTHERS, ["PUPR", "DLH", "PDAM", "DISDUKCAPIL"],
                                                         strict=True)])
    write_keywords(config, propose(_examples(url), table))
    settings = load_settings(config)  # still a valid config, comments kept
    assert "getek" in settings.routing.keywords["DISHUB"]
    assert "# Pemerintah Kabupaten Barito Kuala" in config.read_text(encoding="utf-8")
    assert config.read_text(encoding="utf-8").replace(before.split("routing:")[0], "") != before
    from bot.setup import load_routing_table

    top = classify("getek mogok di tengah sungai", load_routing_table(settings)).top()
    assert top is not None and top.agency == "DISHUB"


def test_writing_twice_merges_instead_of_duplicating(tmp_path: Path, table: RoutingTable) -> None:
    config = tmp_path / "config.yaml"
    shutil.copy(REPO_ROOT / "config.yaml", config)
    url = _database(tmp_path, [(t, "official", "DISHUB") for t in FERRY]
                    + [(t, "official", a) for t, a in zip(OTHERS, ["PUPR", "DLH", "PDAM", "DISDUKCAPIL"],
                                                         strict=True)])
    proposals = propose(_examples(url), table)
    assert proposals
    write_keywords(config, proposals)
    write_keywords(config, proposals)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    assert list(raw["routing"]).count("keywords") == 1
    assert raw["routing"]["keywords"]["DISHUB"]["getek"] > 0


def test_a_word_every_office_sees_is_never_proposed(tmp_path: Path, table: RoutingTable) -> None:
    # The ferry complaints all say "kemarin", but so do the road, waste and water complaints.
    ferry = [f"{text} sejak kemarin" for text in FERRY]
    others = [f"{text} dari kemarin" for text in OTHERS] + ["sampah tidak diangkut sejak kemarin",
                                                              "jalan minta diaspal kemarin"]
    labels = ["PUPR", "DLH", "PDAM", "DISDUKCAPIL", "DLH", "PUPR"]
    url = _database(tmp_path, [(t, "official", "DISHUB") for t in ferry]
                    + [(t, "official", a) for t, a in zip(others, labels, strict=True)])
    proposed = {p.phrase for p in propose(_examples(url), table)}
    assert "getek" in proposed
    assert not any("kemarin" in phrase.split() for phrase in proposed)


def test_learning_from_labelled_rows_never_lowers_their_accuracy(table: RoutingTable) -> None:
    from bot.routing.learn import Example

    rows = [Example(i, text, "DISHUB") for i, text in enumerate(FERRY)]
    rows += [Example(10 + i, text, agency) for i, (text, agency) in
             enumerate(zip(OTHERS, ["PUPR", "DLH", "PDAM", "DISDUKCAPIL"], strict=True))]
    learned = load_table(region=RegionRouting(keyword_weights=as_weights(propose(rows, table))))
    before = sum(row.right(_top(row.text, table)) for row in rows)
    after = sum(row.right(_top(row.text, learned)) for row in rows)
    assert after >= before


def _top(text: str, table: RoutingTable) -> str | None:
    top = classify(text, table).top()
    return top.agency if top is not None else None
