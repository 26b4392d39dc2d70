"""Learning from officials' corrections: which routes get moved, and words that might help."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.routing import RoutingTable, suggest_keywords
from models.tables import Complaint, ComplaintEvent

OWNER_ACTIONS = ("dispatch", "reroute", "forward", "bukan_wewenang")


def corrections(session: Session) -> list[tuple[str, str, str]]:
    """(text, from agency, to agency) for every change of owner after a first routing."""
    query = (
        select(ComplaintEvent.complaint_id, ComplaintEvent.action, ComplaintEvent.data, Complaint.text)
        .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
        .where(ComplaintEvent.action.in_(OWNER_ACTIONS))
        .order_by(ComplaintEvent.complaint_id, ComplaintEvent.id)
    )
    found: list[tuple[str, str, str]] = []
    first_owner: dict[int, str] = {}
    rows = cast(Iterable[tuple[int, str, Any, str]], session.execute(query))
    for complaint_id, action, raw_data, text in rows:
        data: dict[str, Any] = raw_data or {}
        if action == "bukan_wewenang":
            first_owner.setdefault(complaint_id, str(data.get("from")))
            continue
        target = str(data.get("to"))
        previous = first_owner.get(complaint_id)
        if previous is not None and previous not in ("None", target):
            found.append((text, previous, target))
        first_owner[complaint_id] = target
    return found


def misroute_report(session: Session, table: RoutingTable, top: int = 10) -> dict[str, Any]:
    moved = corrections(session)
    counts = Counter((source, target) for _, source, target in moved)
    texts_by_target: dict[str, list[str]] = defaultdict(list)
    for text, _, target in moved:
        texts_by_target[target].append(text)
    moved_texts = {text for text, _, _ in moved}
    others = list(session.scalars(select(Complaint.text).limit(5000)))
    rest = [text for text in others if text not in moved_texts]
    rows = []
    for (source, target), count in counts.most_common(top):
        suggestions = suggest_keywords(texts_by_target[target], rest, table, limit=5)
        rows.append({"from": source, "to": target, "count": count,
                     "suggestions": [[word, round(score, 3)] for word, score in suggestions]})
    return {"corrections": len(moved), "misroutes": rows}
