#!/usr/bin/env python3
"""Builds the benchmark corpus with juxta, Hugo and mdBook, and renders its Markdown with
pulldown-cmark alone (the floor); prints the median, min and max wall time over several runs, the
CPU time, the peak RSS, and juxta's ratio to each peer, as Markdown tables.

    python3 bench/run.py                        # everything below, 5 runs; juxta at 100,000
    python3 bench/run.py --sizes 1000 --runs 3 --big 0 --dir /dev/shm/juxta-bench
    python3 bench/run.py --builds fresh --tools juxta,hugo,floor,juxta-flat,juxta-plain
    python3 bench/run.py --tools juxta-defaults,hugo --binary before=/tmp/juxta-before
                                                # also juxta-defaults@before, in turn with the others

What is built (`bench/corpus.py` writes each project):

- `juxta-defaults`: what `juxta build` does out of the box, search index and highlighting on;
- `juxta`: the same without the search index, as the peers have none;
- `juxta-no-hl`: the defaults with highlighting off;
- `hugo` (highlighting to CSS classes, as juxta does) and `mdbook` (no search index);
- `floor`, `juxta-flat` and `juxta-plain`: pulldown-cmark alone, and juxta on the same pages
  without per-page navigation (the floor writes only the rendered Markdown), with highlighting on
  and off (the floor has none).

Which juxta: `target/release/juxta`, built first, or the binary `--juxta PATH` names (not built).
`--binary LABEL=PATH` (repeatable) measures another binary beside it: every juxta variant among
the tools gains a `VARIANT@LABEL` twin built by PATH, in turn with the rest, so that two versions
are compared in one run.

Where (`--dir`, once per storage; by default a memory-backed folder and one on the disk): the
corpus and every output live there, and the tables say which file system it is.

How (`--builds`):

- `fresh`: into an absent output folder;
- `over`: over the previous output, with every page changed (the page template gains a different
  attribute before each run), so that every page has to be rendered and written again;
- `edit`: over the previous output, with one page's body edited (a different sentence added
  before each run);
- `same`: over the previous output, nothing changed.

mdBook, the floor, `juxta-flat` and `juxta-plain` are built `fresh` only. Before each counted
run the file systems are synced (not timed), so that no run pays for writes another one left in
the page cache; the `sync` straight after each run is timed and shown as the writeback the build
left behind (`--no-sync` leaves both out).

Each tool's first build at each size, storage and kind is a warm-up, not counted; the counted runs
go round the tools in turn (juxta, Hugo, …, juxta, …) so that the machine's slow spells fall on
all alike. The big size (100,000) is built by the `--big-tools` alone, in turn with the same tools
at the largest other size, and the time ratio between the two sizes is taken from those runs.

Where a default build's time goes: highlighting's share is the CPU time (user + system) of
`juxta-defaults` less that of `juxta-no-hl`, and the search index's is `juxta-defaults` less
`juxta`, both over `juxta-defaults`, from the medians of runs made in turn.

Needs `hugo` (Debian package) and `mdbook` (`cargo install mdbook`) on PATH, and GNU time at
/usr/bin/time (Debian package `time`); a missing peer is skipped with a note.
"""

import argparse
import hashlib
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

BUILDS = {
    "fresh": "into an absent folder",
    "over": "over the previous output, every page changed",
    "edit": "over the previous output, one page edited",
    "same": "over the previous output, nothing changed",
}
# Tools built `fresh` only: the floor's like-for-like pair, the floor itself, and mdBook, whose
# minutes-long builds at 10,000 pages say nothing new when repeated over their output.
FRESH_ONLY = ("mdbook", "floor", "juxta-flat", "juxta-plain")
FLOOR_PEERS = ("juxta-flat", "juxta-plain")
PEERS = ("hugo", "mdbook")
JUXTA_VARIANTS = ("juxta-defaults", "juxta", "juxta-no-hl", "juxta-flat", "juxta-plain")
DEFAULT_TOOLS = "juxta-defaults,juxta,juxta-no-hl,hugo,mdbook,floor,juxta-flat,juxta-plain"
# A big size's tool, measured again at the largest other size in turn with it.
SCALE = " (for the ratio)"


