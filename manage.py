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
    python manage.py report monthly --month YYYY-MM [--format csv|xlsx|json] [--output PATH]
    python manage.py status [--json]
    python manage.py officials set-password OFFICIAL_ID      # password from stdin or a prompt
"""

from __future__ import annotations

import argparse
import json
import re
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

    reports = groups.add_parser("report").add_subparsers(dest="command", required=True)
    monthly = reports.add_parser("monthly", help="counts per agency x category x status, medians, satisfaction")
    monthly.add_argument("--month", required=True, help="YYYY-MM")
    monthly.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv")
    monthly.add_argument("--output", help="file to write (required for xlsx; default: standard output)")

    status = groups.add_parser("status", help="transport self-checks, queue depth, stuck and failed notifications")
    status.add_argument("--json", action="store_true")

    officials = groups.add_parser("officials").add_subparsers(dest="command", required=True)
    password = officials.add_parser("set-password", help="set an official's dashboard password")
    password.add_argument("official")
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


def cmd_report_monthly(settings: Settings, args: argparse.Namespace) -> int:
    from models.reports import monthly_recap
    from notifier.export import recap_csv, recap_xlsx

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        raise DomainError(f"--month must look like 2026-11, not {args.month!r}")
    with _session(settings) as (session, calendar):
        recap = monthly_recap(session, calendar, args.month)
    if args.format == "json":
        _write(json.dumps(recap, ensure_ascii=False, indent=2), args.output)
    elif args.format == "csv":
        _write(recap_csv(recap), args.output)
    else:
        if not args.output:
            raise DomainError("--format xlsx needs --output FILE.xlsx")
        recap_xlsx(recap, args.output)
        print(f"wrote {args.output}")
    return 0


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    from notifier.health import queue_health, stored_checks

    with _session(settings) as (session, _calendar):
        status = {"transports": stored_checks(session), **queue_health(session, settings, system_clock())}
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    for check in status["transports"] or [{"channel": "-", "ok": True, "detail": "no self-check run yet",
                                            "at": "-"}]:
        print(f"transport {check['channel']:<9} {'OK' if check['ok'] else 'FAILED':<6} {check['detail']} "
              f"({check['at']})")
    depth = ", ".join(f"{name} {count}" for name, count in sorted(status["depth"].items())) or "empty"
    print(f"queue: {depth}; stuck: {status['stuck']}")
    for row in status["failed_last_day"]:
        print(f"failed in the last day: {row['count']}x {row['channel']}: {row['reason']}")
    return 0 if all(check["ok"] for check in status["transports"]) and not status["stuck"] else 1


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        print(f"wrote {output}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_officials_set_password(settings: Settings, args: argparse.Namespace) -> int:
    from models.accounts import set_password

    password = _read_password()
    database = open_database(settings)
    with transaction(database.sessions) as session:
        set_password(session, args.official, password)
    print(f"password set for {args.official}")
    return 0


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        raise DomainError("the two passwords differ")
    return first


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
    ("report", "monthly"): cmd_report_monthly,
    ("status", None): cmd_status,
    ("officials", "set-password"): cmd_officials_set_password,
}

if __name__ == "__main__":
    sys.exit(main())
