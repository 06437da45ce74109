"""Generated archive days of every era, undamaged or with every kind of damage.

A day's pushes are drawn as truth (`FakePush`) and rendered in their era's JSON; their expected
rows are read off the truth (oracles/expected.py), never by parsing the JSON.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from gh_assets_tests.oracles.gharchive_contract import hour_file_name
from gh_assets_tests.synthetic import damage
from gh_assets_tests.synthetic.draws import Draws, world
from gh_assets_tests.synthetic.eras import PACIFIC, Era, era_of
from gh_assets_tests.synthetic.hours import FakeHour
from gh_assets_tests.synthetic.payloads import OTHER_KINDS, other_event
from gh_assets_tests.synthetic.rare_kinds import RARE_KINDS, rare_event
from gh_assets_tests.synthetic.truth import FakeCommit, FakePush, Record

COMMENT_TRAP = (
    'Why is this not a PushEvent? The raw line said {"type":"PushEvent","payload":'
    '{"commits":[{"sha":"deadbeef"}]}} and the parser believed it.\n"type":"PushEvent"'
)
AWKWARD_MESSAGE = 'Handle "quoted" values, back\\slashes and\ttabs\r\n\r\n* 修复 🎉'
TEST_WORLD = {"seed": 0, "people": 300, "repos": 300, "words": 40_000}  # small: built in a blink


@dataclass
class FakeDay:
    """One day of the archive: the hours present (absent hours are 404s)."""

    day: date
    hours: dict[int, FakeHour]

    def lines(self) -> dict[int, list[bytes]]:
        """The raw lines of each present hour, damage included."""
        return {hour: [line.data for line in fake.lines] for hour, fake in self.hours.items()}

    def write(self, root: Path) -> list[Path]:
        """Write every present hour under its archive file name."""
        root.mkdir(parents=True, exist_ok=True)
        paths = [root / fake.source_file for fake in self.hours.values()]
        for path, fake in zip(paths, self.hours.values(), strict=True):
            path.write_bytes(fake.body())
        return paths


def fake_day(
    day: date,
    *,
    eras: Sequence[Era] | None = None,
    seed: int = 0,
    hours: Iterable[int] = range(24),
    pushes_per_hour: int = 4,
    others_per_hour: int = 3,
) -> FakeDay:
    """An undamaged day; the first hour holds every special case of each era, one event of each of
    its rare kinds (`rare_kinds`), and duplicates.

    The first hour repeats one push of each era at its end; the second hour repeats another.
    Every IssueCommentEvent's comment mentions `"type":"PushEvent"`. From 2025-05-24 some events
    of an hour were created in the previous hour.
    """
    draws = _draws_for(day, seed)
    eras = tuple(eras or (era_of(day),))
    present = sorted(hours)
    records: dict[int, list[Record]] = {}
    for hour in present:
        hour_records: list[Record] = []
        for n in range(pushes_per_hour):
            era = draws.rng.choice(eras)
            late = day >= date(2025, 5, 24) and era != "timeline" and hour > 0 and n == 0
            created_at = _created_at(draws, day, era, hour) - timedelta(hours=1 if late else 0)
            hour_records.append(draws.push(era, created_at))
        for _ in range(others_per_hour):
            era = draws.rng.choice(eras)
            created_at = _created_at(draws, day, era, hour)
            hour_records.append(_other(draws, era, draws.rng.choice(OTHER_KINDS), created_at))
        draws.rng.shuffle(hour_records)
        records[hour] = hour_records
    first = records[present[0]]
    for era in eras:
        specials = _specials(draws, era, _created_at(draws, day, era, present[0]))
        first.extend(specials)
        first.extend(_other(draws, era, kind, specials[0].created_at) for kind in OTHER_KINDS)
        first.append(specials[2])
        records[present[min(1, len(present) - 1)]].append(specials[3])
    for era in eras:
        created_at = _created_at(draws, day, era, present[0])
        first.extend(rare_event(draws, era, kind, created_at) for kind in RARE_KINDS[era])
    return FakeDay(day, {h: FakeHour(hour_file_name(day, h), records[h]) for h in present})


def write_fake_days(root: Path, days: Iterable[date], hours: Sequence[int]) -> list[FakeDay]:
    """Undamaged fake days with these hours, written into an archive folder (a mirror's root)."""
    fakes = [fake_day(day, hours=hours) for day in days]
    for fake in fakes:
        fake.write(root)
    return fakes


def fake_damaged_day(day: date, *, eras: Sequence[Era] | None = None, seed: int = 0) -> FakeDay:
    """A day with every kind of damage: hours 2-7 damaged, hours 8 and 9 missing.

    Every damaged line holds a PushEvent, so a reader that only inspects lines mentioning
    `"PushEvent"` must count the same damage as one that reads every line.
    """
    fake = fake_day(day, eras=eras, seed=seed)
    hours = fake.hours
    damage.nul_run(hours[2], _pushes(hours[2])[0])
    damage.cut_and_glue(hours[3], _pushes(hours[3])[0])
    ordered = sorted(hours[4].records, key=lambda record: isinstance(record, FakePush))
    hours[4] = FakeHour(hours[4].source_file, ordered)
    damage.truncate_last(hours[4])
    damage.glue(hours[5], _pushes(hours[5])[0], 3)
    damage.truncate_gzip(hours[6], _pushes(hours[6])[1])
    damage.make_not_gzip(hours[7])
    del hours[8], hours[9]
    return fake


def _draws_for(day: date, seed: int) -> Draws:
    """The day's draws, with ids of the size the archive had then."""
    late = day >= date(2016, 1, 1)
    if era_of(day) == "legacy":
        first_event_id, first_push_id = 1_127_195_475, 24_643_024
    else:
        first_event_id = 10_000_000_000 if late else 2_489_651_045
        first_push_id = 8_474_906_666 if late else 536_752_122
    return Draws(
        random.Random(f"{day}-{seed}"),
        world(**TEST_WORLD),
        first_event_id=first_event_id,
        first_push_id=first_push_id,
    )


def _created_at(draws: Draws, day: date, era: Era, hour: int) -> datetime:
    """A time in the file's hour, on the era's clock (US Pacific for the timeline), as UTC."""
    minute, second = draws.rng.randrange(60), draws.rng.randrange(60)
    zone = PACIFIC if era == "timeline" else UTC
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone).astimezone(UTC)


