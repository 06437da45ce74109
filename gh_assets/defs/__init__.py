"""The Dagster layer: assets, checks, resources, partitions, jobs, schedules and sensors.

Only this package imports `dagster`; everything it runs is in the core packages beside it.
"""
