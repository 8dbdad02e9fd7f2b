#!/usr/bin/env python3
"""Builds the benchmark corpus with juxta, Hugo and mdBook, and renders its Markdown with
pulldown-cmark alone (the floor); prints the median, min and max wall time over several runs,
the peak RSS, and juxta's ratio to each peer, as a Markdown table. A second table compares
the floor with juxta on the same content without per-page navigation (the floor writes only
the rendered Markdown): `juxta-flat` highlights code as juxta always does, `juxta-plain` has
highlighting off, as the floor has none.

    python3 bench/run.py                       # N = 1,000 and 10,000, 5 runs; juxta at 100,000
    python3 bench/run.py --sizes 1000 --runs 3 --big 0
    python3 bench/run.py --dir /tmp/juxta-bench   # on disk instead of /dev/shm
    python3 bench/run.py --tools juxta,juxta-plain --binary before=/tmp/juxta-before
                                               # also juxta@before and juxta-plain@before

Needs `hugo` (Debian package) and `mdbook` (`cargo install mdbook`) on PATH, and GNU time at
/usr/bin/time (Debian package `time`); a missing peer is skipped with a note. The corpus and
every output live under --dir (default /dev/shm/juxta-bench, memory-backed, so the figures are
about the tools rather than the disk). Each run starts from an absent output folder; one
warm-up run per tool and size is not counted, and the counted runs go round the tools in turn
(juxta, Hugo, mdBook, the floor, juxta, …) so that the machine's slow spells fall on all alike.
The big size (100,000) is built by juxta alone, in turn with juxta at the largest other size, and
the time ratio between the two sizes is taken from those runs.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JUXTA = REPO / "target/release/juxta"
FLOOR = REPO / "target/release/examples/floor"


def tools(corpus, out, binaries=()):
    """Each tool: the command building `corpus` into `out`, and how to count its pages.
    `binaries` are other juxta binaries (label, path), each adding `juxta@label` and
    `juxta-plain@label`, to compare two versions in one run."""
    mdbook = shutil.which("mdbook") or str(Path.home() / ".cargo/bin/mdbook")
    other = {}
    for label, path in binaries:
        for variant in ("juxta", "juxta-plain"):
            command = [path, "build", "-q", "--root", str(corpus / variant), "--out", str(out)]
            other[f"{variant}@{label}"] = (command, "s*/p*/index.html")
    return other | {
        "juxta": ([str(JUXTA), "build", "-q", "--root", str(corpus / "juxta"), "--out", str(out)],
                  "s*/p*/index.html"),
        "juxta-flat": ([str(JUXTA), "build", "-q", "--root", str(corpus / "juxta-flat"), "--out", str(out)],
                       "s*/p*/index.html"),
        "juxta-plain": ([str(JUXTA), "build", "-q", "--root", str(corpus / "juxta-plain"), "--out", str(out)],
                        "s*/p*/index.html"),
        "hugo": (["hugo", "--quiet", "--source", str(corpus / "hugo"), "--destination", str(out)],
                 "s*/p*/index.html"),
        "mdbook": ([mdbook, "build", str(corpus / "mdbook"), "--dest-dir", str(out)], "s*/p*.html"),
        "floor": ([str(FLOOR), str(corpus / "juxta/content"), str(out)], "s*/p*.html"),
    }


def available(command):
    return Path(command).exists() or shutil.which(command) is not None


def run_once(command, out):
    """One build from an absent output folder: (wall seconds, peak RSS in KiB)."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"`{' '.join(command)}` failed:\n{result.stderr[-3000:]}")
    rss = next(
        int(line.split(":")[1]) for line in result.stderr.splitlines() if "Maximum resident set size" in line
    )
    return wall, rss


def measure_size(tools_at_n, runs, slow):
    """Every tool at its size (`n`, the last item of its entry). The counted runs go round the tools
    in turn, so that on a shared, noisy machine each tool meets the same slow and fast spells and the
    ratios stay fair."""
    samples, counted = {}, []
    for name, (command, pattern, out, n) in tools_at_n.items():
        warm_up = run_once(command, out)  # page cache, lazy statics, CPU frequency
        produced = len(list(out.glob(pattern)))
        if produced != n:
            sys.exit(f"{name} produced {produced} pages of {n}")
        if warm_up[0] > slow:
            # A tool this slow is not noise-bound: its one run is the figure.
            print(f"  {name} took {warm_up[0]:.0f} s; counting that single run", file=sys.stderr)
            samples[name] = [warm_up]
        else:
            samples[name] = []
            counted.append(name)
    for _ in range(runs):
        for name in counted:
            command, _, out, _ = tools_at_n[name]
            samples[name].append(run_once(command, out))
    results = []
    for name, (_, _, out, n) in tools_at_n.items():
        shutil.rmtree(out, ignore_errors=True)
        walls = [w for w, _ in samples[name]]
        results.append({
            "tool": name,
            "n": n,
            "runs": len(walls),
            "median": statistics.median(walls),
            "min": min(walls),
            "max": max(walls),
            "rss_mib": max(r for _, r in samples[name]) / 1024,
        })
    return results


def ensure_corpus(base, n, variants):
    corpus = base / str(n)
    wanted = ["juxta"] + (["juxta-flat", "juxta-plain"] if variants else [])
    if not all((corpus / w / "site.toml").exists() for w in wanted):
        shutil.rmtree(corpus, ignore_errors=True)
        print(f"writing the {n}-page corpus…", file=sys.stderr)
        extra = [] if variants else ["--no-variants"]
        subprocess.run([sys.executable, str(REPO / "bench/corpus.py"), str(n), str(corpus), *extra], check=True)
    return corpus


