"""s3graph side by side with a baseline, in one run: another build of itself, or Oxigraph's
own server.

Starts `s3graph serve` (default settings but for rate limits off and a generous result
cap) from this checkout's environment, and as the baseline either `s3graph serve` from
another checkout's environment (`--baseline-bin`, the `bin/` of its virtual environment)
or `oxigraph serve-read-only` (`--oxigraph`, from `pip install oxigraph`) on the very
store s3graph built (its default graph is s3graph's default dataset: the same triples).
Both get the same load in interleaved rounds: point lookups over many distinct IRIs and the
join/aggregate mix of `endpoint.py`, each request's text new to the server (a numbered
comment: no cache answers it), then repeated identical queries (which caches may answer). Prints requests/s,
p50 and p99 per server (the median of the rounds) and the ratio this/baseline:

    python -m venv /tmp/base/.venv && git -C /tmp/base checkout REV && /tmp/base/.venv/bin/pip install -e /tmp/base
    python bench/versus.py --baseline-bin /tmp/base/.venv/bin --sizes bundled,100000
    python bench/versus.py --oxigraph --sizes bundled,100000

Load goes to 127.0.0.1 only; every loop is bounded in requests and in time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import endpoint as bench  # noqa: E402  (bench/endpoint.py: servers, load generator, queries)


@dataclass
class Figures:
    """The rounds of one server on one query."""

    rps: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    errors: int = 0


def s3graph(name: str, bin_dir: Path, data: bench.BenchData, cache: Path) -> bench.Server:
    """`s3graph serve` from `bin_dir` on the data, with its own cache folder."""
    env = {**os.environ, "S3GRAPH_CACHE_DIR": str(cache), "S3GRAPH_RATE_LIMIT_SECONDS": "1e9",
           "S3GRAPH_RATE_LIMIT_ERRORS": "1000000000", "S3GRAPH_MAX_RESULTS": "1000000"}
    if data.synthetic:
        env.update({"S3GRAPH_REASONER": "none", "S3GRAPH_VALIDATE_ON_BUILD": "false"})
    command = [str(bin_dir / "s3graph"), "serve", "--host", bench.HOST, "--port", "{port}",
               "--data-dir", str(data.data_dir), "--queries-dir", str(bench.ROOT / "queries")]
    return bench.Server(name, command, env, bench.WORK / "logs" / f"versus-{name}.log")


def oxigraph_server(data: bench.BenchData) -> bench.Server:
    """`oxigraph serve-read-only` on the store s3graph builds for the data (built here first)."""
    from s3graph.build.pipeline import build
    from s3graph.settings import load_settings

    overrides: dict[str, object] = {"data_dir": str(data.data_dir), "cache_dir": str(bench.WORK / "cache")}
    if data.synthetic:
        overrides.update(reasoner="none", validate_on_build=False)
    built = build(load_settings(environ={}, **overrides))
    command = [str(bench.BIN / "oxigraph"), "serve-read-only", "--location", built.store_path,
               "--bind", f"{bench.HOST}:{{port}}"]
    return bench.Server("baseline", command, dict(os.environ), bench.WORK / "logs" / "versus-oxigraph.log",
                        sparql_path="/query")


def run(size: str, args: argparse.Namespace) -> dict[str, dict[str, Figures]]:
    """Every round on one dataset: {query: {server: figures}}."""
    data = bench.prepare_dataset(size, args.seed)
    iris = bench.sample_iris(data.files, limit=4096)
    queries = {bench.POINT: bench.distinct_point(iris)}
    queries.update({name: bench.distinct(bench.FIXED_QUERIES[name]) for name in bench.MIX})
    queries["repeated point lookup"] = lambda n: bench.POINT_QUERY.format(iri=iris[0])
    queries["repeated OPTIONAL + lang"] = lambda n: bench.FIXED_QUERIES["OPTIONAL + lang"]
    # The same loads for wrk: the texts it cycles through, and whether each request's is made
    # new by a numbered comment (written by wrk's Lua, as `bench.distinct` writes it).
    specs: dict[str, tuple[list[str], bool]] = {
        bench.POINT: ([bench.POINT_QUERY.format(iri=iri) for iri in iris], True),
        **{name: ([bench.FIXED_QUERIES[name]], True) for name in bench.MIX},
        "repeated point lookup": ([bench.POINT_QUERY.format(iri=iris[0])], False),
        "repeated OPTIONAL + lang": ([bench.FIXED_QUERIES["OPTIONAL + lang"]], False)}
    if args.only:
        queries = {name: text for name, text in queries.items() if any(part in name for part in args.only.split(","))}
    this = s3graph("this", bench.BIN, data, bench.WORK / "cache")
    baseline = oxigraph_server(data) if args.oxigraph else s3graph("baseline", args.baseline_bin, data,
                                                                      bench.WORK / "cache-baseline")
    servers = [this, baseline]
    figures: dict[str, dict[str, Figures]] = {q: {s.name: Figures() for s in servers} for q in queries}
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(timeout=1800)
            bench.log(f"[{size}] {server.name} ready after {server.ready_seconds:.1f} s")
        for round_no in range(args.rounds):
            order = servers if round_no % 2 == 0 else servers[::-1]
            for query, text in queries.items():
                for server in order:
                    got = figures[query][server.name]
                    if args.client == "wrk":
                        texts, numbered = specs[query]
                        wrk_load(server, texts, numbered, args.clients, args.warmup, args.timeout)
                        rps, p50, p99, failed = wrk_load(server, texts, numbered, args.clients, args.duration,
                                                         args.timeout)
                        got.rps.append(rps)
                        got.p50_ms.append(p50)
                        got.p99_ms.append(p99)
                        got.errors += failed
                        continue

                    def path(n: int, t=text, s=server) -> str:  # type: ignore[no-untyped-def]
                        return s.sparql_path + "?" + urllib.parse.urlencode({"query": t(n)})
                    bench.load(server.port, path, args.clients, args.warmup, args.timeout)
                    latencies, errors, seconds = bench.load(server.port, path, args.clients, args.duration,
                                                            args.timeout)
                    got.rps.append(len(latencies) / seconds if seconds > 0 else 0.0)
                    got.p50_ms.append(bench.percentile(latencies, 50) * 1000)
                    got.p99_ms.append(bench.percentile(latencies, 99) * 1000)
                    got.errors += sum(errors.values())
            bench.log(f"[{size}] round {round_no + 1} of {args.rounds} done")
    finally:
        for server in servers:
            server.stop()
    return figures


#: wrk's script: cycles through the given paths (the 7th next each time, as `bench.distinct_point`
#: does), each made new by a numbered comment when asked (` # RUN.THREAD.N`, URL-encoded), and
#: prints the figures as one JSON line when done.
WRK_SCRIPT = """
local paths = {PATHS}
local numbered = {NUMBERED}
local run = "{RUN}"
local threads, serial = {}, 0
function setup(thread)
  serial = serial + 1
  thread:set("id", serial)
  table.insert(threads, thread)
