#!/usr/bin/env python3
"""Measures `juxta serve`: the time from saving a file to the reload event reaching an open page,
on the benchmark corpus (10,000 pages by default), as the median over several saves of each kind:

- body: one page's Markdown body changes (that page is rendered again);
- title: one page's title changes (its section and the section's 100 pages are rendered again);
- template: page.html changes (every page is rendered again).

    python3 bench/serve.py                           # 10,000 pages, 15 saves of each kind
    python3 bench/serve.py --pages 1000 --saves 5

The corpus comes from bench/corpus.py (as for bench/run.py) and is copied to a scratch folder
under --dir (default /dev/shm/juxta-bench, memory-backed) before the saves edit it. The server is
the release build, on a free port of 127.0.0.1; the clock starts when the saved file is closed
and stops when the `reload` event arrives on an open event stream (what a browser tab receives).
Each save waits for the previous reload and a short pause, so saves never overlap.
"""

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import JUXTA, REPO, ensure_corpus  # noqa: E402


class Events:
    """An open `/__juxta/events` stream (HTTP/1.0, so the body is not chunked)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.sendall(f"GET /__juxta/events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.buffer = b""
        head = self._read_until(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n")[0]:
            sys.exit(f"the event stream was refused: {head!r}")

    def _read_until(self, marker):
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                sys.exit("the event stream ended")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def next(self):
        """The name of the next event."""
        while True:
            block = self._read_until(b"\n\n").decode()
            for line in block.splitlines():
                if line.startswith("event:"):
                    return line[len("event:"):].strip()


def get(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.decode(errors="replace")


def start(site):
    server = subprocess.Popen(
        [str(JUXTA), "serve", "--root", str(site), "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    log = []
    for line in server.stderr:
        log.append(line)
        match = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
        if match:
            return server, int(match.group(1)), log
    sys.exit("juxta serve stopped before listening:\n" + "".join(log))


def save(path, text):
    """Writes `text` to `path` and returns the time the file was closed."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return time.perf_counter()


def measure(kind, site, port, events, saves, pause):
    """Times `saves` saves of one kind; returns the seconds from save to reload for each."""
    pages = sorted((site / "content").glob("s*/p*.md"))
    template = site / "templates/page.html"
    original_template = template.read_text(encoding="utf-8")
    times = []
    for i in range(saves):
        page = pages[(i * 7919) % len(pages)]
        text = page.read_text(encoding="utf-8")
        marker = f"{kind}-edit-{i}"
        if kind == "body":
            saved = save(page, text + f"\n\nA sentence added by the benchmark: {marker}.\n")
        elif kind == "title":
            saved = save(page, re.sub(r'title = "([^"]*)"', f'title = "\\1 {marker}"', text, count=1))
        else:
            saved = save(template, original_template.replace("<main>", f"<main data-edit=\"{marker}\">", 1))
        wait_for_reload(events, kind)
        times.append(time.perf_counter() - saved)
        url = "/" + str(page.relative_to(site / "content")).removesuffix(".md") + "/"
        if marker not in get(port, url):
            sys.exit(f"{url} does not show the {kind} save after the reload")
        time.sleep(pause)
    if kind == "template":
        template.write_text(original_template, encoding="utf-8")
        wait_for_reload(events, kind)
    return times


def wait_for_reload(events, kind):
    while True:
        name = events.next()
        if name == "reload":
            return
        if name == "failed":
            sys.exit(f"the rebuild after a {kind} save failed")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10000, help="corpus size")
    parser.add_argument("--saves", type=int, default=15, help="saves of each kind")
    parser.add_argument("--kinds", default="body,title,template")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between saves")
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm/juxta-bench"))
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--bin", "juxta"], cwd=REPO, check=True)
    args.dir.mkdir(parents=True, exist_ok=True)
    corpus = ensure_corpus(args.dir, args.pages, variants=False)
    site = args.dir / f"serve-{args.pages}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(corpus / "juxta", site)

    server, port, log = start(site)
    try:
        events = Events(port)
        if events.next() != "hello":
            sys.exit("the event stream did not start with `hello`")
        print(f"juxta serve, {args.pages:,} pages, {args.saves} saves of each kind, corpus on {args.dir}",
              file=sys.stderr)
        print("| Save | Saves | Median | Min | Max |")
        print("|---|---:|---:|---:|---:|")
        for kind in args.kinds.split(","):
            times = measure(kind, site, port, events, args.saves, args.pause)
            ms = [t * 1000 for t in times]
            print(f"| {kind} | {len(ms)} | {statistics.median(ms):.0f} ms | {min(ms):.0f} ms | {max(ms):.0f} ms |")
        status = Path(f"/proc/{server.pid}/status")
        if status.exists():
            peak = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
            print(f"\npeak memory of the server: {int(peak.split()[1]) // 1024} MiB", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(site, ignore_errors=True)
    rebuilt = [line.strip() for line in log + list(server.stderr) if "changed: rendered" in line]
    print("\nthe server's rebuilds:\n  " + "\n  ".join(rebuilt), file=sys.stderr)


if __name__ == "__main__":
    main()
