#!/usr/bin/env python3
"""Measures how juxta loads large data files: a comparison dataset with many subjects and one
with many dimensions, each written as TOML and as the same data in JSON, and two large CSV files
(short cells: numbers, flags and codes; text cells: sentences). Prints the median wall and CPU
(user + system) time and the peak RSS of a build of each, and checks the targets:

- a TOML dataset loads within 3 times the time of the same dataset in JSON (the two formats are
  read by different parsers; both must grow linearly with the file); CPU time is compared, which
  other work on a shared machine disturbs less than wall time;
- a CSV file no template reads peaks at no more than 4 times its size in memory (the whole
  build's peak RSS, less that of the same site without the file): it is checked row by row and
  not kept.

The same two CSV files read by a template (`{{ data.big | length }}` on the home page) are
measured too, without a target: each row kept for templates costs about 0.7 KiB.

    python3 bench/data.py                       # 5,000 subjects, 10,000 dimensions, 50 MiB CSVs
    python3 bench/data.py --subjects 1000 --dimensions 2000 --csv-mib 10 --runs 1
    python3 bench/data.py --juxta target/debug/juxta

Uses the release binary (target/release/juxta) unless --juxta says otherwise, and GNU time at
/usr/bin/time (Debian package `time`). Sites and outputs live under --dir (default
/dev/shm/juxta-data-bench). Exits with 1 when a target is missed.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ site.title }}</title></head>
<body>{% if page %}{{ page.content }}{% else %}{{ section.content }}{% endif %}</body></html>
"""


def skeleton(root, reads=False):
    """A site of one page and four one-line templates, around whatever `data/` holds; with
    `reads`, the home page's template reads `data.big`."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "templates").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "site.toml").write_text('title = "Data benchmark"\nbase_url = "https://example.com/"\n')
    (root / "content/_index.md").write_text('+++\ntitle = "Home"\n+++\nData.\n')
    for name in ["index.html", "section.html", "page.html", "404.html"]:
        read = "<p>{{ data.big | length }} rows</p>\n" if reads and name == "index.html" else ""
        (root / "templates" / name).write_text(TEMPLATE + read)


def comparison(subjects, dimensions):
    """A comparison dataset as a Python value: every type of value, some with notes."""
    ids = [f"s{i}" for i in range(subjects)]
    kinds = ["text", "rating", "boolean", "number"]
    rows = []
    for d in range(dimensions):
        kind = kinds[d % 4]
        row = {"id": f"d{d}", "label": f"Dimension {d}", "summary": f"What dimension {d} measures"}
        if kind != "text":
            row["type"] = kind
        if kind == "rating":
            row["scale"] = "level"
        if kind == "number":
            row["unit"] = "ms"
        values = {}
        for i, s in enumerate(ids):
            value = {"text": f"Value {d}/{i}", "rating": 1 + (i + d) % 3, "boolean": (i + d) % 2 == 0,
                     "number": i * 10 + d}[kind]
            values[s] = {"value": value, "note": f"Note {i}"} if i % 5 == 0 else value
        row["values"] = values
        rows.append(row)
    return {
        "kind": "comparison",
        "title": f"{subjects} subjects on {dimensions} dimensions",
        "scales": {"level": {"min": 1, "max": 3}},
        "subjects": [{"id": s, "name": f"Subject {s}"} for s in ids],
        "dimensions": rows,
    }


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def to_toml(dataset):
    """The dataset as an author writes it: arrays of tables, one `values.<id>` line per value."""
    lines = [f"{k} = {toml_value(v)}" for k, v in dataset.items() if isinstance(v, str)]
    lines.append("\n[scales.level]\nmin = 1\nmax = 3")
    for subject in dataset["subjects"]:
        lines.append("\n[[subjects]]")
        lines.extend(f"{k} = {toml_value(v)}" for k, v in subject.items())
    for row in dataset["dimensions"]:
        lines.append("\n[[dimensions]]")
        for k, v in row.items():
            if k == "values":
                lines.extend(f"values.{s} = {toml_value(x)}" for s, x in v.items())
            else:
                lines.append(f"{k} = {toml_value(v)}")
    return "\n".join(lines) + "\n"


WORDS = "sensor gateway network protocol battery signal range device message cloud edge".split()


def csv_text(mib, shape):
    """About `mib` MiB of CSV. `short`: seven short cells a row (integers, decimals, booleans, a
    code, a name and an optional note); `text`: an id and three cells of a sentence each."""
    header = "id,name,count,ratio,ok,code,note\n" if shape == "short" else "id,summary,detail,note\n"
    rows, size, i = [header], len(header), 0
    while size < mib * 1024 * 1024:
        if shape == "short":
            note = '"a note, quoted"' if i % 3 == 0 else ""
            row = f"{i},Item number {i},{i * 7},{i / 8},{'true' if i % 2 else 'false'},{i % 1000:05},{note}\n"
        else:
            words = [WORDS[(i * k) % len(WORDS)] for k in range(1, 13)]
            row = f"{i},The {' '.join(words[:5])} of item {i},\"{', '.join(words[5:9])}, and more\",{' '.join(words[9:])}\n"
        rows.append(row)
        size += len(row)
        i += 1
    return "".join(rows)


def make_sites(base, args):
    """Each case's site: name → (root, bytes of the data file, rows of a CSV file)."""
    sites = {}
    shapes = {"subjects": (args.subjects, 3), "dimensions": (2, args.dimensions)}
    for shape, (subjects, dimensions) in shapes.items():
        dataset = comparison(subjects, dimensions)
        for fmt, text in [("toml", to_toml(dataset)), ("json", json.dumps(dataset, indent=1))]:
            root = base / f"{shape}-{fmt}"
            skeleton(root)
            (root / "data" / f"big.{fmt}").write_text(text)
            sites[f"{shape}-{fmt}"] = (root, len(text.encode()), 0)
    for shape in ["short", "text"]:
        text = csv_text(args.csv_mib, shape)
        for name, reads in [(f"csv-{shape}", False), (f"csv-{shape}-read", True)]:
            root = base / name
            skeleton(root, reads)
            (root / "data/big.csv").write_text(text)
            sites[name] = (root, len(text.encode()), text.count("\n") - 1)
    root = base / "empty"
    skeleton(root)
    sites["empty"] = (root, 0, 0)
    return sites


