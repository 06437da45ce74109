"""The catalogue is the one description of each table: the README's column lists and the storage's
day files follow it."""

import datetime as dt
import re
from pathlib import Path

import pytest

from gh_assets.tables.catalogue import TABLES
from gh_assets.tables.storage import Storage

README = Path(__file__).parents[2] / "README.md"


def readme_columns() -> dict[str, list[str]]:
    """Each table's columns as the README's *Columns* list names them (asides in parentheses and
    sentences after the list left out)."""
    section = README.read_text().split("\nColumns (", 1)[1].split("\n\n", 2)[1]
    columns = {}
    for item in re.split(r"^- ", section, flags=re.M)[1:]:
        text = " ".join(item.split())
        while re.search(r"\([^()]*\)", text):
            text = re.sub(r"\s*\([^()]*\)", "", text)
        name, _, listed = text.partition(":")
        columns[name.strip("` ")] = re.findall(r"`([^`]+)`", listed.split(". ")[0])
    return columns


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_the_readme_lists_each_tables_columns_in_order(table):
    assert readme_columns()[table.name] == [column.name for column in table.columns]


def test_the_readme_lists_no_table_the_catalogue_lacks():
    assert set(readme_columns()) == {table.name for table in TABLES}


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_storage_puts_a_tables_day_where_the_catalogue_says(table, tmp_path):
    storage, day = Storage(str(tmp_path)), dt.date(2015, 1, 1)
    assert (
        storage.day_file(table.name, day) == f"{tmp_path}/{table.name}/date=2015-01-01/data.parquet"
    )
    assert storage.day_file(table.name, day) == f"{storage.root}/{table.day_file(day)}"


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_descriptions_have_no_asterisk_that_markdown_would_eat(table):
    """The asset page renders a column's description as Markdown (`refs/heads/*, refs/tags/*`
    loses both asterisks), other views show it plain (so no escape or code span either)."""
    for column in table.columns:
        assert "*" not in column.description, column.name
