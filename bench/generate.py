"""Realistic GH Archive hour files (Events API format, 2015+) for the benchmark, deterministic.

The events come from the tests' generator (gh_assets_tests/synthetic); this module sets the
benchmark's styles (event mix, text sizes, first hour and ids), file sizes and caching.

    python -m bench.generate --style 2020 --mb-uncompressed 430 --hours 1 --out bench/.data/gen

Writes ``YYYY-MM-DD-H.json.gz`` (gzip -6) into ``OUT/<style>-<mb>mb-<hours>h-s<seed>/`` and a
``manifest.json`` last; an existing manifest with the same parameters means nothing is regenerated.
Each hour has its own RNG stream, so a file's bytes depend only on (style, mb, seed, hour index).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gh_assets_tests.oracles.gharchive_contract import hour_file_name
from gh_assets_tests.synthetic.draws import Draws, world
from gh_assets_tests.synthetic.payloads import other_event
from gh_assets_tests.synthetic.shapes import encode, render_push

GENERATOR_VERSION = 2  # 2: events from gh_assets_tests/synthetic
MB = 1_000_000


@dataclass(frozen=True)
class Style:
    """Era-specific shape of an hour: event mix, text sizes, first hour and ids."""

    start: datetime
    first_event_id: int
    mix: dict[str, float]  # event type -> share of events
    body_chars: tuple[int, int]  # median and cap of issue / PR body lengths


STYLES: dict[str, Style] = {
    # Shares as in the real 2015-01-01-1 hour: pushes are ~56% of events and ~30% of bytes.
    "2015": Style(
        start=datetime(2015, 1, 5, tzinfo=UTC),
        first_event_id=2_500_000_000,
        mix={
            "PushEvent": 0.56,
            "CreateEvent": 0.10,
            "IssueCommentEvent": 0.088,
            "WatchEvent": 0.087,
            "IssuesEvent": 0.044,
            "PullRequestEvent": 0.04,
            "ForkEvent": 0.03,
            "PullRequestReviewCommentEvent": 0.012,
            "DeleteEvent": 0.011,
        },
        body_chars=(200, 4_000),
    ),
    # Many large pull-request payloads with long bodies: bytes dominated by non-push events.
    "2020": Style(
        start=datetime(2020, 6, 10, tzinfo=UTC),
        first_event_id=12_600_000_000,
        mix={
            "PushEvent": 0.50,
            "CreateEvent": 0.11,
            "PullRequestEvent": 0.10,
            "IssueCommentEvent": 0.08,
            "WatchEvent": 0.07,
            "PullRequestReviewCommentEvent": 0.04,
            "IssuesEvent": 0.04,
            "DeleteEvent": 0.04,
            "ForkEvent": 0.02,
        },
        body_chars=(1_500, 20_000),
    ),
}


def hour_events(
    style: Style, seed: int, index: int, target: int
) -> Iterator[tuple[bytes, str, int]]:
    """(line, event type, commits listed) of hour `index` after the style's first, to `target` B.

    Each hour has a random stream of its own; `created_at` advances through the hour.
    """
    draws = Draws(
        random.Random(f"hour-{style.start:%Y}-{seed}-{index}-{target}"),
        world(seed),
        first_event_id=style.first_event_id + index * 1_000_000,
        first_push_id=500_000_000 + style.first_event_id // 20 + index * 500_000,
        body_chars=style.body_chars,
    )
    hour = style.start + timedelta(hours=index)
    kinds, weights = list(style.mix), list(style.mix.values())
    written = 0
    while written < target:
        created_at = hour + timedelta(seconds=int(min(written / target, 0.9997) * 3600))
        kind = draws.rng.choices(kinds, weights)[0]
        if kind == "PushEvent":
            push = draws.push("events", created_at)
            event, commits = render_push(push), len(push.commits)
        else:
            event, commits = other_event(draws, "events", kind, created_at), 0
        line = encode(event) + b"\n"
        written += len(line)
        yield line, kind, commits


def file_name(style: str, index: int) -> str:
    """GH Archive name of hour ``index`` after the style's first hour."""
    moment = STYLES[style].start + timedelta(hours=index)
    return hour_file_name(moment.date(), moment.hour)


def write_hour(style: str, seed: int, index: int, mb: float, out: Path) -> dict[str, Any]:
    """Generate one hour, piping it through ``gzip -6 -n`` (deterministic bytes)."""
    path = out / file_name(style, index)
    tmp = path.with_suffix(".tmp")
    target = int(mb * MB)
    counts = {"bytes": 0, "events": 0, "push_events": 0, "commits": 0}
    with tmp.open("wb") as f:
        gz = subprocess.Popen(["gzip", "-6", "-n", "-c"], stdin=subprocess.PIPE, stdout=f)
        assert gz.stdin is not None
        buf: list[bytes] = []
        for line, kind, n in hour_events(STYLES[style], seed, index, target):
            buf.append(line)
            counts["bytes"] += len(line)
            counts["events"] += 1
            counts["push_events"] += kind == "PushEvent"
            counts["commits"] += n
            if len(buf) >= 2_000:
                gz.stdin.write(b"".join(buf))
                buf.clear()
        gz.stdin.write(b"".join(buf))
        gz.stdin.close()
        if gz.wait():
            raise RuntimeError(f"gzip failed for {path}")
    tmp.rename(path)
    return {"file": path.name, **counts}


def ensure(style: str, mb: float, hours: int, seed: int, out: Path) -> list[Path]:
    """Return the hour files for these parameters, generating them unless cached."""
    params = {"version": GENERATOR_VERSION, "style": style, "mb": mb, "hours": hours, "seed": seed}
    d = out / f"{style}-{mb:g}mb-{hours}h-s{seed}"
    manifest = d / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["params"] == params:
        return [d / f["file"] for f in json.loads(manifest.read_text())["files"]]
    d.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=min(hours, 2)) as ex:
        jobs = [ex.submit(write_hour, style, seed, i, mb, d) for i in range(hours)]
        files = [j.result() for j in jobs]
    manifest.write_text(json.dumps({"params": params, "files": files}, indent=1))
    return [d / f["file"] for f in files]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--mb-uncompressed", type=float, default=100.0, help="per hour, MB = 1e6 B")
    p.add_argument("--style", choices=sorted(STYLES), default="2015")
    p.add_argument("--hours", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", type=Path, default=Path(__file__).parent / ".data" / "gen")
    a = p.parse_args()
    for f in ensure(a.style, a.mb_uncompressed, a.hours, a.seed, a.out):
        print(f)


if __name__ == "__main__":
    main()
