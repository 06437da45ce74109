"""The run report and the table catalogue as Dagster sees them: metadata values, column schemas."""

from collections.abc import Iterable, Mapping

import dagster as dg

from gh_assets.reporting import Figure, Markdown, TablePath, Url
from gh_assets.tables.catalogue import Column, Table

GROUP = "gharchive"
OWNERS = ["team:data-engineering"]


def table_spec(table: Table, kinds: set[str], **spec) -> dg.AssetSpec:
    """The asset of a catalogue table: its key, description, column schema, code version, group
    and owners."""
    return dg.AssetSpec(
        table.name,
        description=table.description,
        code_version=table.code_version,
        metadata={"dagster/column_schema": column_schema(table.columns)},
        group_name=GROUP,
        owners=OWNERS,
        kinds=kinds,
        **spec,
    )


def column_schema(columns: Iterable[Column]) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=column.name, type=str(column.type), description=column.description)
            for column in columns
        ]
    )


def metadata(figures: Mapping[str, Figure]) -> dict:
    """Figures as metadata: Markdown is rendered, links are clickable, numbers are plotted."""
    return {name: _value(figure) for name, figure in figures.items()}


def _value(figure: Figure):
    if isinstance(figure, Markdown):
        return dg.MetadataValue.md(figure.text)
    if isinstance(figure, Url):
        return dg.MetadataValue.url(figure.url)
    if isinstance(figure, TablePath):
        return dg.MetadataValue.path(figure.path)
    return figure
