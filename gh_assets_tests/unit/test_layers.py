"""The layers stay apart: only `gh_assets/defs/` imports Dagster; the core runs without it; the core
packages depend on each other one way only."""

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "gh_assets"
DAGSTER_LAYER = PACKAGE / "defs"
ENTRY_POINT = PACKAGE / "definitions.py"  # re-exports the layer's `defs` under the name users give


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def core_modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if DAGSTER_LAYER not in path.parents and path != ENTRY_POINT
    ]


def test_no_core_module_imports_dagster():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in imported_modules(path) if name.split(".")[0].startswith("dagster")
        )
        for path in core_modules()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_no_core_module_imports_the_dagster_layer():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in core_modules()
        if any(name.startswith("gh_assets.defs") for name in imported_modules(path))
    ]
    assert offenders == []


def test_the_core_imports_in_a_process_without_dagster():
    """Every core module imports with `dagster` made unimportable (an import of it fails)."""
    modules = [
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in core_modules()
    ]
    code = "import sys; sys.modules['dagster'] = None\n" + "\n".join(
        f"import {module}" for module in modules
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def core_unit(path: Path) -> str:
    """The core package a module belongs to: its folder, or itself at the top (`settings`)."""
    return path.parent.name if path.parent != PACKAGE else path.stem


def core_packages() -> dict[str, set[str]]:
    """Each core package (a folder or top-level module of gh_assets outside defs) and the core
    packages it imports."""
    modules = [
        path for path in core_modules() if path.name != "__init__.py" or path.parent != PACKAGE
    ]
    imports: dict[str, set[str]] = {core_unit(path): set() for path in modules}
    for path in modules:
        imported = {
            name.split(".")[1]
            for name in imported_modules(path)
            if name.startswith("gh_assets.") and name.count(".")
        }
        imports[core_unit(path)] |= imported & set(imports) - {core_unit(path)}
    return imports


def test_the_core_packages_import_each_other_without_a_cycle():
    imports, placed = core_packages(), []
    while left := [package for package in imports if package not in placed]:
        ready = [package for package in left if imports[package] <= set(placed)]
        assert ready, f"a cycle among {sorted(left)}: { {p: sorted(imports[p]) for p in left} }"
        placed += ready


def module_map() -> dict[str, set[str]]:
    """The README's module map: each core package and the packages it may import."""
    readme = (PACKAGE.parent / "README.md").read_text()
    rows = re.findall(r"^\| `gh_assets/(\w+)/?(?:\.py)?` \|.*\| (.*) \|$", readme, re.M)
    return {
        name: {m.split(".")[0] for m in re.findall(r"`([\w.]+)`", allowed)}
        for name, allowed in rows
    }


def test_each_core_package_imports_only_what_the_module_map_allows():
    allowed = module_map()
    imports = core_packages()
    assert {package: sorted(imports[package] - allowed[package]) for package in imports} == {
        package: [] for package in imports
    }
