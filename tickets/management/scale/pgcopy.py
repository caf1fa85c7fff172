"""COPY from Python generators, and the secondary indexes and constraints set aside for a load."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice

from django.db import models

NULL = r"\N"
TRUE, FALSE = "t", "f"


def ts(value: datetime | None) -> str:
    return NULL if value is None else value.isoformat()


class Stamps:
    """The text of a time given in whole seconds since the epoch (UTC), from cached day and
    time-of-day strings: a few times faster than datetime.isoformat(), for tens of millions."""

    def __init__(self):
        self.days: dict[int, str] = {}
        self.times = [f"T{h:02d}:{m:02d}:{s:02d}+00:00"
                      for h in range(24) for m in range(60) for s in range(60)]

    def __call__(self, seconds: int | None) -> str:
        if seconds is None:
            return NULL
        day, rest = divmod(seconds, 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = (date(1970, 1, 1) + timedelta(days=day)).isoformat()
        return prefix + self.times[rest]


def interval(value: timedelta) -> str:
    return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"


def array(values: Sequence[str]) -> str:
    # Only for values without quotes, commas, braces, backslashes or spaces (tags are).
    return "{" + ",".join(values) + "}"


def pg_value(value) -> str:
    """The CSV text of a Python value (for defaults and small tables)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return interval(value)
    return str(value)


def _default_text(field: models.Field) -> str:
    from django.contrib.postgres.fields import ArrayField

    if field.has_default():
        value = field.get_default()
    elif field.null:
        return NULL
    elif field.blank:
        value = ""
    else:
        raise LookupError(
            f"{field.model.__name__}.{field.name} has no default: seed_scale must fill it."
        )
    if isinstance(field, ArrayField):
        return array(value)
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return pg_value(value)


class CopyStream:
    """The file COPY reads: CSV produced on demand from an iterator of rows, never more than
    about one read() ahead (psycopg2 asks for `size` bytes at a time)."""

    def __init__(self, rows: Iterable[Sequence], *, suffix: Sequence[str] = (), progress=None):
        self.rows = iter(rows)
        self.suffix = tuple(suffix)
        self.progress = progress
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.done = False
        self.count = 0

    def read(self, size: int = -1) -> str:
        buffer = self.buffer
        while not self.done and (size < 0 or buffer.tell() < size):
            batch = list(islice(self.rows, 500))
            if not batch:
                self.done = True
                break
            if self.suffix:
                batch = [(*row, *self.suffix) for row in batch]
            self.writer.writerows(batch)
            self.count += len(batch)
            if self.progress is not None:
                self.progress.update(len(batch))
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return data


@dataclass(frozen=True)
class Columns:
    """The COPY column list of a model: the columns the loader fills (by attname, in the order
    its rows give them), then every other concrete column with its model default, so a column
    added later with a default does not break the load."""

    table: str
    columns: tuple[str, ...]
    suffix: tuple[str, ...]

    @classmethod
    def of(cls, model: type[models.Model], filled: Sequence[str]) -> Columns:
        fields = {f.attname: f for f in model._meta.concrete_fields
                  if not isinstance(f, models.GeneratedField)}
        missing = [name for name in filled if name not in fields]
        if missing:
            raise LookupError(f"{model.__name__} has no field(s) {missing}: update seed_scale.")
        # Columns with a database default are left out: PostgreSQL fills them.
        rest = [f for name, f in fields.items()
                if name not in filled and f.db_default is models.NOT_PROVIDED]
        return cls(
            model._meta.db_table,
            tuple(fields[n].column for n in filled) + tuple(f.column for f in rest),
            tuple(_default_text(f) for f in rest),
        )

    def sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f'COPY "{self.table}" ({cols}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')'


def copy_rows(cursor, columns: Columns, rows: Iterable[Sequence], *, progress=None) -> int:
    stream = CopyStream(rows, suffix=columns.suffix, progress=progress)
    cursor.copy_expert(columns.sql(), stream, 1 << 20)
    return stream.count


@dataclass
class SetAside:
    """Secondary indexes, unique and foreign-key constraints of a table, dropped for a load
    and recreated from their own definitions (pg_get_indexdef / pg_get_constraintdef)."""

    table: str
    indexes: list[tuple[str, str]]
    constraints: list[tuple[str, str, str]]  # name, contype, definition

    @classmethod
    def read(cls, cursor, table: str) -> SetAside:
        cursor.execute(
            """
            SELECT c.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
            ORDER BY c.relname
            """,
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT conname, contype, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype IN ('f', 'u')
            ORDER BY contype, conname
            """,
            [table],
        )
        return cls(table, indexes, cursor.fetchall())

    def drop(self, cursor) -> None:
        for name, _, _ in sorted(self.constraints, key=lambda c: c[1]):  # foreign keys first
            cursor.execute(f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{name}"')
        for name, _ in self.indexes:
            cursor.execute(f'DROP INDEX "{name}"')

    def restore(self, cursor, *, step=None) -> None:
        for name, definition in self.indexes:
            cursor.execute(definition)
            if step:
                step(name)
        # Unique constraints before the foreign keys that might need them.
        for name, _, definition in sorted(self.constraints, key=lambda c: c[1] != "u"):
            cursor.execute(f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{name}" {definition}')
            if step:
                step(name)
