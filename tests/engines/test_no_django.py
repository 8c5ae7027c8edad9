"""Nothing under pilothouse.engines imports Django (import-linter enforces it too)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pilothouse.engines

ENGINES = Path(pilothouse.engines.__file__).resolve().parent
FORBIDDEN = ("django", "ninja")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_engine_module_names_django_in_an_import():
    offenders = {
        str(path.relative_to(ENGINES)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in FORBIDDEN
        )
        for path in sorted(ENGINES.rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_importing_the_engines_loads_no_django():
    # A fresh interpreter: the test session itself has Django loaded by pytest-django.
    code = (
        "import sys, pkgutil, importlib, pilothouse.engines as e\n"
        "for m in pkgutil.walk_packages(e.__path__, 'pilothouse.engines.'):\n"
        "    importlib.import_module(m.name)\n"
        "loaded = sorted(n for n in sys.modules if n.split('.')[0] in ('django', 'ninja'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == ""