end
local n = 0
function request()
  n = n + 1
  local path = paths[((n * 7) % #paths) + 1]
  if numbered then
    path = path .. "+%23+" .. run .. "." .. id .. "." .. n
  end
  return wrk.format("GET", path, {["Accept"] = "application/sparql-results+json"})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "micros": %d, "p50": %d, "p99": %d, "failed": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""
WRK_RUNS = [0]


def wrk_load(server: bench.Server, texts: list[str], numbered: bool, clients: int, duration: float,
             timeout: float) -> tuple[float, float, float, int]:
    """One load from wrk (`apt install wrk`): requests/s, p50 and p99 in ms, failed requests
    (errors of the connection, and answers other than 2xx and 3xx)."""
    WRK_RUNS[0] += 1
    paths = [server.sparql_path + "?" + urllib.parse.urlencode({"query": t}) for t in texts]
    lua = "{" + ",".join(json.dumps(p) for p in paths) + "}"
    script = bench.WORK / f"wrk-{os.getpid()}.lua"
    script.write_text(WRK_SCRIPT.replace("{PATHS}", lua).replace("{NUMBERED}", "true" if numbered else "false")
                      .replace("{RUN}", f"{os.getpid()}x{WRK_RUNS[0]}"))
    command = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{max(1, round(duration))}s",
               f"--timeout={max(1, round(timeout))}s", "-s", str(script), f"http://{bench.HOST}:{server.port}/"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout + 30, check=True)
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("{"))
    got = json.loads(line)
    return (got["requests"] / (got["micros"] / 1e6), got["p50"] / 1000, got["p99"] / 1000, got["failed"])


def report(size: str, figures: dict[str, dict[str, Figures]]) -> str:
    """A table: per query and server the medians of the rounds, and this/baseline."""
    lines = [f"== {size}: median of the rounds ==",
             f"{'query':<22} {'server':<9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"]
    mixes: dict[str, list[float]] = {"this": [], "baseline": []}
    for query, by_server in figures.items():
        for name, got in by_server.items():
            rps = statistics.median(got.rps)
            if query in bench.MIX:
                mixes[name].append(rps)
            lines.append(f"{query:<22} {name:<9} {rps:>8.1f} {statistics.median(got.p50_ms):>7.2f} "
                         f"{statistics.median(got.p99_ms):>7.2f} {got.errors:>6}")
        ratios = [t / b for t, b in zip(by_server["this"].rps, by_server["baseline"].rps, strict=True) if b]
        this, base = statistics.median(by_server["this"].rps), statistics.median(by_server["baseline"].rps)
        lines.append(f"{'':<22} this/baseline {this / base:.3f}x (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    harmonic = {name: len(v) / sum(1 / x for x in v) for name, v in mixes.items() if v and all(v)}
    if len(harmonic) == 2:
        lines.append(f"join/aggregate mix (harmonic mean): this {harmonic['this']:.1f} req/s, baseline "
                     f"{harmonic['baseline']:.1f} req/s, this/baseline {harmonic['this'] / harmonic['baseline']:.3f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run and print; the raw figures go to bench/.work/versus-<time>.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--baseline-bin", type=Path, help="bin/ of the baseline's virtual environment")
    which.add_argument("--oxigraph", action="store_true", help="the baseline is `oxigraph serve-read-only`")
    parser.add_argument("--sizes", default="bundled,100000", help="bundled and/or triple counts")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of load per query, server and round")
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds of untimed load first")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--timeout", type=float, default=60.0, help="per-request timeout in seconds")
    parser.add_argument("--client", choices=["python", "wrk"], default="python",
                        help="the load generator: bench/endpoint.py's client processes, or wrk (apt install wrk), "
                             "which takes a tenth of the CPU and so leaves the servers the cores")
    parser.add_argument("--only", help="comma-separated substrings: run only the queries whose name has one")
    parser.add_argument("--seed", type=int, default=20261124, help="seed of the synthetic data")
    args = parser.parse_args(argv)
    if args.baseline_bin is not None and not (args.baseline_bin / "s3graph").is_file():
        parser.error(f"no s3graph in {args.baseline_bin}")
    if args.oxigraph and not (bench.BIN / "oxigraph").is_file():
        parser.error("no oxigraph next to this Python: pip install oxigraph")
    results = {}
    for size in args.sizes.split(","):
        figures = run(size, args)
        print(report(size, figures), flush=True)
        results[size] = {q: {s: vars(f) for s, f in by.items()} for q, by in figures.items()}
    out = bench.WORK / f"versus-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
