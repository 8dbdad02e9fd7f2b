#!/usr/bin/env python3
"""Measures what pages generated from a comparison dataset cost to build, and that the cost grows
in proportion to the number of pages: a site with one 50-subject dataset of 24 dimensions (1,225
possible pairs) asks for 0, 50, 100 and 200 pair pages (the allow-list of `[pages] pairs`, each
subject with the next few), plus a page per subject and per dimension. Prints, as a Markdown
table, the median, min and max wall time over several runs, the pages built, the time per
page, and the ratio of the time per page at 200 pair pages to that at none (near 1.0, or below as
fixed costs spread, when the build grows linearly with the pages).

    python3 bench/comparison.py                 # 5 runs each
    python3 bench/comparison.py --runs 3 --juxta target/debug/juxta

Needs the release build (`cargo build --release`). The site and its output live under --dir
(default /dev/shm/juxta-bench-comparison, memory-backed). Each run starts from an absent output
folder; one warm-up run per size is not counted, and the counted runs go round the sizes in turn.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUBJECTS = 50
DIMENSIONS = 24
TEMPLATES = ["base.html", "page.html", "section.html", "index.html", "404.html",
             "comparison-pair.html", "comparison-subject.html", "comparison-dimension.html"]


def pairs(count):
    """`count` pairs, each subject with the next ones round the list: no pair twice."""
    chosen = []
    step = 1
    while len(chosen) < count:
        for i in range(SUBJECTS):
            if len(chosen) == count:
                break
            chosen.append((i, (i + step) % SUBJECTS))
        step += 1
    return chosen


def dataset(pair_count):
    """The dataset: numbers, ratings, yes/no and text, every value with a source."""
    lines = [
        'kind = "comparison"',
        'title = "Fifty devices compared"',
        'description = "A benchmark dataset."',
        'page = "_index.md"',
        'max_age = "18 months"',
        "",
        "[sources.sheet]",
        'title = "Data sheets"',
        'url = "https://example.org/sheets"',
        "accessed = 2023-01-10",
        "",
        "[scales.level]",
        "min = 1",
        "max = 5",
        "",
    ]
    for s in range(SUBJECTS):
        lines += ["[[subjects]]", f'id = "d{s:02}"', f'name = "Device {s:02}"', f'description = "Device number {s}"', ""]
    kinds = ["number", "rating", "boolean", "text"]
    for d in range(DIMENSIONS):
        kind = kinds[d % 4]
        lines += ["[[dimensions]]", f'id = "m{d:02}"', f'label = "Measure {d:02}"', f'group = "Group {d % 3}"',
                  f'summary = "What measure {d} says about a device"', f'type = "{kind}"', 'source = "sheet"']
        if kind == "number":
            lines += ['unit = "mW"', 'better = "lower"']
        if kind == "rating":
            lines += ['scale = "level"', 'better = "higher"']
        for s in range(SUBJECTS):
            value = {"number": str((s * 7 + d * 3) % 97 + 1),
                     "rating": str((s + d) % 5 + 1),
                     "boolean": "true" if (s + d) % 3 else "false",
                     "text": f'"Kind {(s * d) % 6} of measure {d}"'}[kind]
            if s % 5 == 0:
                value = f'{{ value = {value}, note = "Measured by hand" }}'
            lines.append(f"values.d{s:02} = {value}")
        lines.append("")
    lines += ["[pages]", "max_pairs = 200", "subjects = true", "dimensions = true"]
    listed = ", ".join(f'["d{a:02}", "d{b:02}"]' for a, b in pairs(pair_count))
    lines.append(f"pairs = [{listed}]" if pair_count else "pairs = []")
    return "\n".join(lines) + "\n"


def make_site(root, pair_count):
    """A site of a home page and a section listing the generated pages, with the theme's templates."""
    if root.exists():
        shutil.rmtree(root)
    (root / "content/compare").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "templates").mkdir()
    (root / "site.toml").write_text('title = "Benchmark"\nbase_url = "https://example.com/"\n')
    (root / "content/_index.md").write_text(
        '+++\ntitle = "Home"\n+++\n{{ comparison_table(dataset="devices", subjects=["d00", "d01", "d02", "d03"]) }}\n')
    (root / "content/compare/_index.md").write_text('+++\ntitle = "Every comparison"\n+++\n')
    (root / "content/site-map.md").write_text('+++\ntitle = "Site map"\n+++\nEvery page.\n')
    (root / "data/devices.toml").write_text(dataset(pair_count))
    for name in TEMPLATES:
        shutil.copy(REPO / "templates" / name, root / "templates" / name)
    shutil.copytree(REPO / "static", root / "static")


def build(juxta, root, out):
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    result = subprocess.run([str(juxta), "build", "-q", "--root", str(root), "--out", str(out)],
                            capture_output=True, text=True, env={"SOURCE_DATE_EPOCH": "1700000000", "PATH": "/usr/bin:/bin"})
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"juxta failed on {root}:\n{result.stderr}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pairs", default="0,50,100,200", help="pair pages asked for, one build each")
    parser.add_argument("--juxta", type=Path, default=REPO / "target/release/juxta")
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm/juxta-bench-comparison"))
    args = parser.parse_args()
    if not args.juxta.exists():
        sys.exit(f"{args.juxta} is missing: run `cargo build --release` first")
    sizes = [int(n) for n in args.pairs.split(",")]
    sites = {}
    for n in sizes:
        root = args.dir / f"site-{n}"
        make_site(root, n)
        sites[n] = root
        build(args.juxta, root, args.dir / "out")  # warm-up, not counted
    times = {n: [] for n in sizes}
    for _ in range(args.runs):
        for n in sizes:
            times[n].append(build(args.juxta, sites[n], args.dir / "out"))
    out = args.dir / "out"
    build(args.juxta, sites[sizes[-1]], out)
    print(f"{SUBJECTS} subjects, {DIMENSIONS} dimensions, {SUBJECTS * (SUBJECTS - 1) // 2:,} possible pairs; "
          f"{SUBJECTS + DIMENSIONS} subject and dimension pages in every build; {args.runs} runs\n")
    print("| pair pages | pages built | median s | min s | max s | ms per page |")
    print("|---:|---:|---:|---:|---:|---:|")
    per_page = {}
    for n in sizes:
        median = statistics.median(times[n])
        pages = 3 + SUBJECTS + DIMENSIONS + n
        per_page[n] = median / pages
        print(f"| {n} | {pages} | {median:.3f} | {min(times[n]):.3f} | {max(times[n]):.3f} | {per_page[n] * 1000:.2f} |")
    first, last = sizes[0], sizes[-1]
    print(f"\nTime per page with {last} pair pages over the time per page with {first}: "
          f"{per_page[last] / per_page[first]:.2f} (1.0 or less: the build grows linearly with the pages)")
    generated = sum(1 for _ in (out / "compare").glob("*/index.html"))
    print(f"Files under compare/ in the last build: {generated} (pages and the reverse pairs' redirects)")


if __name__ == "__main__":
    main()
