"""The Dask side of a run: the per-file and per-day tasks, their graph, the cluster choice."""
