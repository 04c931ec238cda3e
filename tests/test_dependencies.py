"""Every library the package imports is declared in setup.cfg, and every declared one is imported."""

from __future__ import annotations

import ast
import configparser
import functools
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Declared ahead of the code that will import it; remove once used.
DECLARED_FOR_WORK_IN_PROGRESS: set[str] = set()


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(option: str, section: str = "options") -> set[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = [line.strip() for line in cfg[section][option].splitlines()]
    return {_norm(re.split(r"[~<>=!; \[]", line)[0]) for line in lines if line and not line.startswith("#")}


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


def _imported_distributions(folder: Path) -> set[str]:
    tops = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                tops |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                tops.add(node.module.split(".")[0])
    tops -= set(sys.stdlib_module_names) | {"reportgen", "tests", "benchmarks", "tools"}
    dists = _distributions()
    missing = {t for t in tops if t not in dists}
    assert not missing, f"imported but not installed: {missing}"
    return {_norm(d) for t in tops for d in dists[t]}


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_every_import_of_the_package_is_declared_and_every_declared_one_imported() -> None:
    declared = _declared("install_requires")
    imported = _imported_distributions(ROOT / "reportgen")
    assert imported - declared == set()
    assert declared - imported == {_norm(d) for d in DECLARED_FOR_WORK_IN_PROGRESS}


@pytest.mark.slow
def test_what_tests_import_is_declared_for_the_package_or_the_tests() -> None:
    declared = _declared("install_requires") | _declared("test", "options.extras_require")
    imported = _imported_distributions(ROOT / "tests") | _imported_distributions(ROOT / "benchmarks")
    assert imported - declared == set()


def test_every_dependency_has_a_compatible_release_bound() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    for section, option in (("options", "install_requires"), ("options.extras_require", "test")):
        for line in cfg[section][option].splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                assert "~=" in line, line


def test_every_package_of_the_code_is_installed_by_setup_cfg() -> None:
    # an editable install finds any folder; `pip install .` (the README's quick start) copies
    # only the packages listed, and a missing one breaks every command
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = {line.strip() for line in cfg["options"]["packages"].splitlines() if line.strip()}
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "reportgen").rglob("__init__.py")}
    assert on_disk - listed == set()