def build(juxta, root, out):
    """One build: (wall seconds, CPU seconds, peak RSS in KiB)."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %U %S %M", juxta, "build", "-q", "--root", str(root), "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    if result.returncode != 0:
        sys.exit(f"building {root} failed:\n{result.stderr[-3000:]}")
    wall, user, system, rss = result.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(rss)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=5000, help="subjects of the wide dataset")
    parser.add_argument("--dimensions", type=int, default=10000, help="dimensions of the long dataset")
    parser.add_argument("--csv-mib", type=int, default=50, help="size of the CSV file")
    parser.add_argument("--runs", type=int, default=3, help="counted builds of each site")
    parser.add_argument("--juxta", default=str(REPO / "target/release/juxta"))
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm/juxta-data-bench"))
    args = parser.parse_args()
    sites = make_sites(args.dir, args)
    results = {}
    for name, (root, size, rows) in sites.items():
        samples = [build(args.juxta, root, args.dir / "out" / name) for _ in range(args.runs)]
        results[name] = {
            "wall": statistics.median(s[0] for s in samples),
            "cpu": statistics.median(s[1] for s in samples),
            "rss": max(s[2] for s in samples) * 1024,
            "size": size,
            "rows": rows,
        }
    print("| site | data file | wall (median) | CPU (median) | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['size'] / 2**20:.1f} MiB | {r['wall']:.2f} s | {r['cpu']:.2f} s | {r['rss'] / 2**20:.0f} MiB |")
    missed = []
    print()
    for shape in ["subjects", "dimensions"]:
        toml, json_ = results[f"{shape}-toml"], results[f"{shape}-json"]
        ratio = toml["cpu"] / max(json_["cpu"], 0.01)
        print(f"TOML / JSON, many {shape}: {ratio:.2f} in CPU time, {toml['wall'] / max(json_['wall'], 0.01):.2f} in wall time (target: at most 3)")
        if ratio > 3:
            missed.append(f"many {shape}")
    for shape in ["short", "text"]:
        csv = results[f"csv-{shape}"]
        factor = (csv["rss"] - results["empty"]["rss"]) / csv["size"]
        print(f"CSV of {shape} cells: peak memory over an empty site {factor:.2f} × the file (target: at most 4)")
        if factor > 4:
            missed.append(f"CSV memory ({shape} cells)")
        read = results[f"csv-{shape}-read"]
        factor = (read["rss"] - results["empty"]["rss"]) / read["size"]
        per_row = (read["rss"] - results["empty"]["rss"]) / read["rows"] / 1024
        print(f"CSV of {shape} cells read by a template: {factor:.2f} × the file, {per_row:.2f} KiB a row (no target)")
    if missed:
        sys.exit(f"missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
