"""What every benchmark records about the machine and the code it measured."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB. On Linux VmHWM, which starts afresh at
    exec (a child's ru_maxrss keeps its parent's peak from before the fork)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 1024), 1)


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def host_info(**extra: Any) -> dict[str, Any]:
    """Date, Python, platform, CPU count and commit, plus what the caller adds."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "git_commit": git_commit(),
        **extra,
    }


def write_result(out_dir: Path, prefix: str, result: dict[str, Any]) -> Path:
    """Write one run's figures as `<out_dir>/<prefix><UTC time>.json`; answers the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"{prefix}{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


def configure_sqlite_environment(data_dir: Path, secret: str) -> None:
    """Production settings on a throw-away SQLite data dir, quiet logs: the import and
    re-scoring budgets are for SQLite, so DATABASE_URL is ignored."""
    os.environ["PILOTHOUSE_DATA_DIR"] = str(data_dir)
    os.environ["PILOTHOUSE_SECRET_KEY"] = secret
    os.environ["DJANGO_SETTINGS_MODULE"] = "pilothouse.config.settings"
    os.environ["PILOTHOUSE_DEBUG"] = "false"
    os.environ["PILOTHOUSE_LOG_LEVEL"] = "ERROR"
    os.environ.pop("DATABASE_URL", None)
