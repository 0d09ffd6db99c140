"""Benchmark: ``make_thumbnails`` against naive Pillow, for speed, peak memory and quality.

Run from the repository root: ``.venv/bin/python bench/thumbnails.py`` (about 40 s
on 2 cores). It exits non-zero when a target is missed:

* speed: >= 3x faster than naive on the 12 MP and 24 MP JPEGs, >= 1.5x on the PNG;
* peak memory: >= 3x lower than naive on the JPEGs;
* quality: mean absolute difference (MAD) < 1.5 for every 1080 and 512 thumbnail.

Inputs are generated in memory, no downloads: a 12 MP (4000x3000) and a 24 MP
(6000x4000) photo-like JPEG at quality 90 (an out-of-focus background of light,
shapes and colour clouds; sharp foreground shapes and hairlines; fine texture in
patches; sensor grain), which compress like phone photos (~2.8 and ~5.3 MB), and
a 4 MP (2000x2000) RGBA PNG of the same kind of picture cut out with a soft alpha
edge. They come out the same on every run: the shapes are seeded, and Pillow's
noise generator starts from the same state in every process.

Both paths make the sizes 64, 128, 512 and 1080 (limit 50 MP) from the same
bytes in a BytesIO. Naive Pillow opens the image, then for each size does
``im.copy()``, ``thumbnail((s, s), LANCZOS)`` and saves to a BytesIO in the same
format (JPEG at the same quality as the optimised path, PNG with Pillow's
defaults). Speed is the median of several runs of each path, interleaved so
that machine noise hits both alike, after one warm-up run each. The runs happen
in a fresh interpreter per image: in this one, the heap left over from
generating the inputs has its pages already mapped, which makes the naive
path's full-size copies look cheaper than in a process doing only this work
(for the 12 MP JPEG, ~225 ms instead of ~300 ms).

Peak memory: Pillow allocates pixels outside Python's allocator, so tracemalloc
would miss them. Each path therefore runs once in a fresh subprocess that first
imports everything, reads the input bytes and warms the codec on a tiny image
of the same format; the figure is the process's resident-set high-water mark
after the run minus the same mark before it, i.e. the extra memory the path
needed at its peak on top of the interpreter and the encoded input. The mark is
VmHWM from /proc/self/status (Linux), the same quantity as getrusage's
ru_maxrss except that ru_maxrss carries over the parent's peak across exec, and
this parent holds several hundred MB of generated pixels.

Quality: the reference is the fully decoded original resized in one step with
LANCZOS to the thumbnail's exact size. A JPEG thumbnail is lossy, so the
reference goes through the same encoder (format and quality) before comparing
decoded pixels: the MAD then measures what the optimisations (DCT-domain
downscale, cascade, reducing gap) change, not JPEG's own loss, which is printed
separately for scale. MAD is in grey levels (0-255), averaged over all channels.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

ROOT = Path(__file__).resolve().parent.parent
SIZES = [64, 128, 512, 1080]
MAX_PIXELS = 50_000_000
RUNS = 9
LANCZOS = Image.Resampling.LANCZOS
SPEED_TARGETS = {"jpeg12mp": 3.0, "jpeg24mp": 3.0, "png4mp": 1.5}
MEMORY_TARGETS = {"jpeg12mp": 3.0, "jpeg24mp": 3.0}
MAD_TARGET = 1.5


# Import from the repository root rather than from bench/, whose http.py would
# hide the standard library's from Flask. Importing the package builds no app.
sys.path[0] = str(ROOT)
from bench.photos import encoded, make_inputs  # noqa: E402
from portfolio_service.media import thumbnails  # noqa: E402

# -- the two paths ---------------------------------------------------------------------------------


def save_params(format: str) -> dict[str, object]:
    return {"quality": thumbnails.JPEG_QUALITY} if format == "JPEG" else {}


def naive(data: bytes) -> list[bytes]:
    """What one would write first: every size from a copy of the full image."""
    image = Image.open(io.BytesIO(data))
    params = save_params(image.format)
    out = []
    for size in SIZES:
        thumbnail = image.copy()
        thumbnail.thumbnail((size, size), LANCZOS)
        out.append(encoded(thumbnail, image.format, **params))
    return out


def optimised(data: bytes) -> list[bytes]:
    result = thumbnails.make_thumbnails(io.BytesIO(data), SIZES, MAX_PIXELS)
    assert result is not None
    return [thumbnail.data for thumbnail in result[1]]


PATHS: dict[str, Callable[[bytes], list[bytes]]] = {"naive": naive, "optimised": optimised}


def timings(data: bytes) -> dict[str, float]:
    """Median milliseconds per image of each path, runs interleaved after one warm-up each."""
    times: dict[str, list[float]] = {name: [] for name in PATHS}
    for run in PATHS.values():
        run(data)
    for _ in range(RUNS):
        for name, run in PATHS.items():
            start = time.perf_counter()
            run(data)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def in_child(*arguments: str) -> list[float]:
    """Run this script's ``--child`` mode in a fresh interpreter and return the numbers it prints."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", *arguments], capture_output=True, text=True, check=True
    )
    return [float(number) for number in result.stdout.split()]


