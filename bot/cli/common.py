"""What every command shares: the top-level group, the config and environment read once, the exit codes.

Exit codes: 0 done; 1 refused (a domain rule, a failed check); 2 cannot start (bad config or
environment, a database without the schema this release needs, a usage mistake).
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

if TYPE_CHECKING:
    from models.config import Settings
    from models.environment import Environment
    from models.runtime import Database

F = TypeVar("F", bound=Callable[..., Any])


class Refused(Exception):
    """A command that ran and was refused: `error: <message>` and exit status 1."""


@dataclass
class Invocation:
    """One run of the command line: `--config` and the environment, each read once."""

    config: Path | None = None
    _environment: Environment | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def environment(self) -> Environment:
        if self._environment is None:
            from models.environment import Environment

            self._environment = Environment.read()
        return self._environment

    @property
    def config_path(self) -> Path:
        return self.config if self.config is not None else self.environment.aduan_config

    def settings(self) -> Settings:
        if self._settings is None:
            from models.config import load_settings

            self._settings = load_settings(self.config_path)
        return self._settings

    def reading(self) -> Database:
        """The database for a command that only reads (no write transaction, no directory sync)."""
        from models.runtime import read_database

        return read_database(self.environment)

    def writing(self) -> Database:
        """The database for a command or process that writes (schema checked, directory synced)."""
        from models.runtime import open_database

        return open_database(self.settings(), self.environment)


def invocation() -> Invocation:
    obj = click.get_current_context().find_object(Invocation)
    assert obj is not None, "commands run under the aduan group"
    return obj


def _set_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(Invocation).config = value


def config_option(function: F) -> F:
    """--config on every command too, so `aduan notifier --config X` works like `aduan --config X notifier`."""
    return click.option("--config", type=click.Path(path_type=Path), expose_value=False, is_eager=True,
                        callback=_set_config, help="config file (default: $ADUAN_CONFIG or ./config.yaml)")(function)


def short_lived(function: F) -> F:
    """A command that reads, answers and exits runs without the cyclic garbage collector.

    Its imports (SQLAlchemy, pydantic, the models) make hundreds of thousands of objects that all live
    until the process ends; the collector walking them again and again cost 30-35 ms of CPU of the
    0.5 s such a command may take (issue 17). What the command itself makes is bounded by its --limit and
    freed when the process exits (peak memory of `complaints show` +1 MB). Never for a process that runs on."""

    @functools.wraps(function)
    def without_collector(*args: Any, **kwargs: Any) -> Any:
        collecting = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return cast(F, without_collector)


def as_json(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="print JSON (a stable contract, see README)")(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="config file (default: $ADUAN_CONFIG or ./config.yaml)")
@click.pass_context
def aduan(ctx: click.Context, config: Path | None) -> None:
    """Complaint desk for Indonesian regional governments."""
    ctx.ensure_object(Invocation)
    if config is not None and ctx.obj.config is None:
        ctx.obj.config = config


def failure(error: Exception) -> int:
    """Known failures as one readable line (or the key paths) and their exit status; others raise."""
    from bot.routing import RoutingTableError
    from models.config import ConfigError
    from models.db import SchemaOutOfDate
    from models.environment import BadEnvironment
    from models.lifecycle import DomainError

    if isinstance(error, ConfigError | RoutingTableError) and not isinstance(error, DomainError):
        print(f"config error:\n{error}", file=sys.stderr)
        return 2
    if isinstance(error, BadEnvironment):
        print(f"environment error:\n{error}", file=sys.stderr)
        return 2
    if isinstance(error, SchemaOutOfDate):
        print(f"error: {error}", file=sys.stderr)
        return 2
    if isinstance(error, DomainError | Refused):
        print(f"error: {error}", file=sys.stderr)
        return 1
    raise error
