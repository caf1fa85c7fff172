"""Set-based INSERT for the engine's large batches.

`Model.objects.bulk_create` sends one VALUES tuple per row: for thousands of rows PostgreSQL parses
and plans a statement with tens of thousands of parameters. Here each varying column travels as one
array and the rows come out of `unnest()`; a column with the same value in every row (a timestamp,
a status) travels once. The statement has the same size and plan for 10 rows or 10,000
(DESIGN.md section 10: the engine tick's database time).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models


def insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    fields: Sequence[str],
    *,
    constants: Mapping[str, Any] | None = None,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Insert `objs` (unsaved instances) in one statement: `fields` are read from each object,
    `constants` are the same for all of them. Returns the `returning` columns of the rows actually
    inserted (a row skipped by ON CONFLICT returns nothing)."""
    if not objs:
        return []
    meta = model._meta
    constants = constants or {}
    varying = [meta.get_field(name) for name in fields]
    fixed = [meta.get_field(name) for name in constants]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in (*varying, *fixed))
    arrays = ", ".join(f"%s::{_type(field)}[]" for field in varying)
    scalars = "".join(f", %s::{_type(field)}" for field in fixed)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT v.*{scalars} FROM unnest({arrays}) v"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(quote(meta.get_field(n).column) for n in returning)
    # The constants come first in the statement (the select list), then the arrays.
    params = [_value(field, value) for field, value in zip(fixed, constants.values(), strict=True)]
    params += [[_value(field, getattr(obj, field.attname)) for obj in objs] for field in varying]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


def _value(field: models.Field, value: Any) -> Any:
    if isinstance(field, models.JSONField):
        # JSON travels as text: psycopg2 quotes a list of strings in C, a list of Json adapters
        # one Python call at a time.
        return None if value is None else json.dumps(value, cls=field.encoder)
    return field.get_db_prep_save(value, connection)


def _type(field: models.Field) -> str:
    return "jsonb" if isinstance(field, models.JSONField) else field.db_type(connection)
