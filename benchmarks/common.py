"""What every benchmark script needs: a Django set up on a private data folder, a record of the
machine the figures came from, and one way of printing and saving the results."""

from __future__ import annotations

import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def setup_django(home: Path) -> None:
    """Point the settings at `home` before they are read: settings read the environment once,
    at import, and a DATABASE_URL left in the environment would send the benchmark elsewhere."""
    os.environ["OPENCITIES_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencities.settings"
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()


def maxrss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def _git(*args: str) -> str:
    """Git's output without its final newline (leading spaces matter in `status --porcelain`)."""
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.rstrip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine(**extra: Any) -> dict[str, Any]:
    """What the figures were measured on; the load average says how busy the shared box was,
    and uncommitted app changes are named so a result can be traced to its code."""
    import django

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_modified": [
            line[3:] for line in _git("status", "--porcelain", "--", "opencities").splitlines()
        ],
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": django.get_version(),
        **extra,
        "platform": platform.platform(),
        "loadavg_at_start": os.getloadavg(),
    }


def publish(results: dict[str, Any], lines: list[str], out: Path) -> None:
    """Print the report and keep the figures as JSON for docs/performance.md."""
    for line in lines:
        print(line)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nTotal {results['total_seconds']:.0f} s; results written to {out}")
