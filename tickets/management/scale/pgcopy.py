"""COPY from Python generators, and the secondary indexes and constraints set aside for a load."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
        self.times = [
            f"T{h:02d}:{m:02d}:{s:02d}+00:00"
            for h in range(24)
            for m in range(60)
            for s in range(60)
        ]

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
    """The COPY text of a Python value (for defaults)."""
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


def escape(value: str) -> str:
    """A value in COPY's text format (the CSV module is three times slower on long texts)."""
    if value is NULL:
        return value
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    return value


def lines(rows: Iterable[Sequence], suffix: Sequence[str] = ()) -> Iterable[str]:
    """COPY text-format lines: strings escaped, everything else (ids, counts) as str()."""
    tail = "".join("\t" + escape(v) for v in suffix) + "\n"
    for row in rows:
        yield "\t".join([escape(v) if v.__class__ is str else str(v) for v in row]) + tail


class CopyStream:
    """The file COPY reads: text produced on demand from an iterator of rows, never more than
    about one read() ahead (psycopg2 asks for `size` bytes at a time)."""

    def __init__(self, rows: Iterable[Sequence], *, suffix: Sequence[str] = (), progress=None):
        self.lines = lines(rows, suffix)
        self.progress = progress
        self.done = False
        self.count = 0

    def read(self, size: int = -1) -> str:
        chunks: list[str] = []
        length = 0
        batch = 0
        for line in self.lines:
            chunks.append(line)
            length += len(line)
            batch += 1
            if length >= size > 0:
                break
        else:
            self.done = True
        self.count += batch
        if self.progress is not None and batch:
            self.progress.update(batch)
        return "".join(chunks)


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
        fields = {
            f.attname: f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.GeneratedField)
        }
        missing = [name for name in filled if name not in fields]
        if missing:
            raise LookupError(f"{model.__name__} has no field(s) {missing}: update seed_scale.")
        # Columns with a database default are left out: PostgreSQL fills them.
        rest = [
            f
            for name, f in fields.items()
            if name not in filled and f.db_default is models.NOT_PROVIDED
        ]
        return cls(
            model._meta.db_table,
            tuple(fields[n].column for n in filled) + tuple(f.column for f in rest),
            tuple(_default_text(f) for f in rest),
        )

    def sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f'COPY "{self.table}" ({cols}) FROM STDIN'


def copy_rows(cursor, columns: Columns, rows: Iterable[Sequence], *, progress=None) -> int:
    stream = CopyStream(rows, suffix=columns.suffix, progress=progress)
    cursor.copy_expert(columns.sql(), stream, 1 << 20)
    return stream.count


class _Counting:
    """A file whose reads count the lines going by (one per row in the text format)."""

    def __init__(self, file, progress):
        self.file, self.progress, self.lines = file, progress, 0

    def read(self, size: int = -1) -> str:
        data = self.file.read(size)
        lines = data.count("\n")
        self.lines += lines
        if self.progress is not None:
            self.progress.update(lines)
        return data


class Spool:
    """Rows written to a temporary CSV file by a forked child process, while this process
    streams another table. The child only computes and writes: it never touches the database
    connection it inherited, and leaves with os._exit so nothing closes it.

    Without fork() the rows are produced when copied, in this process."""

    def __init__(self, columns: Columns, make_rows):
        self.columns = columns
        self.make_rows = make_rows
        self.pid = None
        self.path = None
        if not hasattr(os, "fork"):
            return
        fd, self.path = tempfile.mkstemp(prefix="seed-scale-", suffix=".csv")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            os.close(fd)
            self.pid = pid
            return
        code = 1
        try:
            with open(fd, "w", newline="") as file:
                file.writelines(lines(make_rows(), columns.suffix))
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)

    def copy(self, cursor, *, progress=None) -> int:
        """Wait for the child, then COPY its file."""
        if self.path is None:
            return copy_rows(cursor, self.columns, self.make_rows(), progress=progress)
        try:
            pid, self.pid = self.pid, None
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"The process writing {self.columns.table} failed.")
            with open(self.path, newline="") as file:
                reader = _Counting(file, progress)
                cursor.copy_expert(self.columns.sql(), reader, 1 << 20)
            return reader.lines
        finally:
            self.discard()

    def discard(self) -> None:
        """Stop the child if it still runs (the load failed) and remove the file."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)


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
