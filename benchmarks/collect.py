"""Assemble docs/BENCHMARKS.md from the fragments the bench_*.py scripts write into docs/benchmarks/."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["analyze", "render", "attributes", "index", "make", "compare", "compare_omp1", "batch", "train", "stylize"]


def main() -> None:
    frags = {p.stem: p.read_text().strip() for p in sorted((ROOT / "docs" / "benchmarks").glob("*.md"))}
    names = [n for n in ORDER if n in frags] + sorted(n for n in frags if n not in ORDER)
    head = ("# Benchmarks\n\nEvery number below was printed by the script named under its heading "
            "(`make bench` runs the CPU ones; GPU ones ran on the lent device machine named there). CPU times on "
            "shared 2-core machines are noisy: medians over many runs, compared side by side within one run.\n")
    (ROOT / "docs" / "BENCHMARKS.md").write_text(head + "\n" + "\n\n".join(frags[n] for n in names) + "\n")
    print(f"wrote docs/BENCHMARKS.md from {len(names)} fragments: {', '.join(names)}")


if __name__ == "__main__":
    main()
