"""Metadata shared by the assets: column schemas for the UI and totals over a run's days."""

from collections.abc import Iterable

import dagster as dg

from gh_assets.tables import Column


def column_schema(columns: Iterable[Column]) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=column.name, type=str(column.type), description=column.description)
            for column in columns
        ]
    )


def total(items: Iterable[object], field: str) -> int:
    return sum(getattr(item, field) for item in items)
