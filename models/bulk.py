"""Many rows, one statement per table: the writes of a batch job inside the caller's transaction.

Row-at-a-time ORM writes cost a statement build, a flush and a round trip per row; a batch job (the
escalation sweep) writes hundreds of rows per transaction, so each table gets one statement instead:

* SQLite: one prepared INSERT stepped over every row (the driver's executemany, a loop in C). An
  UPDATE of many rows is one ``UPDATE … FROM`` over the rows given as one JSON document (``json_each``).
* PostgreSQL: the rows travel as one JSON document and the server unpacks them (``json_to_recordset``):
  one statement and one round trip for the whole batch. psycopg spends several microseconds of Python
  per bound parameter, which is most of the cost of a multi-row VALUES list of thousands of parameters
  (and its text arrays for ``unnest`` quote each element in Python: slower still). A JSON column's
  distinct objects travel once, in a second document joined back by position: an alert sent on two
  channels or to several officials is one payload, encoded and parsed once. A column holding one value in
  every row (the outbox rows' status, attempts and times, the audit events' actor and action) travels
  once too, in a one-object document: the rows' document keeps only what varies, and the server reads
  each row's object faster the fewer keys it has.

Values are given as the ORM would take them (aware datetimes, dicts for JSON columns); every row of one
call carries the same keys in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import JSON, Boolean, Column, Float, FromClause, Integer, Table, TextClause, text
from sqlalchemy.orm import Session

from models.tables import UTCDateTime


def insert_rows(session: Session, model_table: FromClause, rows: Sequence[dict[str, Any]],
                skip_duplicates_of: str | None = None) -> None:
    """INSERT every row; with `skip_duplicates_of`, a row whose value of that unique column exists is skipped."""
    if not rows:
        return
    table = cast(Table, model_table)
    columns = tuple(rows[0])
    if _dialect(session) == "postgresql":
        shared = tuple(name for name in columns if isinstance(table.c[name].type, JSON))
        constant = _constant_columns(rows, columns, shared)
        if not shared and not constant:
            session.execute(_recordset_insert(table, columns, skip_duplicates_of), {"rows": _document(rows)})
            return
        varying = tuple(name for name in columns if name not in constant)
        sent, objects = _varying_values(rows, varying, shared)
        parameters = {"rows": _document(sent)} | {f"shared_{name}": _document(objects[name]) for name in shared}
        if constant:
            parameters["constants"] = _document({name: rows[0][name] for name in constant})
        session.execute(_joined_insert(table, columns, shared, constant, skip_duplicates_of), parameters)
        return
    session.connection().exec_driver_sql(_prepared_insert(table, columns, skip_duplicates_of),
                                         _driver_rows(table, columns, rows))


def update_rows(session: Session, model_table: FromClause, rows: Sequence[dict[str, Any]], key: str = "id",
                keep_when_null: Sequence[str] = ()) -> None:
    """One UPDATE setting each row's columns on the row whose `key` matches; a column named in
    `keep_when_null` keeps its stored value where the given one is None."""
    if not rows:
        return
    table, columns = cast(Table, model_table), tuple(rows[0])
    statement = _recordset_update(_dialect(session), table, columns, key, tuple(keep_when_null))
    session.execute(statement, {"rows": _document(rows)})


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("sqlite", "postgresql"):
        raise RuntimeError(f"unsupported database dialect {name!r}")
    return name


def _document(rows: Sequence[dict[str, Any]] | dict[str, Any]) -> str:
    """The rows (or one row) as JSON; instants as naive UTC text, the way the schema stores them (the encoder
    hands every datetime to `_Instants`, so no row is copied)."""
    return json.dumps(rows, separators=(",", ":"), default=_Instants())


def _constant_columns(rows: Sequence[dict[str, Any]], columns: tuple[str, ...],
                      shared: tuple[str, ...]) -> tuple[str, ...]:
    """The columns (JSON ones aside: they are shared by identity) holding one value in every row, when there
    are several rows and something still varies: the rows' document needs at least one column."""
    if len(rows) < 2:
        return ()
    first = rows[0]
    constant = tuple(name for name in columns if name not in shared
                     and all(row[name] == first[name] for row in rows))  # a varying column stops at once
    return constant if len(constant) < len(columns) else constant[1:]


def _varying_values(rows: Sequence[dict[str, Any]], varying: tuple[str, ...], shared: tuple[str, ...]
                    ) -> tuple[list[dict[str, Any]], dict[str, list[Any]]]:
    """The rows with only their `varying` columns, each JSON value replaced by its 1-based position in a
    list of the distinct objects (by identity; None stays None), and those lists: an alert sent on two
    channels, or to several officials, is one object, so it travels and is parsed by the server once, not
    once per row."""
    objects: dict[str, list[Any]] = {name: [] for name in shared}
    positions: dict[str, dict[int, int]] = {name: {} for name in shared}
    replaced = []
    for row in rows:
        changed = {name: row[name] for name in varying}
        for name in shared:
            value = row[name]
            if value is None:
                continue
            known = positions[name]
            position = known.get(id(value))  # the objects live in `rows` meanwhile, so no id is reused
            if position is None:
                objects[name].append(value)
                position = known[id(value)] = len(objects[name])
            changed[name] = position
        replaced.append(changed)
    return replaced, objects


