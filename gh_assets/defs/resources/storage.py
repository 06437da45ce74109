"""Table storage as a Dagster resource."""

import os

import dagster as dg

from gh_assets.settings import setting_field, variable
from gh_assets.tables.storage import Storage, StorageError


class StorageResource(dg.ConfigurableResource):
    """Where the tables go: a local folder or s3://bucket/prefix (credentials: the AWS chain)."""

    url: str = setting_field("storage")
    s3_endpoint_url: str | None = setting_field("s3_endpoint_url")

    def storage(self) -> Storage:
        """The storage, with a local folder made absolute so that every process agrees on it."""
        url = self.url if "://" in self.url else os.path.abspath(self.url)
        return Storage(url=url, endpoint_url=self.s3_endpoint_url)

    def writable_storage(self) -> Storage:
        """The storage, once a marker was written and removed: a wrong bucket or key fails here."""
        store = self.storage()
        try:
            store.check_writable()
        except StorageError as exc:
            raise StorageError(f"{variable('storage')}: {exc}") from exc.__cause__
        return store
