"""The real GH Archive samples in the shared folder, installed into a mirror folder on demand."""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path


def shared_samples() -> Path:
    """Where the samples are: beside this checkout, or beside the repository it was cloned from.

    The folder is `../shared/gharchive-samples`; a clone in a temporary folder finds it next to
    the local repository it was cloned from.
    """
    checkout = Path(__file__).resolve().parents[1]
    origin = subprocess.run(
        ["git", "-C", str(checkout), "remote", "get-url", "origin"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    candidates = [checkout.parent / "shared" / "gharchive-samples"]
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared" / "gharchive-samples")
    return next((folder for folder in candidates if folder.is_dir()), candidates[0])


SAMPLES_DIR = Path(os.environ.get("GHARCHIVE_SAMPLES") or shared_samples())
REAL_HOUR = "py-gh-archive__2015-01-01-1.json.gz"
MIXED_SMALL = "go-faster-gha__sample.small.json"
FIRST_100 = "go-faster-gha__2019-11-27T03.first100.json"
_ARCHIVE_NAMES = {REAL_HOUR: "2015-01-01-1.json.gz", FIRST_100: "2019-11-27-3.json.gz"}


def sample_lines(sample: str) -> list[bytes]:
    """The sample's non-empty lines, decompressed, without their newlines."""
    data = (SAMPLES_DIR / sample).read_bytes()
    if sample.endswith(".gz"):
        data = gzip.decompress(data)
    return [line for line in data.split(b"\n") if line]


def install_sample(sample: str, root: Path, source_file: str | None = None) -> Path:
    """Put a sample into a mirror folder as a gzipped hour file; returns the written path.

    The real hour keeps its own bytes; NDJSON samples are gzipped. MIXED_SMALL spans 2014-2021
    and has no natural hour, so `source_file` is required for it.
    """
    source_file = source_file or _ARCHIVE_NAMES.get(sample)
    if source_file is None:
        raise ValueError(f"choose a source_file (e.g. 2015-01-01-5.json.gz) for {sample}")
    data = (SAMPLES_DIR / sample).read_bytes()
    if not sample.endswith(".gz"):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    root.mkdir(parents=True, exist_ok=True)
    path = root / source_file
    path.write_bytes(data)
    return path