def _driver_rows(table: Table, columns: tuple[str, ...], rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows in column order, converted as the column types would (SQLite: instants and JSON as text).

    Done column by column: each distinct instant is formatted once and each distinct JSON object (an alert
    sent on two channels is one object) encoded once, and the rows are rebuilt with map and zip, so no
    Python code runs per value."""
    values = [list(column) for column in zip(*(row.values() for row in rows), strict=True)]
    for position, name in enumerate(columns):
        kind, column = table.c[name].type, values[position]
        if isinstance(kind, UTCDateTime):
            instants = _Instants()
            texts = {value: instants(value) for value in set(column)}
            values[position] = list(map(texts.__getitem__, column))
        elif isinstance(kind, JSON):
            # By identity: the objects live in `column` meanwhile, so no id is reused.
            distinct = {id(value): value for value in column}
            encoded = {key: None if value is None else json.dumps(value, separators=(",", ":"))
                       for key, value in distinct.items()}
            values[position] = list(map(encoded.__getitem__, map(id, column)))
    return list(zip(*values, strict=True))


class _Instants:
    """Aware instants as the naive UTC text SQLAlchemy stores (also parsed by PostgreSQL), each distinct
    instant formatted once: a batch shares a handful of them."""

    def __init__(self) -> None:
        self.seen: dict[datetime, str] = {}

    def __call__(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"{type(value).__name__} is not a value a table column takes")
        text = self.seen.get(value)
        if text is None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to the database; pass an aware UTC instant")
            text = self.seen[value] = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        return text


@cache
def _prepared_insert(table: Table, columns: tuple[str, ...], skip_duplicates_of: str | None) -> str:
    conflict = f" ON CONFLICT ({_quoted(skip_duplicates_of)}) DO NOTHING" if skip_duplicates_of else ""
    return (f"INSERT INTO {_quoted(table.name)} ({', '.join(_quoted(name) for name in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)}){conflict}")


@cache
def _recordset_insert(table: Table, columns: tuple[str, ...], skip_duplicates_of: str | None) -> TextClause:
    names = ", ".join(_quoted(name) for name in columns)
    conflict = f" ON CONFLICT ({_quoted(skip_duplicates_of)}) DO NOTHING" if skip_duplicates_of else ""
    return text(f"INSERT INTO {_quoted(table.name)} ({names}) SELECT {names} "
                f"FROM json_to_recordset(CAST(:rows AS json)) AS x({_record_spec(table, columns)}){conflict}")


@cache
def _joined_insert(table: Table, columns: tuple[str, ...], shared: tuple[str, ...], constant: tuple[str, ...],
                   skip_duplicates_of: str | None) -> TextClause:
    """INSERT … SELECT from the rows' document (the varying columns), the one object of the constant columns,
    and one document per JSON column holding its distinct objects (json_array_elements keeps each object's
    text as sent). The rows keep their order, and so the order of their ids."""
    varying = tuple(name for name in columns if name not in constant)
    spec = ", ".join(f"{_quoted(name)} {'integer' if name in shared else _postgres_type(table.c[name])}"
                     for name in varying)
    chosen = ", ".join(f"s_{name}.value" if name in shared else f"c.{_quoted(name)}" if name in constant
                       else f"x.{_quoted(name)}" for name in columns)
    joins = "".join(f" LEFT JOIN json_array_elements(CAST(:shared_{name} AS json)) WITH ORDINALITY AS "
                    f"s_{name}(value, position) ON s_{name}.position = x.{_quoted(name)}" for name in shared)
    if constant:
        joins = (f" CROSS JOIN json_to_record(CAST(:constants AS json)) AS c({_record_spec(table, constant)})"
                 + joins)
    conflict = f" ON CONFLICT ({_quoted(skip_duplicates_of)}) DO NOTHING" if skip_duplicates_of else ""
    return text(f"INSERT INTO {_quoted(table.name)} ({', '.join(_quoted(name) for name in columns)}) "
                f"SELECT {chosen} FROM ROWS FROM (json_to_recordset(CAST(:rows AS json)) AS ({spec})) "
                f"WITH ORDINALITY AS x({', '.join(_quoted(name) for name in varying)}, sent_position){joins} "
                f"ORDER BY x.sent_position{conflict}")


@cache
def _recordset_update(dialect: str, table: Table, columns: tuple[str, ...], key: str,
                      keep_when_null: tuple[str, ...]) -> TextClause:
    target = _quoted(table.name)

    def value(name: str) -> str:
        given = f"x.{_quoted(name)}"
        return f"COALESCE({given}, {target}.{_quoted(name)})" if name in keep_when_null else given

    assignments = ", ".join(f"{_quoted(name)} = {value(name)}" for name in columns if name != key)
    if dialect == "postgresql":
        source = f"json_to_recordset(CAST(:rows AS json)) AS x({_record_spec(table, columns)})"
    else:
        fields = ", ".join(f"json_extract(value, '$.{name}') AS {_quoted(name)}" for name in columns)
        source = f"(SELECT {fields} FROM json_each(:rows)) AS x"
    return text(f"UPDATE {target} SET {assignments} FROM {source} WHERE {target}.{_quoted(key)} = x.{_quoted(key)}")


def _record_spec(table: Table, columns: tuple[str, ...]) -> str:
    """PostgreSQL column definitions for json_to_recordset, from the table's own column types."""
    return ", ".join(f"{_quoted(name)} {_postgres_type(table.c[name])}" for name in columns)


def _postgres_type(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "timestamp"
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, Float):
        return "double precision"
    return "text"


def _quoted(name: str) -> str:
    # Both databases read a double-quoted lower-case name as the name itself, reserved word or not.
    return f'"{name}"'