class Tool:
    """How a tool builds a project of the corpus into `out`, counts its pages, and where a build
    kind edits it: its page template (`over`) and one page's source (`edit`)."""

    def __init__(self, name, command, pattern, project, template=None, page=None):
        self.name, self.command, self.pattern = name, command, pattern
        self.project, self.template, self.page = project, template, page


def variant(name):
    """The juxta variant or peer a tool's name builds: `juxta-plain@before` builds `juxta-plain`."""
    return name.split("@")[0]


def tool(name, corpus, out, n, binaries):
    """The tool `name`; `binaries` maps a label (`None` for the main one) to a juxta binary."""
    middle = f"s{max(1, n // 100) // 2:04}/p0050.md" if n >= 100 else "s0000/p0000.md"
    base, _, label = name.partition("@")
    if base in JUXTA_VARIANTS:
        project = corpus / base
        command = [str(binaries[label or None]), "build", "-q", "--root", str(project), "--out", str(out)]
        return Tool(name, command, "s*/p*/index.html", project, "templates/page.html", f"content/{middle}")
    if name == "hugo":
        project = corpus / "hugo"
        command = ["hugo", "--quiet", "--source", str(project), "--destination", str(out)]
        return Tool(name, command, "s*/p*/index.html", project, "layouts/_default/single.html", f"content/{middle}")
    if name == "mdbook":
        mdbook = shutil.which("mdbook") or str(Path.home() / ".cargo/bin/mdbook")
        return Tool(name, [mdbook, "build", str(corpus / "mdbook"), "--dest-dir", str(out)], "s*/p*.html", None)
    if name == "floor":
        return Tool(name, [str(FLOOR), str(corpus / "juxta/content"), str(out)], "s*/p*.html", None)
    sys.exit(f"unknown tool `{name}`")


def available(command):
    return Path(command).exists() or shutil.which(command) is not None


def storage(path):
    """The file system under `path`, as the tables name it: `tmpfs`, or `disk (ext4)`."""
    found = subprocess.run(["findmnt", "-n", "-o", "FSTYPE", "-T", str(path)], capture_output=True, text=True)
    # A folder under stacked mounts is listed once per mount, in the order they were made: the
    # last is the one in use.
    fstype = (found.stdout.split() or ["unknown"])[-1]
    return fstype if fstype in ("tmpfs", "ramfs") else f"disk ({fstype})"


class Edits:
    """The changes a build kind makes to a tool's sources before each run, undone at the end."""

    def __init__(self):
        self.count = 0
        self.originals = {}

    def before(self, t, kind):
        self.count += 1
        if kind == "over":
            path = t.project / t.template
            self._keep(path)
            text = self.originals[path].replace("<main>", f'<main data-build="{self.count}">', 1)
            path.write_text(text, encoding="utf-8")
        elif kind == "edit":
            path = t.project / t.page
            self._keep(path)
            path.write_text(self.originals[path] + f"\nA sentence edited before build {self.count}.\n", encoding="utf-8")

    def _keep(self, path):
        if path not in self.originals:
            self.originals[path] = path.read_text(encoding="utf-8")

    def undo(self):
        for path, text in self.originals.items():
            path.write_text(text, encoding="utf-8")
        self.originals.clear()


def sync():
    started = time.perf_counter()
    os.sync()
    return time.perf_counter() - started


def run_once(t, out, kind, edits, syncing):
    """One build: (wall seconds, CPU seconds, peak RSS in KiB, writeback seconds)."""
    edits.before(t, kind)
    if kind == "fresh":
        shutil.rmtree(out, ignore_errors=True)
    if syncing:
        sync()
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", *t.command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"`{' '.join(t.command)}` failed:\n{result.stderr[-3000:]}")
    writeback = sync() if syncing else 0.0
    fields = dict(line.strip().rsplit(": ", 1) for line in result.stderr.splitlines() if ": " in line)
    cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    return wall, cpu, int(fields["Maximum resident set size (kbytes)"]), writeback


