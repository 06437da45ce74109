"""The instance's storage on PostgreSQL, from the plain URL a user is given.

SQLAlchemy 2.1 reads `postgresql://` as psycopg 3, with which dagster-postgres 0.29 fails; the
driver is chosen here instead: psycopg2, the one dagster-postgres installs and is tested with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import pg_url_from_config

URL_VARIABLE = "DAGSTER_POSTGRES_URL"
SCHEMES = ("postgresql", "postgres")


def with_psycopg2(url: str) -> str:
    """`url` with the psycopg2 driver: `postgresql://u@h:5432/db` becomes
    `postgresql+psycopg2://u@h:5432/db`; a URL that names its driver is kept."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in SCHEMES:
        return url
    return f"postgresql+psycopg2://{rest}"


class PostgresStorage(DagsterPostgresStorage):
    """dagster-postgres's storage, with the driver of `with_psycopg2`."""

    @classmethod
    def from_config_value(cls, inst_data, config_value: Mapping[str, Any]):
        return DagsterPostgresStorage(
            inst_data=inst_data,
            postgres_url=with_psycopg2(pg_url_from_config(config_value)),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
        )