def ratio(x):
    """A ratio with two significant digits for small values, two decimals otherwise."""
    return f"{x:.2g}" if x < 0.1 else f"{x:.2f}"


def table(results):
    lines = [
        "| Pages | Tool | Runs | Median | Min | Max | Peak RSS | juxta ÷ tool (time) | juxta ÷ tool (RSS) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r["tool"] == "floor" or is_floor_peer(r["tool"]):
            continue
        juxta = next((j for j in results if j["tool"] == "juxta" and j["n"] == r["n"]), None)
        ratio_time = ratio(juxta['median'] / r['median']) if juxta and r["tool"] != "juxta" else ""
        ratio_rss = ratio(juxta['rss_mib'] / r['rss_mib']) if juxta and r["tool"] != "juxta" else ""
        lines.append(
            f"| {r['n']:,} | {r['tool']} | {r['runs']} | {r['median']:.2f} s | {r['min']:.2f} s | {r['max']:.2f} s "
            f"| {r['rss_mib']:.0f} MiB | {ratio_time} | {ratio_rss} |"
        )
    return "\n".join(lines)


FLOOR_PEERS = ("juxta-flat", "juxta-plain")


def is_floor_peer(tool):
    """Whether `tool` builds the corpus without navigation (another binary's too)."""
    return tool.split("@")[0] in FLOOR_PEERS
# juxta at the largest size every tool builds, measured again in turn with the big size.
SCALE_PEER = "juxta (for the ratio)"


def floor_table(results):
    """juxta without navigation against the floor, per size."""
    lines = [
        "| Pages | Build | Runs | Median | Min | Max | Peak RSS | ÷ floor (time) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r["tool"] != "floor" and not is_floor_peer(r["tool"]):
            continue
        floor = next((f for f in results if f["tool"] == "floor" and f["n"] == r["n"]), None)
        times = ratio(r['median'] / floor['median']) if floor and r["tool"] != "floor" else ""
        lines.append(
            f"| {r['n']:,} | {r['tool']} | {r['runs']} | {r['median']:.2f} s | {r['min']:.2f} s "
            f"| {r['max']:.2f} s | {r['rss_mib']:.0f} MiB | {times} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes built by every tool")
    parser.add_argument("--runs", type=int, default=5, help="counted runs per tool and size")
    parser.add_argument("--big", type=int, default=100000, help="a size built by juxta alone (0: none)")
    parser.add_argument("--big-runs", type=int, default=3)
    parser.add_argument("--tools", default="juxta,hugo,mdbook,floor,juxta-flat,juxta-plain")
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm/juxta-bench"))
    parser.add_argument("--slow", type=float, default=60, help="a warm-up longer than this many seconds is the only run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--binary", action="append", default=[], metavar="LABEL=PATH",
                        help="another juxta binary, measured as juxta@LABEL and juxta-plain@LABEL")
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--bin", "juxta", "--example", "floor"], cwd=REPO, check=True)
    args.dir.mkdir(parents=True, exist_ok=True)
    binaries = [tuple(b.split("=", 1)) for b in args.binary]
    wanted = args.tools.split(",") + [f"{v}@{label}" for label, _ in binaries for v in ("juxta", "juxta-plain")]
    sizes = [int(n) for n in args.sizes.split(",")]
    # Each step: the tools, by the name shown, with the tool and size each builds. The big size is
    # built by juxta alone, in turn with juxta at the largest other size, so that the two builds the
    # time ratio compares meet the same spells of the machine.
    plan = [({name: (name, n) for name in wanted}, args.runs) for n in sizes]
    if args.big:
        plan.append(({"juxta": ("juxta", args.big), SCALE_PEER: ("juxta", max(sizes))}, args.big_runs))
    results = []
    for step, runs in plan:
        at_n = {}
        for shown, (name, n) in step.items():
            plain = any(is_floor_peer(t) for t, _ in step.values())
            corpus = ensure_corpus(args.dir, n, variants=plain)
            out = args.dir / f"out-{name}-{n}"
            command, pattern = tools(corpus, out, binaries)[name]
            if not available(command[0]):
                print(f"skipping {name}: `{command[0]}` is not installed", file=sys.stderr)
                continue
            at_n[shown] = (command, pattern, out, n)
        by_size = {}
        for shown, entry in at_n.items():
            by_size.setdefault(entry[3], []).append(shown)
        described = "; ".join(f"{', '.join(names)} at {n:,} pages" for n, names in by_size.items())
        print(f"{described}: {runs} runs each, in turn…", file=sys.stderr)
        results.extend(measure_size(at_n, runs, args.slow))
    print(table([r for r in results if r["tool"] != SCALE_PEER]))
    if any(r["tool"] == "floor" for r in results):
        print()
        print(floor_table(results))
    peer = next((r for r in results if r["tool"] == SCALE_PEER), None)
    big = next((r for r in results if r["tool"] == "juxta" and r["n"] == args.big), None)
    if peer and big:
        print(
            f"\njuxta {peer['n']:,} → {big['n']:,} pages, time ratio: {big['median'] / peer['median']:.1f} "
            f"(medians of {big['runs']} runs of each, in turn)"
        )
    print(f"\n{os.cpu_count()} cores; corpus and output under {args.dir}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
