#!/usr/bin/env python3
"""Every canned query at scale, with inference on: time per query and memory per server process.

For each size, synthetic data (bench/generate.py) is built by s3graph's own pipeline (cached
under bench/.work/cache, so a second run skips the build) and then, in a fresh process for
each way a server process can hold the store:

- `memory`: the dataset loaded into an in-memory Oxigraph store (`store_in_memory=true`:
  each process has its own copy);
- `disk`: the built on-disk store opened read-only (`store_in_memory=false`: every process
  shares the one store, through the operating system's page cache);

every canned query (not the federated ones) runs with its default parameters on the
inferred dataset, as /queries/<slug> runs it: the same engine call, the same `max_results`.
Each is run --runs times after one warm-up; the median is printed with the rows it
returned, against the target of 1 s. Memory is the process's resident set once the store is
open (before any query) and at the end, and the time to open it.

    python bench/canned.py                        # 10^6 triples, both ways
    python bench/canned.py --sizes 100000 1000000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0


def _rss_mib() -> float:
    """This process's resident set now, in MiB (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child(data_dir: str, cache_dir: str, mode: str, runs: int) -> None:
    """In the child: open the (cached) build as `mode` says, run every canned query; or, for
    mode `build`, only build it (so that the measuring children start from the cache)."""
    from s3graph.build.pipeline import build
    from s3graph.query.catalog import load_catalog
    from s3graph.query.engines import Bindings, Triples, select_dataset
    from s3graph.query.regions import region_resolver
    from s3graph.remote.store import engine_for
    from s3graph.settings import Settings

    settings = Settings(data_dir=data_dir, cache_dir=cache_dir, validate_on_build=False)
    built = build(settings)
    if mode == "build":
        print(json.dumps({"cached": built.from_cache, "seconds": built.seconds}))
        return
    before = _rss_mib()
    started = time.perf_counter()
    engine = engine_for(settings, built, in_memory=mode == "memory")
    opened = time.perf_counter() - started
    open_rss = _rss_mib()
    catalog = load_catalog(settings.queries_dir)
    resolver = region_resolver(built.open_store())
    dataset = select_dataset(built, infer=True)
    timings = []
    for canned in catalog.queries:
        if canned.federation:
            continue
        bindings = canned.bind({}, resolver)
        seconds = []
        rows = 0
        for _ in range(runs + 1):
            mark = time.perf_counter()
            result = engine.execute(canned.sparql, dataset, bindings, max_results=settings.max_results)
            seconds.append(time.perf_counter() - mark)
            rows = len(result.rows) if isinstance(result, Bindings) else \
                len(result.triples) if isinstance(result, Triples) else int(bool(getattr(result, "value", 0)))
        timings.append({"slug": canned.slug, "median": statistics.median(seconds[1:]), "max": max(seconds[1:]),
                        "rows": rows})
    print(json.dumps({"mode": mode, "open_s": opened, "rss_before": before, "rss_open": open_rss,
                      "rss_end": _rss_mib(), "queries": timings}))


def _run(data_dir: Path, cache_dir: Path, mode: str, runs: int) -> dict[str, Any]:
    child = subprocess.run([sys.executable, __file__, "--child", str(data_dir), str(cache_dir), mode, str(runs)],
                           capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000], help="triples of synthetic data")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each query (after one warm-up)")
    parser.add_argument("--modes", nargs="+", default=["memory", "disk"], choices=["memory", "disk"])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        data_dir, cache_dir, mode, runs = args.child
        _child(data_dir, cache_dir, mode, int(runs))
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    for size in args.sizes:
        data_dir = WORK / "data" / f"synthetic-{size}-seed1"
        if not (data_dir / "synthetic.ttl").exists():
            generate(size, 1, data_dir / "synthetic.ttl")
        cache_dir = WORK / "cache"
        started = time.perf_counter()
        made = _run(data_dir, cache_dir, "build", 0)
        print(f"\n{size:,}: build {'reused from the cache' if made['cached'] else 'made'} in {made['seconds']:.0f} s")
        found = {mode: _run(data_dir, cache_dir, mode, args.runs) for mode in args.modes}
        print(f"\n{size:,} synthetic triples, inference on ({time.perf_counter() - started:.0f} s in all)")
        for mode, f in found.items():
            print(f"  {mode:>6}: store open in {f['open_s']:.1f} s; resident {f['rss_before']:.0f} MiB before, "
                  f"{f['rss_open']:.0f} MiB open, {f['rss_end']:.0f} MiB after the queries")
        header = "".join(f" {mode + ' ms':>11} {'max ms':>8}" for mode in found)
        print(f"  {'query':<36} {'rows':>6}{header}")
        slow = []
        first = next(iter(found.values()))
        for index, q in enumerate(first["queries"]):
            cells = ""
            for mode, f in found.items():
                mine = f["queries"][index]
                cells += f" {mine['median'] * 1000:>11.1f} {mine['max'] * 1000:>8.1f}"
                if mine["median"] > TARGET_S:
                    slow.append(f"{q['slug']} ({mode})")
            print(f"  {q['slug']:<36} {q['rows']:>6}{cells}")
        verdict = "PASS" if not slow else "FAIL"
        print(f"  {verdict}: every canned query under {TARGET_S:.0f} s (median)" + (f"; over: {', '.join(slow)}"
                                                                                  if slow else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
