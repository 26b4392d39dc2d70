#!/usr/bin/env python3
"""Admin command line for the complaint desk.

    python manage.py db upgrade
    python manage.py config check
    python manage.py demo
    python manage.py complaints list [--status S] [--agency A] [--json]
    python manage.py complaints show CODE [--json]
    python manage.py complaints act CODE --as OFFICIAL_ID --action ack|answer|close|reject|reroute \
        [--to AGENCY] [--note TEXT]
    python manage.py notifications list [--status S] [--json]
    python manage.py router report [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.routing import RoutingTableError
from models.clock import system_clock
from models.codes import normalize_code
from models.config import ConfigError, Settings, load_settings
from models.db import database_url, make_engine, transaction, upgrade_schema
from models.desk import Desk, calendar_for
from models.directory import official_actor
from models.lifecycle import DomainError
from models.permissions import Action
from models.runtime import Database, open_database
from models.tables import Complaint
from models.views import (
    complaint_detail,
    complaint_summary,
    list_complaints,
    list_notifications,
    notification_view,
)

ACTIONS = {"ack": Action.ACKNOWLEDGE, "answer": Action.ANSWER, "close": Action.CLOSE, "reject": Action.REJECT,
           "reroute": Action.REROUTE, "dispatch": Action.DISPATCH, "forward": Action.FORWARD,
           "coordinate": Action.COORDINATE, "bukan_wewenang": Action.NOT_OUR_AUTHORITY}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config.yaml")
    groups = parser.add_subparsers(dest="group", required=True)

    db = groups.add_parser("db").add_subparsers(dest="command", required=True)
    db.add_parser("upgrade", help="create or upgrade the schema")

    config = groups.add_parser("config").add_subparsers(dest="command", required=True)
    config.add_parser("check", help="validate config.yaml and the routing table")

    groups.add_parser("demo", help="seed a realistic week of complaints")

    complaints = groups.add_parser("complaints").add_subparsers(dest="command", required=True)
    listing = complaints.add_parser("list")
    listing.add_argument("--status")
    listing.add_argument("--agency")
    listing.add_argument("--limit", type=int, default=1000)
    listing.add_argument("--json", action="store_true")
    show = complaints.add_parser("show")
    show.add_argument("code")
    show.add_argument("--json", action="store_true")
    act = complaints.add_parser("act")
    act.add_argument("code")
    act.add_argument("--as", dest="official", required=True)
    act.add_argument("--action", required=True, choices=sorted(ACTIONS))
    act.add_argument("--to")
    act.add_argument("--note")

    notifications = groups.add_parser("notifications").add_subparsers(dest="command", required=True)
    notes = notifications.add_parser("list")
    notes.add_argument("--status")
    notes.add_argument("--limit", type=int, default=1000)
    notes.add_argument("--json", action="store_true")

    router = groups.add_parser("router").add_subparsers(dest="command", required=True)
    report = router.add_parser("report", help="most frequent misroutes and keyword suggestions")
    report.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"config error:\n{error}", file=sys.stderr)
        return 2
    handler = COMMANDS[(args.group, getattr(args, "command", None))]
    try:
        return handler(settings, args)
    except (DomainError, RoutingTableError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    upgrade_schema(make_engine(database_url()))
    print("schema is up to date")
    return 0


def cmd_config_check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.setup import load_routing_table

    load_routing_table(settings)
    officials = sum(1 for _ in settings.all_officials())
    print(f"{args.config}: OK ({settings.region.name}, {settings.region.timezone}, "
          f"{len(settings.agencies)} agencies, {officials} officials)")
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import seed_demo_week
    from bot.setup import load_routing_table

    database = open_database(settings)
    count = seed_demo_week(settings, database.sessions, load_routing_table(settings), system_clock())
    print(f"seeded {count} demo complaints")
    return 0


def cmd_complaints_list(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as (session, _calendar):
        rows = [complaint_summary(c) for c in list_complaints(session, args.status, args.agency, args.limit)]
    _print(rows, args.json, lambda r: f"{r['code']}  {r['status']:<12} {r['agency'] or '-':<12} "
                                      f"{r['channel']:<9} {r['created_at']}")
    return 0


def cmd_complaints_show(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as (session, calendar):
        complaint = _find(session, settings, args.code)
        notifications = [n for n, _ in list_notifications(session, complaint_id=complaint.id)]
        detail = complaint_detail(complaint, calendar, notifications=notifications)
    if args.json:
        print(json.dumps(detail, ensure_ascii=False, indent=2))
    else:
        _print_detail(detail)
    return 0


def cmd_complaints_act(settings: Settings, args: argparse.Namespace) -> int:
    database = open_database(settings)
    with transaction(database.sessions) as session:
        complaint = _find(session, settings, args.code)
        actor = official_actor(session, args.official)
        desk = Desk(session, settings, calendar_for(settings), system_clock())
        desk.act(complaint, actor, ACTIONS[args.action], note=args.note, to_agency=args.to)
        print(f"{complaint.code}: {args.action} done, status now {complaint.status}")
    return 0


def cmd_notifications_list(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as (session, _calendar):
        rows = [notification_view(n, code) for n, code in list_notifications(session, args.status,
                                                                              limit=args.limit)]
    _print(rows, args.json, lambda r: f"#{r['id']:<5} {r['status']:<8} {r['channel']:<9} {r['purpose']:<14} "
                                      f"{r['complaint_code'] or '-':<14} {r['recipient']}")
    return 0


def cmd_router_report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.corrections import misroute_report
    from bot.setup import load_routing_table

    table = load_routing_table(settings)
    with _session(settings) as (session, _calendar):
        report = misroute_report(session, table)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    if not report["misroutes"]:
        print("No complaint has been rerouted yet: nothing to learn from.")
        return 0
    print("Most frequent reroutes (from -> to: count):")
    for row in report["misroutes"]:
        print(f"  {row['from']} -> {row['to']}: {row['count']}")
        for word, score in row.get("suggestions", []):
            print(f"      suggest keyword for {row['to']}: {word!r} ({score:.2f})")
    return 0


class _session:
    """Context manager giving a read session and the region's calendar."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database: Database = open_database(settings)

    def __enter__(self) -> tuple[Any, Any]:
        self.session = self.database.sessions()
        return self.session, calendar_for(self.settings)

    def __exit__(self, *exc: object) -> None:
        self.session.close()


