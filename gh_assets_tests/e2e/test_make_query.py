"""`make query` hands DuckDB the query as typed: `$` of a JSON path and quotes included."""

import os
import subprocess
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parents[2]
PAYLOAD = '{"action": "opened", "pull_request": {"base": {"repo": {"language": "Go"}}}}'
QUERY = (
    f"SELECT json_extract_string('{PAYLOAD}', '$.pull_request.base.repo.language') AS language, "
    f"json_extract_string('{PAYLOAD}', '$.action') AS action, 'it''s $HOME' AS quoted"
)


def test_make_query_gives_duckdb_the_query_as_typed():
    completed = subprocess.run(
        ["make", "-s", "query", f"SQL={QUERY}"],
        cwd=PROJECT,
        env={**os.environ, "HOME": "/nowhere"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    [row] = duckdb.sql(QUERY).fetchall()
    assert row == ("Go", "opened", "it's $HOME")
    [shown] = [line for line in completed.stdout.splitlines() if "opened" in line]
    assert [cell.strip() for cell in shown.strip("│").split("│")] == list(row)
