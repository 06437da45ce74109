"""Dask configuration that the project's worker processes start with.

Distributed's nanny starts workers with `MALLOC_TRIM_THRESHOLD_=65536`, which also fixes glibc's
mmap threshold: every buffer of a megabyte or more (decompressed chunks, batches of push lines,
Arrow columns) then comes from fresh pages, about 20% more CPU for the transform (`make bench`).
The transform's memory is bounded by its batch sizes, so its workers keep glibc's defaults.
"""

WORKER_DASK_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
