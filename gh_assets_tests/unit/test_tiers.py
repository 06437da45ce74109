"""The unit tier starts no service: no server harness imported, no service fixture asked for.

`make test-fast` runs this folder alone and must stay fast; a test that needs the mirror, Dask
processes, Ceph or `dagster dev` belongs in integration/ or e2e/.
"""

import ast
from pathlib import Path

UNIT = Path(__file__).parent
SERVER_HARNESSES = {
    f"gh_assets_tests.harnesses.{name}"
    for name in (
        "archive_mirror",
        "loopback_server",
        "ceph_gateway",
        "dask_processes",
        "dagster_dev",
        "pipeline",
        "fake_github",
    )
}
SERVICE_FIXTURES = {
    "mirror",
    "dask_processes",
    "address_resources",
    "ceph",
    "s3_env",
    "s3_url",
    "s3_dask_processes",
}


def services_used(module: Path) -> set[str]:
    """The server harnesses a test module imports and the service fixtures its functions take."""
    tree = ast.parse(module.read_text())
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            used |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            used |= {alias.name for alias in node.names}
        elif isinstance(node, ast.FunctionDef):
            used |= {argument.arg for argument in node.args.args}
    return used & (SERVER_HARNESSES | SERVICE_FIXTURES)


def test_no_unit_module_starts_a_service() -> None:
    offenders = {path.name: services_used(path) for path in sorted(UNIT.glob("test_*.py"))}
    assert {name: used for name, used in offenders.items() if used} == {}


def test_a_harness_is_seen_however_it_is_imported(tmp_path) -> None:
    for line in (
        "from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror",
        "from gh_assets_tests.harnesses import fake_github",
        "import gh_assets_tests.harnesses.dask_processes",
    ):
        (tmp_path / "test_x.py").write_text(line + "\n")
        assert services_used(tmp_path / "test_x.py"), line
