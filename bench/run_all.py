"""Run every ``bench/*_bench.py`` in turn and say which ones failed to run.

Benchmarks report their numbers and whether they meet their targets; they are not tests, so a
missed target does not fail this script, only a benchmark that crashes does. Extra arguments are
passed to every benchmark only with ``--`` (e.g. ``run_all.py -- --quick`` when all accept it).

    make bench            (or .venv/bin/python bench/run_all.py [--only NAME])
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="run only benchmarks whose name has this")
    parser.add_argument("extra", nargs="*", help="arguments for every benchmark (after --)")
    args = parser.parse_args()
    benches = sorted(HERE.glob("*_bench.py"))
    if args.only:
        benches = [b for b in benches if any(part in b.stem for part in args.only)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"# {len(benches)} benchmarks on {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.2f}"
    )
    failed: list[str] = []
    for bench in benches:
        print(f"\n## {bench.stem}", flush=True)
        began = time.monotonic()
        result = subprocess.run([sys.executable, str(bench), *args.extra], cwd=HERE, check=False)
        print(f"({bench.name} took {time.monotonic() - began:.1f} s)", flush=True)
        if result.returncode != 0:
            failed.append(f"{bench.name} (exit {result.returncode})")
    if failed:
        print("\nfailed to run: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
