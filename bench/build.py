#!/usr/bin/env python3
"""The build, stage by stage: time and peak memory of parse, validate, reason and store, cold and warm.

For each size, synthetic data (bench/generate.py) is built by s3graph's own pipeline
(`s3graph.build.pipeline.build`) with each reasoner, in a fresh process each time: cold (an
empty cache folder) and then warm (the same folder: the cached build is read back). The
stage times are the pipeline's own (`BuiltGraph.timings`); peak MiB is the process's maximum
resident memory. owlrl runs only up to --owlrl-max triples; --no-validate leaves out pySHACL.

    python bench/build.py                              # 10^4 and 10^5
    python bench/build.py --sizes 10000 100000 1000000 --owlrl-max 10000 --no-validate
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _child(data_dir: str, cache_dir: str, reasoner: str, validate: str) -> None:
    """In the child: one build; print its stage times, whether it was cached, the peak memory."""
    from s3graph.build.pipeline import build
    from s3graph.settings import Settings

    started = time.perf_counter()
    built = build(Settings(data_dir=data_dir, cache_dir=cache_dir, reasoner=reasoner,
                           validate_on_build=validate == "yes"))
    store = built.open_store()
    quads = len(store)
    print(json.dumps({"cached": built.from_cache, "timings": built.timings, "wall": time.perf_counter() - started,
                      "quads": quads, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _run(data_dir: Path, cache_dir: Path, reasoner: str, validate: bool) -> dict[str, object]:
    child = subprocess.run([sys.executable, __file__, "--child", str(data_dir), str(cache_dir), reasoner,
                            "yes" if validate else "no"], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="triples of synthetic data")
    parser.add_argument("--owlrl-max", type=int, default=10_000, help="largest size owlrl is run on")
    parser.add_argument("--no-validate", action="store_true", help="skip the SHACL validation stage")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    print(f"{'triples':>9} {'reasoner':>8} {'run':>4} {'load s':>7} {'valid s':>8} {'infer s':>8} {'store s':>8} "
          f"{'wall s':>7} {'quads':>9} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            data_dir = Path(tmp) / f"data-{size}"
            generate(size, 1, data_dir / "synthetic.ttl")
            for reasoner in ("rules", "owlrl"):
                if reasoner == "owlrl" and size > args.owlrl_max:
                    continue
                cache_dir = Path(tmp) / f"cache-{size}-{reasoner}"
                for run in ("cold", "warm"):
                    found = _run(data_dir, cache_dir, reasoner, not args.no_validate)
                    timings = found["timings"]
                    assert isinstance(timings, dict)
                    stage = [timings.get(name) for name in ("load", "validate", "infer", "store")]
                    shown = " ".join(f"{s:>8.2f}" if s is not None else f"{'-':>8}" for s in stage)
                    if run == "warm":  # a warm start reads the cached build: no stage runs
                        assert found["cached"] is True
                        shown = " ".join(f"{'cached':>8}" for _ in stage)
                    print(f"{size:>9} {reasoner:>8} {run:>4} {shown} {found['wall']:>7.2f} {found['quads']:>9} "
                          f"{found['peak_mib']:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
