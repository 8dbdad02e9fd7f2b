#!/usr/bin/env python3
"""Measures juxta's search index: its size (total bytes, bytes per page, largest shard) and the
time from the first keystroke to the first results in headless Chromium, for the repository's
site and for the benchmark corpus (10,000 pages by default).

    python3 bench/search.py                  # the flagship site and the 10,000-page corpus
    python3 bench/search.py --pages 1000 --runs 3

The corpus's templates have no search box, so a page holding the flagship's search box (and
nothing else) is added to its built output before it is served. Needs the release build
(`cargo build --release`), the browser tools of `scripts/test`, and GNU time. Each query runs in
a fresh page, so every figure includes loading the index's manifest and the shards it needs.
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JUXTA = REPO / "target/release/juxta"
QUERIES = ["MQTT", "protocl", "gateway", "sensor networks"]


def index_size(out):
    files = sorted((out / "search").glob("*.js"))
    index = [f for f in files if f.name != "client.js"]
    pages = len(list(out.rglob("index.html")))
    total = sum(f.stat().st_size for f in index)
    largest = max(index, key=lambda f: f.stat().st_size)
    return {
        "pages": pages,
        "files": len(index),
        "total_bytes": total,
        "bytes_per_page": round(total / max(pages, 1)),
        "largest": largest.name,
        "largest_bytes": largest.stat().st_size,
        "client_bytes": (out / "search/client.js").stat().st_size,
    }


def search_page(out):
    """A page at the root of `out` with the flagship's search box, taken from its home page."""
    home = (REPO / "public/index.html").read_text()
    box = re.search(r'<div class="search".*?</div>\n</div>\n</div>', home, re.S).group(0)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Search</title>\n'
        '<link rel="stylesheet" href="style.css">\n</head>\n<body>\n<header>' + box + "</header>\n"
        "<main><h1>Search</h1></main>\n"
        '<script src="search/client.js" defer></script>\n</body>\n</html>\n'
    )


def first_results(out, runs):
    """Median milliseconds from the keystroke to the results, per query, over `runs` runs."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}/"
    page = root + ("search-bench.html" if (out / "search-bench.html").exists() else "")
    times = {q: [] for q in QUERIES}
    counts = {}
    try:
        for _ in range(runs):
            result = subprocess.run(
                ["node", str(REPO / "test-tools/search.mjs"), page, root, *QUERIES],
                capture_output=True, text=True, check=True,
            )
            for q in json.loads(result.stdout)["queries"]:
                times[q["query"]].append(q["ms"])
                counts[q["query"]] = q["status"]
    finally:
        server.shutdown()
    return {q: {"median_ms": statistics.median(t), "status": counts[q]} for q, t in times.items()}


def build(root, out):
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([str(JUXTA), "build", "-q", "--root", str(root), "--out", str(out)], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm/juxta-bench"))
    args = parser.parse_args()
    if not JUXTA.exists():
        sys.exit("build juxta first: cargo build --release")
    subprocess.run([str(JUXTA), "build", "-q", "--root", str(REPO)], check=True)

    results = {}
    flagship = args.dir / "search-flagship"
    build(REPO, flagship)
    results["flagship"] = {"index": index_size(flagship), "first_results": first_results(flagship, args.runs)}

    corpus = args.dir / f"corpus-{args.pages}"
    if not (corpus / "juxta").exists():
        subprocess.run([sys.executable, str(REPO / "bench/corpus.py"), str(args.pages), str(corpus)], check=True)
    # The corpus leaves search off for the peer comparison; this copy turns it back on.
    with_search = args.dir / f"corpus-{args.pages}-search"
    shutil.rmtree(with_search, ignore_errors=True)
    shutil.copytree(corpus / "juxta", with_search)
    config = with_search / "site.toml"
    config.write_text(config.read_text().replace("enabled = false", "enabled = true"))
    out = args.dir / f"search-{args.pages}"
    started = time.perf_counter()
    build(with_search, out)
    build_seconds = time.perf_counter() - started
    shutil.copy(REPO / "static/style.css", out / "style.css")
    (out / "search-bench.html").write_text(search_page(out))
    results[f"corpus {args.pages}"] = {
        "build_seconds_with_search": round(build_seconds, 2),
        "index": index_size(out),
        "first_results": first_results(out, args.runs),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
