"""The query runner is free of Django: plain dataclasses in and out."""

from __future__ import annotations

import subprocess
import sys


def test_the_runner_imports_no_django():
    code = (
        "import sys, pilothouse.metrics.sources as s; "
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], "
        "sorted(m for m in sys.modules if m.startswith('django'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