def _other(draws: Draws, era: Era, kind: str, created_at: datetime) -> dict:
    return other_event(draws, era, kind, created_at, comment_body=COMMENT_TRAP)


def _specials(draws: Draws, era: Era, created_at: datetime) -> list[FakePush]:
    """Pushes covering every awkward case the era can express."""
    paragraph = "Paragraph {}: ümlaut, 漢字, emoji 🚀, «quotes»."
    long_message = "\n".join(paragraph.format(i) for i in range(90))
    commit = draws.commit
    varied = [
        commit(era, message=long_message),
        commit(era, email=draws.email("hashed"), author_name=""),
        commit(era, email=draws.email("bare")),
        commit(era, email=draws.email("empty"), message=AWKWARD_MESSAGE),
        commit(era, email=draws.email("plain"), message="Line one\n\nLine three"),
    ]
    pushes = [
        draws.push(era, created_at, varied),
        draws.push(era, created_at, []),
        draws.push(era, created_at, ref="refs/tags/v1.2.0"),
        draws.push(era, created_at, ref="refs/notes/commits"),
    ]
    if era in ("events", "slim"):
        pushes[1] = replace(pushes[1], before=pushes[1].head)
    if era != "slim":
        capped: list[FakeCommit] = [commit(era) for _ in range(20)]
        distinct_size = 859 if era == "events" else None
        pushes.append(draws.push(era, created_at, capped, size=859, distinct_size=distinct_size))
        shared = varied[2]
        pushes.append(draws.push(era, created_at, [shared, commit(era)], repo="fork-owner/fork"))
    if era == "legacy":
        pushes.append(draws.push(era, created_at, deleted_repo=True, repo_id=None))
    if era == "timeline":
        pushes.append(draws.push(era, created_at, slash_date=True))
    return pushes


def _pushes(hour: FakeHour) -> list[int]:
    """Indices of the push records that have two more records after them."""
    return [i for i, r in enumerate(hour.records[:-2]) if isinstance(r, FakePush)]
