"""Each day's partition recorded as soon as its files are in place, with what it was built from.

Dagster records the materializations of a step over several partitions when the step returns,
all at once, and none when it fails. The day steps record each day themselves instead, as an
`AssetMaterialization` logged the moment the day is written, so a run that fails or is killed
keeps every day it finished. Each record carries Dagster's data-version tags: the asset's code
version, the day's version (`compute/day_versions.py`), and the version and record of the day of
each input; the UI shows from them which days are stale after a change of code or of the archive,
and a later run skips the days that are not (`recorded_days`).

The step's outputs then only let the run's downstream steps start: they carry the marker with
which Dagster's own observable source assets say that their body logged its events itself, so
that Dagster does not record every day of the run a second time (`recorded_outputs`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.definitions.data_version import (
    CODE_VERSION_TAG,
    DATA_VERSION_IS_USER_PROVIDED_TAG,
    DATA_VERSION_TAG,
    NULL_EVENT_POINTER,
    get_input_data_version_tag,
    get_input_event_pointer_tag,
)
from dagster._core.definitions.source_asset import SYSTEM_METADATA_KEY_SOURCE_ASSET_OBSERVATION

from gh_assets.defs import command_line_summary

MATERIALIZATION = dg.DagsterEventType.ASSET_MATERIALIZATION


@dataclass(frozen=True)
class RecordedDay:
    """A day's latest materialization: its data version, its event's id, run, time, metadata."""

    data_version: str | None
    storage_id: int
    metadata: Mapping[str, dg.MetadataValue]
    run_id: str
    timestamp: float


@dataclass(frozen=True)
class DayVersion:
    """What a day is built from, as Dagster's data-version tags say it: the code version, the
    day's version, and per input asset the version and record id of the input's day."""

    code_version: str
    data_version: str
    inputs: Mapping[str, tuple[str, int | None]] = field(default_factory=dict)

    def tags(self) -> dict[str, str]:
        tags = {
            CODE_VERSION_TAG: self.code_version,
            DATA_VERSION_TAG: self.data_version,
            DATA_VERSION_IS_USER_PROVIDED_TAG: "true",
        }
        for asset, (version, storage_id) in self.inputs.items():
            key = dg.AssetKey(asset)
            tags[get_input_data_version_tag(key)] = version
            tags[get_input_event_pointer_tag(key)] = (
                str(storage_id) if storage_id is not None else NULL_EVENT_POINTER
            )
        return tags


def recorded_days(
    instance: dg.DagsterInstance, asset: str, days: Iterable[dt.date]
) -> dict[dt.date, RecordedDay]:
    """The latest materialization of each of `days` that has one: two queries for any number."""
    key = dg.AssetKey(asset)
    partitions = {day.isoformat() for day in days}
    latest = instance.get_latest_storage_id_by_partition(key, MATERIALIZATION, partitions)
    if not latest:
        return {}
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(key, storage_ids=list(latest.values())), limit=len(latest)
    ).records
    recorded = {}
    for record in records:
        materialization = record.asset_materialization
        recorded[dt.date.fromisoformat(materialization.partition)] = RecordedDay(
            (materialization.tags or {}).get(DATA_VERSION_TAG),
            record.storage_id,
            materialization.metadata,
            record.run_id,
            record.timestamp,
        )
    return recorded


def record_day(
    context: dg.AssetExecutionContext,
    asset: str,
    day: dt.date,
    metadata: Mapping[str, object],
    version: DayVersion | None = None,
) -> None:
    """Record a day of `asset` as materialized now, with what it was built from."""
    command_line_summary.note_day(asset, day.isoformat(), metadata)
    context.log_event(
        dg.AssetMaterialization(
            asset,
            partition=day.isoformat(),
            metadata=dict(metadata),
            tags=version.tags() if version else None,
        )
    )


def code_version(context: dg.AssetExecutionContext, asset: str) -> str:
    """The code version the asset is defined with (a table's `code_version` by default)."""
    return context.assets_def.specs_by_key[dg.AssetKey(asset)].code_version or ""


def recorded_outputs(context: dg.AssetExecutionContext) -> Iterator[dg.Output]:
    """The outputs of the step's selected assets, whose days the step recorded itself, in the
    order the assets are declared (Dagster wants an asset's after those it depends on)."""
    for spec in context.assets_def.specs:
        if spec.key in context.selected_asset_keys:
            yield dg.Output(
                None,
                output_name=context.assets_def.get_output_name_for_asset_key(spec.key),
                metadata={SYSTEM_METADATA_KEY_SOURCE_ASSET_OBSERVATION: True},
            )