def peak_rss_kib() -> int:
    """This process's resident-set high-water mark in KiB (VmHWM, Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(task: str, *arguments: str) -> None:
    """The subprocess side: ``timing FILE`` prints both paths' ms, ``memory PATH FILE`` one path's peak MB."""
    data = Path(arguments[-1]).read_bytes()
    if task == "timing":
        ms = timings(data)
        print(ms["naive"], ms["optimised"])
        return
    path = PATHS[arguments[0]]
    format = Image.open(io.BytesIO(data)).format
    mode, colour = ("RGBA", (90, 120, 150, 200)) if format == "PNG" else ("RGB", (90, 120, 150))
    # A first tiny run loads the codecs and plugins outside the count.
    path(encoded(Image.new(mode, (32, 32), colour), format))
    gc.collect()
    before = peak_rss_kib()
    path(data)
    print((peak_rss_kib() - before) / 1024)


# -- quality ---------------------------------------------------------------------------------------


def mad(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference in grey levels over all pixels and channels."""
    assert a.size == b.size and a.mode == b.mode, (a.size, b.size, a.mode, b.mode)
    return statistics.fmean(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def quality(data: bytes) -> dict[int, tuple[float, float, float]]:
    """For 1080 and 512: MAD vs the same-encoded reference, vs the raw one, and the encoder's own MAD."""
    original = Image.open(io.BytesIO(data))
    original.load()
    info, made = thumbnails.make_thumbnails(io.BytesIO(data), SIZES, MAX_PIXELS)
    out = {}
    for thumbnail in made:
        if thumbnail.size not in (512, 1080):
            continue
        ours = Image.open(io.BytesIO(thumbnail.data)).convert(original.mode)
        reference = original.resize((thumbnail.width, thumbnail.height), LANCZOS)
        same_encoding = encoded(reference, info.format, **save_params(info.format))
        reference_encoded = Image.open(io.BytesIO(same_encoding)).convert(original.mode)
        out[thumbnail.size] = (
            mad(ours, reference_encoded),
            mad(ours, reference),
            mad(reference_encoded, reference),
        )
    return out


# -- report ----------------------------------------------------------------------------------------


def main() -> int:
    start = time.perf_counter()
    inputs = make_inputs()
    sizes = ", ".join(f"{name} {len(data) / 1e6:.1f} MB" for name, data in inputs.items())
    print(f"inputs ({time.perf_counter() - start:.1f}s to make): {sizes}; sizes {SIZES}; {RUNS} runs, median")
    print()
    header = (
        f"{'image':<10} {'naive ms':>9} {'ours ms':>8} {'speed':>7} {'naive MB':>9} {'ours MB':>8} "
        f"{'memory':>7} {'MAD 1080':>9} {'MAD 512':>8}"
    )
    print(header)
    print("-" * len(header))
    rows = {}
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        for name, data in inputs.items():
            input_file = Path(folder) / name
            input_file.write_bytes(data)
            naive_ms, optimised_ms = in_child("timing", str(input_file))
            ms = {"naive": naive_ms, "optimised": optimised_ms}
            memory = {path: in_child("memory", path, str(input_file))[0] for path in PATHS}
            mads = quality(data)
            speed = ms["naive"] / ms["optimised"]
            memory_ratio = memory["naive"] / max(memory["optimised"], 0.1)
            rows[name] = (speed, memory_ratio, mads)
            print(
                f"{name:<10} {ms['naive']:>9.1f} {ms['optimised']:>8.1f} {speed:>6.2f}x "
                f"{memory['naive']:>9.1f} {memory['optimised']:>8.1f} {memory_ratio:>6.1f}x "
                f"{mads[1080][0]:>9.2f} {mads[512][0]:>8.2f}"
            )
            if speed < SPEED_TARGETS[name]:
                failures.append(f"{name} speed {speed:.2f}x < {SPEED_TARGETS[name]}x")
            if name in MEMORY_TARGETS and memory_ratio < MEMORY_TARGETS[name]:
                failures.append(f"{name} memory {memory_ratio:.2f}x < {MEMORY_TARGETS[name]}x")
            for size, (value, _, _) in mads.items():
                if value >= MAD_TARGET:
                    failures.append(f"{name} MAD {size} {value:.2f} >= {MAD_TARGET}")

    print()
    print("MAD against the unencoded reference (1080 / 512), and the encoder's own share of it:")
    for name, (_, _, mads) in rows.items():
        print(
            f"  {name:<10} {mads[1080][1]:.2f} / {mads[512][1]:.2f}"
            f"   (reference alone through the same encoder: {mads[1080][2]:.2f} / {mads[512][2]:.2f})"
        )
    print(f"total time {time.perf_counter() - start:.0f}s")
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    parts = []
    for name, (speed, memory_ratio, _) in rows.items():
        part = f"{name} {speed:.1f}x faster"
        if name in MEMORY_TARGETS:
            part += f" {memory_ratio:.1f}x less memory"
        parts.append(part)
    worst = max(value for _, _, mads in rows.values() for value, _, _ in mads.values())
    print(f"summary: {'; '.join(parts)}; max MAD {worst:.2f}{'' if not failures else '; FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(*arguments.child)
        sys.exit(0)
    sys.exit(main())