def measure(step, runs, slow, syncing):
    """Every tool of `step` ({shown name: (Tool, out, n)}) built the same way. The counted runs go
    round the tools in turn, so that on a shared, noisy machine each tool meets the same slow and
    fast spells and the ratios stay fair."""
    kind, where, entries = step["kind"], step["storage"], step["tools"]
    edits = Edits()
    samples, counted = {}, []
    try:
        for shown, (t, out, n) in entries.items():
            warm_up = run_once(t, out, kind, edits, syncing)  # page cache, lazy statics, CPU frequency
            produced = len(list(out.glob(t.pattern)))
            if produced != n:
                sys.exit(f"{t.name} produced {produced} pages of {n}")
            if warm_up[0] > slow:
                # A tool this slow is not noise-bound: its one run is the figure.
                print(f"  {shown} took {warm_up[0]:.0f} s; counting that single run", file=sys.stderr)
                samples[shown] = [warm_up]
            else:
                samples[shown] = []
                counted.append(shown)
        for _ in range(runs):
            for shown in counted:
                t, out, _ = entries[shown]
                samples[shown].append(run_once(t, out, kind, edits, syncing))
    finally:
        edits.undo()
    results = []
    for shown, (t, out, n) in entries.items():
        walls = [s[0] for s in samples[shown]]
        results.append({
            "tool": shown,
            "n": n,
            "storage": where,
            "build": kind,
            "runs": len(walls),
            "median": statistics.median(walls),
            "min": min(walls),
            "max": max(walls),
            "cpu": statistics.median(s[1] for s in samples[shown]),
            "rss_mib": max(s[2] for s in samples[shown]) / 1024,
            "writeback": statistics.median(s[3] for s in samples[shown]),
        })
    return results


def ensure_corpus(base, n, variants):
    """The corpus of `n` pages under `base`, with the juxta variants named (all if `True`)."""
    corpus = base / str(n)
    names = ["juxta-defaults", "juxta-no-hl", *FLOOR_PEERS] if variants is True else list(variants or [])
    # A corpus written by another version of corpus.py is written again.
    stamp = hashlib.sha256((REPO / "bench/corpus.py").read_bytes()).hexdigest()
    stamp_file = corpus / "corpus.sha256"
    current = stamp_file.exists() and stamp_file.read_text() == stamp
    if not current or not all((corpus / w / "site.toml").exists() for w in ["juxta", *names]):
        shutil.rmtree(corpus, ignore_errors=True)
        print(f"writing the {n:,}-page corpus under {base}…", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(REPO / "bench/corpus.py"), str(n), str(corpus), "--variants", ",".join(names)],
            check=True,
        )
        stamp_file.write_text(stamp)
    return corpus


def ratio(x):
    """A ratio with two significant digits for small values, two decimals otherwise."""
    return f"{x:.2g}" if x < 0.1 else f"{x:.2f}"


def same_conditions(a, b):
    return (a["n"], a["storage"], a["build"]) == (b["n"], b["storage"], b["build"])


def table(results):
    """Every build, with each juxta build's ratios to the peers built in the same conditions."""
    peers = [p for p in PEERS if any(r["tool"] == p for r in results)]
    writeback = any(not r["storage"].startswith("tmpfs") for r in results)
    head = "| Pages | Storage | Build | Tool | Runs | Median | Min | Max | CPU | Peak RSS |"
    rule = "|---:|---|---|---|---:|---:|---:|---:|---:|---:|"
    if writeback:
        head, rule = head + " Writeback |", rule + "---:|"
    for p in peers:
        head, rule = head + f" ÷ {p} (time) | ÷ {p} (RSS) |", rule + "---:|---:|"
    lines = [head, rule]
    for r in results:
        if variant(r["tool"]) in ("floor", *FLOOR_PEERS):
            continue
        line = (
            f"| {r['n']:,} | {r['storage']} | {r['build']} | {r['tool']} | {r['runs']} | {r['median']:.2f} s "
            f"| {r['min']:.2f} s | {r['max']:.2f} s | {r['cpu']:.2f} s | {r['rss_mib']:.0f} MiB |"
        )
        if writeback:
            line += " |" if r["storage"].startswith("tmpfs") else f" {r['writeback']:.2f} s |"
        for p in peers:
            peer = next((q for q in results if q["tool"] == p and same_conditions(q, r)), None)
            if peer and variant(r["tool"]) in JUXTA_VARIANTS:
                line += f" {ratio(r['median'] / peer['median'])} | {ratio(r['rss_mib'] / peer['rss_mib'])} |"
            else:
                line += " | |"
        lines.append(line)
    return "\n".join(lines)


