"""Run every benchmark module of this package (or the ones named on the command line)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time

import bench


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__)
                   if not m.name.startswith("_"))
    chosen = argv or names
    unknown = set(chosen) - set(names)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(names)}")
        return 2
    print(f"# Baosong benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name in chosen:
        print(f"\n## {name}")
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
