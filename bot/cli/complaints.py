"""`aduan complaints list|show|act|lapor-link`: the desk from the command line.

list and show only read (a read-only connection: no write lock, no directory sync); act changes a
complaint through the same Desk, permission table and audit trail as the dashboard and the chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from bot.cli.common import Refused, as_json, config_option, invocation, short_lived
from bot.cli.output import print_json, print_rows

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from models.config import Settings
    from models.tables import Complaint

# The CLI's spellings of the desk's actions (models/permissions.py names them).
ACTIONS = {"ack": "ack", "answer": "answer", "close": "close", "reject": "reject", "reroute": "reroute",
           "dispatch": "dispatch", "forward": "forward", "coordinate": "coordinate",
           "bukan_wewenang": "bukan_wewenang"}


@click.group("complaints")
def command() -> None:
    """List, show and act on complaints."""


@command.command("list")
@click.option("--status")
@click.option("--agency")
@click.option("--limit", type=int, default=1000, show_default=True)
@as_json
@config_option
@short_lived
def list_(status: str | None, agency: str | None, limit: int, as_json: bool) -> None:
    """Complaints, newest first."""
    from models.views import complaint_summary, list_complaints

    database = invocation().reading()
    with database.sessions() as session:
        rows = [complaint_summary(c) for c in list_complaints(session, status, agency, limit)]
    print_rows(rows, as_json, lambda r: f"{r['code']}  {r['status']:<12} {r['agency'] or '-':<12} "
                                        f"{r['channel']:<9} {r['created_at']}")


@command.command("show")
@click.argument("code")
@as_json
@config_option
@short_lived
def show(code: str, as_json: bool) -> None:
    """One complaint with its deadlines, events and notifications."""
    from models.views import complaint_detail, list_notifications
    from models.workdays import calendar_for

    run = invocation()
    settings = run.settings()
    database = run.reading()
    with database.sessions() as session:
        complaint = find_complaint(session, settings, code)
        notifications = [n for n, _ in list_notifications(session, complaint_id=complaint.id)]
        detail = complaint_detail(complaint, calendar_for(settings), notifications=notifications)
    if as_json:
        print_json(detail)
    else:
        _print_detail(detail)


@command.command("act")
@click.argument("code")
@click.option("--as", "official", required=True, help="the official acting (their id in config.yaml)")
@click.option("--action", required=True, type=click.Choice(sorted(ACTIONS)))
@click.option("--to", "to_agency", help="target agency (reroute, dispatch, forward)")
@click.option("--note", help="the answer, a note, or the reason of a reject")
@config_option
def act(code: str, official: str, action: str, to_agency: str | None, note: str | None) -> None:
    """Act on a complaint as an official (the same rights as on the dashboard)."""
    from models.clock import system_clock
    from models.db import transaction
    from models.desk import Desk, calendar_for
    from models.directory import official_actor
    from models.permissions import Action

    run = invocation()
    settings = run.settings()
    database = run.writing()
    with transaction(database.sessions) as session:
        complaint = find_complaint(session, settings, code)
        actor = official_actor(session, official)
        desk = Desk(session, settings, calendar_for(settings), system_clock())
        desk.act(complaint, actor, Action(ACTIONS[action]), note=note, to_agency=to_agency)
        click.echo(f"{complaint.code}: {action} done, status now {complaint.status}")


@command.command("lapor-link")
@click.argument("code")
@click.argument("tracking_id")
@click.option("--as", "official", required=True, help="the triage official recording it (their id in config.yaml)")
@config_option
def lapor_link(code: str, tracking_id: str, official: str) -> None:
    """Record the SP4N-LAPOR! tracking id of a complaint (as the dashboard's LAPOR! queue does)."""
    from models.clock import system_clock
    from models.config import Role
    from models.db import transaction
    from models.desk import Desk, calendar_for
    from models.directory import official_actor

    run = invocation()
    settings = run.settings()
    database = run.writing()
    with transaction(database.sessions) as session:
        complaint = find_complaint(session, settings, code)
        actor = official_actor(session, official)
        if actor.role != Role.TRIAGE:
            raise Refused(f"{official} may not link complaints to SP4N-LAPOR! (triage only)")
        Desk(session, settings, calendar_for(settings), system_clock()).record_lapor_tracking_id(
            complaint, actor, tracking_id)
        click.echo(f"{complaint.code}: linked to SP4N-LAPOR! {complaint.lapor_tracking_id}")


def find_complaint(session: Session, settings: Settings, typed: str) -> Complaint:
    from sqlalchemy import select

    from models.codes import normalize_code
    from models.tables import Complaint

    code = normalize_code(typed, settings.region.code_prefix)
    complaint = session.scalars(select(Complaint).where(Complaint.code == code)).first() if code else None
    if complaint is None:  # a SP4N-LAPOR! tracking id works wherever a code does
        complaint = session.scalars(select(Complaint).where(Complaint.lapor_tracking_id == typed.strip())).first()
    if complaint is None:
        raise Refused(f"no complaint with code {typed!r}")
    return complaint


def _print_detail(detail: dict[str, Any]) -> None:
    click.echo(f"{detail['code']}  {detail['status_label']}  {detail['agency'] or '(triage)'}")
    click.echo(f"  {detail['text']}")
    click.echo(f"  deadlines ({detail['deadlines']['timezone']}): verify {detail['deadlines']['verify_due']}, "
               f"answer {detail['deadlines']['answer_due']}")
    for event in detail["events"]:
        click.echo(f"  {event['at']}  {event['action']:<14} {event['from_status'] or '':>12} -> "
                   f"{event['to_status'] or ''}  {event['actor_kind']}:{event['actor_id'] or '-'}")
