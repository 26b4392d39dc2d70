"""Printing rows for people or for tools (`--json`: the stable contract documented in the README)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def print_rows(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]) -> None:
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(line(row))
    click.echo(f"({len(rows)} rows)")


def write_text(text: str, output: str | None) -> None:
    """To the file named, or to standard output."""
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        click.echo(f"wrote {output}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
