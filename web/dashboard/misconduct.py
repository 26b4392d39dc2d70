"""Misconduct by civil servants, whatever door a report comes in by (issue 12, class 1).

The chat asks the router (bot/dialog/turn.py); the operators' intake form and Open311 POST ask it here, with the
same routing table, so pungli typed by an operator or posted by an Open311 client goes to the Inspectorate,
confidential, with the office it accuses as its subject, exactly as if a citizen had typed it in the chat.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.routing import RoutingResult, classify
from web.dashboard.context import Context


@dataclass(frozen=True)
class MisconductReading:
    misconduct: bool
    subject_agency_code: str | None


def read_misconduct(context: Context, text: str, chosen_agency: str | None) -> MisconductReading:
    """Whether `text` reports misconduct, and which office it accuses (the router's subject, else the office
    the sender chose: someone who picks an office for a bribery report is naming the office involved)."""
    return misconduct_in(classify(text, context.engine.table), chosen_agency)


def misconduct_in(result: RoutingResult | None, chosen_agency: str | None) -> MisconductReading:
    """The same reading from a routing the caller already made (the intake form routes its text once)."""
    if result is None or not result.confidential:
        return MisconductReading(False, None)
    return MisconductReading(True, result.subject or chosen_agency)