def _find(session: Any, settings: Settings, code_text: str) -> Complaint:
    code = normalize_code(code_text, settings.region.code_prefix)
    complaint = session.scalars(select(Complaint).where(Complaint.code == code)).first() if code else None
    if complaint is None:
        raise DomainError(f"no complaint with code {code_text!r}")
    return complaint


def _print(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        print(line(row))
    print(f"({len(rows)} rows)")


def _print_detail(detail: dict[str, Any]) -> None:
    print(f"{detail['code']}  {detail['status_label']}  {detail['agency'] or '(triage)'}")
    print(f"  {detail['text']}")
    print(f"  deadlines ({detail['deadlines']['timezone']}): verify {detail['deadlines']['verify_due']}, "
          f"answer {detail['deadlines']['answer_due']}")
    for event in detail["events"]:
        print(f"  {event['at']}  {event['action']:<14} {event['from_status'] or '':>12} -> "
              f"{event['to_status'] or ''}  {event['actor_kind']}:{event['actor_id'] or '-'}")


COMMANDS: dict[tuple[str, str | None], Callable[[Settings, argparse.Namespace], int]] = {
    ("db", "upgrade"): cmd_db_upgrade,
    ("config", "check"): cmd_config_check,
    ("demo", None): cmd_demo,
    ("complaints", "list"): cmd_complaints_list,
    ("complaints", "show"): cmd_complaints_show,
    ("complaints", "act"): cmd_complaints_act,
    ("notifications", "list"): cmd_notifications_list,
    ("router", "report"): cmd_router_report,
}

if __name__ == "__main__":
    sys.exit(main())