def floor_table(results):
    """juxta without navigation against the floor, per size and storage."""
    lines = [
        "| Pages | Storage | Build | Runs | Median | Min | Max | Peak RSS | ÷ floor (time) |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if variant(r["tool"]) not in ("floor", *FLOOR_PEERS):
            continue
        floor = next((f for f in results if f["tool"] == "floor" and same_conditions(f, r)), None)
        times = ratio(r["median"] / floor["median"]) if floor and r["tool"] != "floor" else ""
        lines.append(
            f"| {r['n']:,} | {r['storage']} | {r['tool']} | {r['runs']} | {r['median']:.2f} s | {r['min']:.2f} s "
            f"| {r['max']:.2f} s | {r['rss_mib']:.0f} MiB | {times} |"
        )
    return "\n".join(lines)


def shares_table(results):
    """Highlighting's and the search index's shares of a default build's CPU time, for each juxta
    binary measured (`juxta-defaults@LABEL` against `juxta-no-hl@LABEL` and `juxta@LABEL`)."""
    lines = [
        "| Pages | Storage | Build | Tool | Default build (CPU) | Highlighting | Search index |",
        "|---:|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        if variant(r["tool"]) != "juxta-defaults":
            continue
        suffix = r["tool"].removeprefix("juxta-defaults")
        found = {q["tool"]: q for q in results if same_conditions(q, r)}

        def share(without):
            if without + suffix not in found:
                return ""
            saved = r["cpu"] - found[without + suffix]["cpu"]
            return f"{saved:.2f} s ({saved / r['cpu']:.0%})"

        if share("juxta-no-hl") or share("juxta"):
            lines.append(
                f"| {r['n']:,} | {r['storage']} | {r['build']} | {r['tool']} | {r['cpu']:.2f} s "
                f"| {share('juxta-no-hl')} | {share('juxta')} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def plan(args, storages):
    """The steps, each a set of tools built the same way on one storage, at one size (or the big
    size in turn with the largest other)."""
    wanted = args.tools.split(",")
    wanted += [f"{w}@{label}" for label in args.binaries if label for w in wanted if w in JUXTA_VARIANTS]
    steps = []
    for where, base in storages:
        for n in [int(n) for n in args.sizes.split(",")]:
            for kind in args.builds.split(","):
                names = [w for w in wanted if kind == "fresh" or variant(w) not in FRESH_ONLY]
                steps.append({"storage": where, "base": base, "kind": kind, "runs": args.runs,
                              "tools": {w: (w, n) for w in names}})
        if args.big:
            largest = max(int(n) for n in args.sizes.split(","))
            for kind in args.big_builds.split(","):
                tools = {}
                for w in args.big_tools.split(","):
                    tools[w] = (w, args.big)
                    tools[w + SCALE] = (w, largest)
                steps.append({"storage": where, "base": base, "kind": kind, "runs": args.big_runs, "tools": tools})
    return steps


def run_step(step, args):
    entries = {}
    for shown, (name, n) in step["tools"].items():
        variants = {variant(w) for w, _ in step["tools"].values()} & set(JUXTA_VARIANTS) - {"juxta"}
        corpus = ensure_corpus(step["base"], n, sorted(variants))
        t = tool(name, corpus, step["base"] / f"out-{name}-{n}", n, args.binaries)
        if not available(t.command[0]):
            print(f"skipping {name}: `{t.command[0]}` is not installed", file=sys.stderr)
            continue
        entries[shown] = (t, step["base"] / f"out-{name}-{n}", n)
    by_size = {}
    for shown, (_, _, n) in entries.items():
        by_size.setdefault(n, []).append(shown)
    described = "; ".join(f"{', '.join(names)} at {n:,} pages" for n, names in by_size.items())
    print(f"[{step['storage']}, {step['kind']}] {described}: {step['runs']} runs each, in turn…", file=sys.stderr)
    return measure({**step, "tools": entries}, step["runs"], args.slow, not args.no_sync)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes built by every tool")
    parser.add_argument("--runs", type=int, default=5, help="counted runs per tool, size, storage and build")
    parser.add_argument("--builds", default="fresh,over,edit,same", help=f"of {', '.join(BUILDS)}")
    parser.add_argument("--tools", default=DEFAULT_TOOLS)
    parser.add_argument("--big", type=int, default=100000, help="a size built by the --big-tools alone (0: none)")
    parser.add_argument("--big-runs", type=int, default=3)
    parser.add_argument("--big-tools", default="juxta-defaults")
    parser.add_argument("--big-builds", default="over")
    parser.add_argument("--dir", type=Path, action="append",
                        help="where the corpus and outputs live, once per storage "
                             "(default: /dev/shm/juxta-bench and /var/tmp/juxta-bench)")
    parser.add_argument("--no-sync", action="store_true", help="neither sync before a run nor time the writeback")
    parser.add_argument("--slow", type=float, default=60, help="a warm-up longer than this many seconds is the only run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--juxta", type=Path, help="this juxta binary instead of building target/release/juxta")
    parser.add_argument("--binary", action="append", default=[], metavar="LABEL=PATH",
                        help="another juxta binary, measured as VARIANT@LABEL beside each juxta variant")
    args = parser.parse_args()
    args.binaries = {None: (args.juxta or JUXTA).resolve()}
    for given in args.binary:
        label, _, path = given.partition("=")
        if not label or not path or "@" in label or not Path(path).is_file():
            sys.exit(f"--binary `{given}`: expected LABEL=PATH naming an existing juxta binary")
        args.binaries[label] = Path(path).resolve()
    unknown = set(args.builds.split(",") + args.big_builds.split(",")) - set(BUILDS)
    if unknown:
        sys.exit(f"unknown builds: {', '.join(sorted(unknown))}; the builds are {', '.join(BUILDS)}")

    if not args.juxta:
        subprocess.run(["cargo", "build", "--release", "--bin", "juxta", "--example", "floor"], cwd=REPO, check=True)
    dirs = args.dir or [Path("/dev/shm/juxta-bench"), Path("/var/tmp/juxta-bench")]
    storages = []
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
        storages.append((storage(d), d))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    started = time.strftime("%Y-%m-%d %H:%M")
    load_before = os.getloadavg()
    results = []
    for step in plan(args, storages):
        results.extend(run_step(step, args))

    print(table([r for r in results if not r["tool"].endswith(SCALE)]))
    if any(r["tool"] == "floor" for r in results):
        print()
        print(floor_table(results))
    shares = shares_table(results)
    if shares:
        print("\nWhere a default build's CPU time goes (CPU time of juxta-defaults less juxta-no-hl, "
              "and less juxta):\n")
        print(shares)
    for peer in [r for r in results if r["tool"].endswith(SCALE)]:
        name = peer["tool"].removesuffix(SCALE)
        big = next(r for r in results if r["tool"] == name and r["n"] == args.big and same_conditions(
            r, {**peer, "n": args.big}))
        print(
            f"\n{name} {peer['n']:,} → {big['n']:,} pages ({peer['storage']}, {peer['build']}), time ratio: "
            f"{big['median'] / peer['median']:.1f} (medians of {big['runs']} runs of each, in turn)"
        )
    kinds = {r["build"] for r in results}
    print("\nBuilds: " + "; ".join(f"{k}: {v}" for k, v in BUILDS.items() if k in kinds))
    print("Storage: " + "; ".join(f"{w} at {d}" for w, d in storages))
    load_after = os.getloadavg()
    print(
        f"{os.cpu_count()} cores; juxta {args.juxta or commit.stdout.strip()}"
        + "".join(f", {label}: {path}" for label, path in args.binaries.items() if label)
        + f"; started {started}; load average "
        f"(1, 5, 15 min) {', '.join(f'{x:.1f}' for x in load_before)} before, "
        f"{', '.join(f'{x:.1f}' for x in load_after)} after"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
