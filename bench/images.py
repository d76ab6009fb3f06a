"""Images (tattoo/core/images.py, docs/images.md): the work per phone photo, and what the home
page transfers before and after the variants.

    python scripts/devenv.py --test -- python -m bench.images            # both parts
    python scripts/devenv.py --test -- python -m bench.images --pipeline # part 1 only

1. Pipeline, pinned to one core (``sched_setaffinity``): a 12-megapixel phone JPEG (4032 x 3024 as
   stored, Orientation 6, EXIF with GPS, XMP, IPTC; ~4 MB) and a 12-megapixel HEIC, each run 5
   times, medians:
   - the attach's work in the request: decode, turn upright, re-encode without metadata
     (``images.sanitise``);
   - the job's work: WebP variants 320/640/1280 from that copy (``images.make_variants``: JPEG
     draft decode at the smallest DCT scale covering 1280 px, then ``reduce``-first resizes);
     beside it, the same three variants made the naive way (full decode, each resized from the
     full image without ``reducing_gap``), to show what draft and reduce save;
   - images per second per worker (one core) for each side. Target: variants <= 1.5 s.
2. Home page bytes in Chromium: 24 approved artists in a fresh ``inkbook_bench`` database, each
   with one portfolio image, a ~4 MB phone photo, served by gunicorn (production settings) and a
   local S3 server. "Before": the records as attached before this pipeline (the phone's bytes;
   the page's <img> points at them, as main did). Then the images sweep re-encodes them and makes
   the variants (``images_sweep(enqueue=False)``, what ``manage.py sweep_images`` runs), and
   "after" loads the same pages. The home page shows 12 cards a page (ARTISTS_PER_PAGE), so the
   24 cards are pages 1 and 2, loaded in one browser context (CSS and scripts are cached for the
   second, as for a visitor); each page is scrolled to the bottom so every lazy image loads.
   Bytes are Chromium's own count of what crossed the wire (CDP ``Network.loadingFinished``
   ``encodedDataLength``), with the browser cache off between "before" and "after". Two
   viewports: desktop 1280 x 800 at 1x, and a phone 390 x 844 at 3x. Target: at least 10x less,
   under 1.5 MB.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, app_env, free_port, gunicorn, header, recreate_database, say

RUNS = 5
ARTISTS = 24


def _setup_django(**env: str) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tattoo.settings")
    import django

    django.setup()


def _median(fn, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _naive_variants(data: bytes, widths) -> dict[int, bytes]:
    from PIL import Image

    out = {}
    with Image.open(io.BytesIO(data)) as im:
        im = im.convert("RGB")
        for w in widths:
            small = im.resize((w, round(w * im.height / im.width)), Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            small.save(buf, "WEBP", quality=80, method=4)
            out[w] = buf.getvalue()
    return out


def pipeline() -> None:
    from tattoo.core import images
    from testing.images import heic, metadata_markers, phone_jpeg

    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    header("images: the work per 12-megapixel phone photo, one core")
    say(f"   pinned to core {core}; Pillow {__import__('PIL').__version__}, medians of {RUNS} runs")
    t0 = time.perf_counter()
    jpeg = phone_jpeg(4032, 3024, orientation=6, quality=90, grain=0.55)
    heif = heic(4032, 3024, quality=50, grain=0.55)
    say(f"   (made the inputs in {time.perf_counter() - t0:.1f} s)")
    for name, data, content_type in (("JPEG", jpeg, "image/jpeg"), ("HEIC", heif, "image/heic")):
        attach_s, clean = _median(lambda d=data, t=content_type: images.sanitise(d, content_type=t))
        widths = images.variant_widths(clean.width)
        variants_s, made = _median(lambda b=clean.body, w=widths: images.make_variants(b, w))
        naive_s, _ = _median(lambda b=clean.body, w=widths: _naive_variants(b, w), runs=3)
        say(
            f"  {name} {len(data) / 1e6:.1f} MB in, metadata {metadata_markers(data)} -> served "
            f"{clean.ext.upper()} {clean.width}x{clean.height} {len(clean.body) / 1e6:.1f} MB, "
            f"metadata {metadata_markers(clean.body)}"
        )
        sizes = ", ".join(f"{w}: {len(b) / 1000:.0f} kB" for w, b in sorted(made.items()))
        say(f"    attach (decode, upright, re-encode) {attach_s * 1000:5.0f} ms = {1 / attach_s:4.2f}/s per core")
        say(f"    variants (draft + reduce)           {variants_s * 1000:5.0f} ms = {1 / variants_s:4.2f}/s per worker")
        say(f"      {widths}: {sizes}")
        say(
            f"    variants, naive (full decode, resize) {naive_s * 1000:6.0f} ms ({naive_s / variants_s:.1f}x the time)"
        )
        say(f"    both, per image                       {(attach_s + variants_s) * 1000:6.0f} ms")


# --- part 2: the home page in Chromium ------------------------------------------------------------


def _measure(browser, base: str, *, viewport: dict, scale: float) -> dict[str, int]:
    """Bytes over the wire for home pages 1 and 2 in one context, by kind."""
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    kinds: dict[str, str] = {}
    totals: dict[str, int] = {"images": 0, "other": 0, "image requests": 0}

    def on_response(event) -> None:
        kinds[event["requestId"]] = "images" if event["type"] == "Image" else "other"

    def on_finished(event) -> None:
        kind = kinds.get(event["requestId"], "other")
        totals[kind] += int(event["encodedDataLength"])
        totals["image requests"] += kind == "images"

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    for number in (1, 2):
        page.goto(f"{base}/?page={number}", wait_until="networkidle")
        for _ in range(12):  # scroll in steps: every lazy image comes into range
            page.mouse.wheel(0, viewport["height"])
            page.wait_for_timeout(150)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
    cards = page.locator("[data-testid=artist-card]").count()
    context.close()
    totals["cards on page 2"] = cards
    return totals


def _measure_all(base: str, views: dict) -> dict[str, dict[str, int]]:
    from playwright.sync_api import sync_playwright

    from testing.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            return {label: _measure(browser, base, viewport=v, scale=scale) for label, (v, scale) in views.items()}
        finally:
            browser.close()


def home() -> None:
    from testing.images import phone_jpeg
    from testing.s3 import start_server, stop_process

    header(f"images: the home page with {ARTISTS} artist cards whose covers are ~4 MB phone photos, in Chromium")
    data_dir = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    s3_port = free_port()
    s3_env = {"S3_ACCESS_KEY_ID": "benchkey", "S3_SECRET_ACCESS_KEY": "benchsecret-0123456789"}
    s3 = start_server(port=s3_port, data_dir=data_dir, env=s3_env, log_path=data_dir / "s3.log")
    try:
        db_url = recreate_database()
        env = {**s3_env, "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}", "LOCAL_MEMORY_CACHE": "true"}
        _setup_django(DATABASE_URL=db_url, **env)
        from django.utils import timezone

        from accounts.tests.factories import TattooistFactory
        from portfolio.models import PortfolioItem
        from tattoo.core import images, uploads

        photo = phone_jpeg(4032, 3024, orientation=6, quality=90, grain=0.55)
        say(f"   each cover: a {len(photo) / 1e6:.2f} MB phone JPEG, 4032x3024, EXIF with GPS")
        for n in range(ARTISTS):
            artist = TattooistFactory(approved=True, approved_at=timezone.now(), user__name=f"Artist {n:02d}")
            key = uploads.attached_key(
                uploads.make_key(folder="portfolio", user_id=artist.user_id, content_type="image/jpeg")
            )
            uploads.put_object(key=key, body=photo, content_type="image/jpeg")
            PortfolioItem.objects.create(
                tattooist=artist, image_key=key, image_url=uploads.public_url(key), description=f"koi {n}"
            )

        views = {
            "desktop 1280x800 @1x": ({"width": 1280, "height": 800}, 1),
            "phone 390x844 @3x": ({"width": 390, "height": 844}, 3),
        }
        results: dict[str, dict[str, dict[str, int]]] = {}
        with gunicorn("tattoo.wsgi:application", app_env(db_url, **env), name="images-home") as base:
            results = {label: {"before": m} for label, m in _measure_all(base, views).items()}
            t0 = time.perf_counter()  # (Playwright's loop is closed again: Django may query)
            report = images.images_sweep(enqueue=False)
            say(
                f"   images sweep: {report.found} covers re-encoded, {report.made} variants made in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            for label, m in _measure_all(base, views).items():
                results[label]["after"] = m
        for label, r in results.items():
            before, after = r["before"], r["after"]
            total_b = before["images"] + before["other"]
            total_a = after["images"] + after["other"]
            say(f"  {label}: pages 1+2 ({ARTISTS} cards)")
            for name, r2, total in (("before", before, total_b), ("after", after, total_a)):
                images_mb = r2["images"] / 1e6
                say(f"    {name:<7} {total / 1e6:7.2f} MB ({images_mb:.2f} MB in {r2['image requests']} images)")
            say(f"    -> {total_b / total_a:.1f}x less")
    finally:
        stop_process(s3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pipeline", action="store_true", help="only part 1 (no database, no browser)")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.pipeline:
        _setup_django()
        pipeline()
        return
    home()  # sets Django up on the benchmark database
    pipeline()


if __name__ == "__main__":
    main()
