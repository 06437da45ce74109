"""GitHub's REST API as a source of the commits the archive stopped listing on 2025-10-07.

No Dagster here: the followed repositories, the API client (rate limits, retries, pages), what each
kind of push asks, the answer cache, GH Archive's email scrambling, and a day's `api_commits` table.
"""
