"""The code base stays ruff- and mypy --strict-clean, and the pure core never does I/O."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> list[str]:
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed; install the test extras: pip install '.[test]'")
    return [exe]


def test_ruff_is_clean() -> None:
    run = subprocess.run(
        [*_tool("ruff"), "check", "reconciler", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_strict_is_clean() -> None:
    run = subprocess.run([*_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


PURE = ["model.py", "plan.py", "consent.py", "drift_classify.py", "manifest"]
IO_MODULES = {
    "httpx",
    "socket",
    "requests",
    "urllib",
    "time",
    "random",
    "reconciler.transport",
    "reconciler.providers",
}


@pytest.mark.parametrize("module", PURE)
def test_pure_core_imports_no_io(module: str) -> None:
    """The planner, model and manifest loader never import HTTP, clocks or randomness."""
    base = ROOT / "reconciler" / module
    files = [base] if base.is_file() else sorted(base.rglob("*.py"))
    for file in files:
        for node in ast.walk(ast.parse(file.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not any(name == m or name.startswith(m + ".") for m in IO_MODULES), (
                    f"{file}: imports {name}"
                )
