#!/usr/bin/env python3
"""Image processing in a build: a site of 20 pages showing 200 images (10 each, 1600 x 1000 pixels),
built cold (no cache, every variant encoded) and cached (the cache of an earlier build kept: only the
originals are read and hashed), several times each; prints the median, min and max wall time as a
Markdown table, with juxta's own figures for the image work (`juxta build -v`).

    python3 bench/images.py                        # 200 images, 3 runs each, juxta from target/release
    python3 bench/images.py --images 40 --runs 1 --binary target/debug/juxta

The originals are JPEG photographs drawn with Pillow when it is installed (`pip install pillow`),
otherwise PNG drawings written by this script alone (which juxta encodes losslessly, a slower path).
Everything lives under --dir (default /dev/shm/juxta-bench-images); the cache is put there with
JUXTA_CACHE_DIR.
"""

import argparse
import os
import shutil
import statistics
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1600, 1000


def png(path, seed):
    """A PNG of bands and gradients, different for each seed, written with zlib alone."""
    base = bytes((x * 7 + seed * 13) % 256 for x in range(WIDTH * 3 * 2))
    rows = []
    for y in range(HEIGHT):
        offset = (y * (seed % 5 + 1) * 3) % (WIDTH * 3)
        rows.append(b"\x00" + base[offset:offset + WIDTH * 3])
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"".join(rows), 1)) + chunk(b"IEND", b""))


def jpeg(path, seed, Image):
    """A JPEG with the smooth gradients and noise of a photograph."""
    import random
    rnd = random.Random(seed)
    small = Image.new("RGB", (16, 10))
    small.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(160)])
    big = small.resize((WIDTH, HEIGHT), Image.BICUBIC)
    noise = Image.effect_noise((WIDTH, HEIGHT), 24).convert("RGB")
    Image.blend(big, noise, 0.12).save(path, quality=85)


def make_site(root, images):
    """A new site (`juxta init`) with `images` pictures over pages of ten."""
    try:
        from PIL import Image
    except ImportError:
        Image = None
    subprocess.run([str(JUXTA), "init", str(root)], check=True, stdout=subprocess.DEVNULL)
    gallery = root / "content" / "gallery"
    gallery.mkdir(parents=True)
    (gallery / "_index.md").write_text('+++\ntitle = "Gallery"\n+++\nEvery picture.\n')
    ext = "jpg" if Image else "png"
    for i in range(images):
        name = gallery / f"picture-{i:03}.{ext}"
        jpeg(name, i, Image) if Image else png(name, i)
    for page in range((images + 9) // 10):
        shown = "\n\n".join(f"![Picture {i}](picture-{i:03}.{ext})"
                            for i in range(page * 10, min(images, page * 10 + 10)))
        (gallery / f"page-{page:02}.md").write_text(f'+++\ntitle = "Pictures {page}"\n+++\n{shown}\n')
    return "JPEG" if Image else "PNG"


def build(root, out, cache):
    env = dict(os.environ, JUXTA_CACHE_DIR=str(cache))
    started = time.perf_counter()
    result = subprocess.run([str(JUXTA), "build", "-v", "--root", str(root), "--out", str(out)],
                            env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"the build failed:\n{result.stderr}")
    return took


def main():
    global JUXTA
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm/juxta-bench-images"))
    parser.add_argument("--binary", type=Path, default=REPO / "target/release/juxta")
    args = parser.parse_args()
    JUXTA = args.binary.resolve()
    if not JUXTA.exists():
        sys.exit(f"{JUXTA} is missing: build it with `cargo build --release`")
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    root, out, cache = args.dir / "site", args.dir / "public", args.dir / "cache"
    kind = make_site(root, args.images)
    size = sum(f.stat().st_size for f in (root / "content" / "gallery").iterdir())
    times = {"cold": [], "cached": []}
    for _ in range(args.runs):
        shutil.rmtree(cache, ignore_errors=True)
        times["cold"].append(build(root, out, cache))
        times["cached"].append(build(root, out, cache))
    variants = len(list((out / "gallery").glob("*.webp")))
    print(f"{args.images} {kind} originals of {WIDTH} x {HEIGHT} ({size / 1e6:.0f} MB), {variants} WebP "
          f"variants, {JUXTA.relative_to(REPO) if JUXTA.is_relative_to(REPO) else JUXTA}, {os.cpu_count()} cores\n")
    print("| build | median | min | max |\n|---|---|---|---|")
    for name, runs in times.items():
        print(f"| {name} | {statistics.median(runs):.2f} s | {min(runs):.2f} s | {max(runs):.2f} s |")


if __name__ == "__main__":
    main()
