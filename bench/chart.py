"""Draw the scaling chart of bench/README.md (bench/scaling.png) from that file's own tables.

The figures are the ones the README records (`bench/reasoners.py`, `bench/build.py`); the chart
is redrawn from them, so it never shows a figure the tables do not. Run after updating a table:

    .venv/bin/python bench/chart.py            # needs matplotlib (pip install -e '.[bench]')
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent


def table(text: str, heading: str) -> list[dict[str, str]]:
    """The rows of the first Markdown table after the heading that starts with `heading`."""
    section = text.split("\n## " + heading, 1)[1]
    lines = [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("|")]
    names = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(names, (cell.strip() for cell in line.strip("|").split("|")), strict=False))
            for line in lines[2:]]


def number(cell: str) -> float | None:
    cleaned = re.sub(r"[,\s]", "", cell)
    return float(cleaned) if re.fullmatch(r"[0-9.]+", cleaned) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    parser.add_argument("-o", "--out", type=Path, default=HERE / "scaling.png")
    options = parser.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    text = options.readme.read_text(encoding="utf-8")
    reasoners = table(text, "The reasoners")
    stages = [row for row in table(text, "The build, stage by stage") if row["run"] == "cold"]
    figure, ((time_ax, memory_ax), (stage_ax, build_memory_ax)) = plt.subplots(2, 2, figsize=(11, 8))

    for name in sorted({row["reasoner"] for row in reasoners}):
        rows = [row for row in reasoners if row["reasoner"] == name]
        sizes = [number(row["triples"]) for row in rows]
        time_ax.plot(sizes, [number(row["reason s"]) for row in rows], "o-", label=name)
        memory_ax.plot(sizes, [number(row["peak MiB"]) for row in rows], "o-", label=name)
    time_ax.axhline(60, color="grey", linestyle=":", label="target at 10^6 (60 s)")
    memory_ax.axhline(4096, color="grey", linestyle=":", label="target at 10^6 (4 GiB)")
    time_ax.set(title="Reasoning time (bench/reasoners.py)", ylabel="seconds")
    memory_ax.set(title="Reasoning peak memory (bench/reasoners.py)", ylabel="MiB")

    for name in sorted({row["reasoner"] for row in stages}):
        rows = [row for row in stages if row["reasoner"] == name]
        sizes = [number(row["triples"]) for row in rows]
        for stage in ("load s", "validate s", "infer s", "store s", "wall s"):
            stage_ax.plot(sizes, [number(row[stage]) for row in rows], "o-", label=f"{name}: {stage[:-2]}")
        build_memory_ax.plot(sizes, [number(row["peak MiB"]) for row in rows], "o-", label=name)
    stage_ax.set(title="Cold build, stage by stage (bench/build.py)", ylabel="seconds")
    build_memory_ax.set(title="Cold build peak memory (bench/build.py)", ylabel="MiB")

    for axis in (time_ax, memory_ax, stage_ax, build_memory_ax):
        axis.set(xscale="log", yscale="log", xlabel="input triples")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    figure.suptitle("s3graph at scale, 2 cores (figures from bench/README.md)")
    figure.tight_layout()
    figure.savefig(options.out, dpi=100)
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
