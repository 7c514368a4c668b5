#!/usr/bin/env python3
"""The reasoners side by side: time and peak memory of the OWL-RL closure, rules against owlrl.

For each size, synthetic data (bench/generate.py) is parsed as the build parses it
(Oxigraph) and reasoned over, with the ontology, by each reasoner in a fresh process (so
that its peak resident memory is its own), and where both finish the two inferred sets are
compared triple for triple. owlrl runs only up to --owlrl-max triples (six minutes at 10^5).

    python bench/reasoners.py                       # 10^4 and 10^5, owlrl at 10^4
    python bench/reasoners.py --sizes 10000 1000000 --owlrl-max 10000
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _written(triple: tuple[object, object, object]) -> str:
    """A triple in N-Triples, every blank node written `_:b` (labels differ between processes)."""
    return " ".join("_:b" if str(term).startswith("_:") else str(term) for term in triple)


def _reason(data: str, reasoner: str, out: str) -> None:
    """In the child: parse as the build does (Oxigraph), reason, report time and peak memory,
    pickle the inferred set written as text."""
    from s3graph.build.loader import SourceFile, parse_file
    from s3graph.build.reasoners import REASONERS

    triples = parse_file(SourceFile(str(ROOT / "ontology" / "s3.ttl"), "urn:ontology", "ontology", ""))
    started = time.perf_counter()
    triples += parse_file(SourceFile(data, "urn:data", "data", ""))
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    inferred = REASONERS.pick(reasoner)(triples)
    seconds = time.perf_counter() - started
    with open(out, "wb") as handle:
        pickle.dump(sorted(_written(t) for t in inferred), handle)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"input": len(set(triples)), "parse": parsed, "reason": seconds, "inferred": len(inferred),
                      "peak_mib": peak_mib}))


def run(data: Path, reasoner: str, work: Path) -> tuple[dict[str, float], Path]:
    out = work / f"{reasoner}-{data.stem}.pickle"
    child = subprocess.run([sys.executable, __file__, "--child", str(data), reasoner, str(out)],
                           capture_output=True, text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1]), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="triples of synthetic data")
    parser.add_argument("--owlrl-max", type=int, default=10_000, help="largest size owlrl is run on")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _reason(*args.child)
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    print(f"{'triples':>9} {'reasoner':>8} {'parse s':>8} {'reason s':>9} {'inferred':>9} {'peak MiB':>9}  vs owlrl")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in args.sizes:
            data = work / f"synthetic-{size}.ttl"
            generate(size, 1, data)
            figures: dict[str, dict[str, float]] = {}
            results: dict[str, Path] = {}
            for reasoner in ("rules", "owlrl"):
                if reasoner == "owlrl" and size > args.owlrl_max:
                    continue
                figures[reasoner], results[reasoner] = run(data, reasoner, work)
            for reasoner, f in figures.items():
                note = ""
                if reasoner == "rules" and "owlrl" in figures:
                    same = pickle.loads(results["rules"].read_bytes()) == pickle.loads(results["owlrl"].read_bytes())
                    ratio = figures["owlrl"]["reason"] / f["reason"]
                    note = f"{ratio:.0f}x faster, {'same' if same else 'DIFFERENT'} triples"
                print(f"{int(f['input']):>9} {reasoner:>8} {f['parse']:>8.2f} {f['reason']:>9.2f} "
                      f"{int(f['inferred']):>9} {f['peak_mib']:>9.0f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
