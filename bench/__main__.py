"""``python -m bench`` (``make bench``): run every benchmark, each printing figures and a ratio
against a baseline measured in the same run."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    ("history throughput", ["bench.history_throughput"]),
    ("cold start", ["bench.cold_start"]),
    ("fire lag", ["bench.fire_lag"]),
    ("console latency", ["bench.console_latency"]),
]


def main() -> int:
    """Run each benchmark module in its own process; the exit code is the worst one."""
    worst = 0
    selected = set(sys.argv[1:])
    for title, module in BENCHMARKS:
        if selected and module[0].split(".")[-1] not in selected:
            continue
        print(f"== {title} ==", flush=True)
        code = subprocess.call([sys.executable, "-m", *module])
        worst = max(worst, code)
        print(flush=True)
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
