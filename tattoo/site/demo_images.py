"""Pictures for the demo portfolios (`manage.py seed`): drawn with Pillow from a motif and a seed,
so every item looks different, the same on every run, and nothing is downloaded."""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = (480, 360)
INK = (28, 28, 32)
SKIN = [(243, 226, 210), (236, 212, 190), (222, 190, 160), (246, 236, 226), (210, 172, 140)]


def _canvas(rng: random.Random) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", SIZE, rng.choice(SKIN))
    return image, ImageDraw.Draw(image, "RGBA")


def _center(rng: random.Random) -> tuple[float, float]:
    return SIZE[0] / 2 + rng.uniform(-40, 40), SIZE[1] / 2 + rng.uniform(-20, 20)


def rose(rng, image, draw):
    cx, cy = _center(rng)
    draw.line([(cx, cy + 20), (cx + rng.uniform(-30, 30), cy + 150)], fill=(40, 90, 40), width=6)
    for side in (-1, 1):
        lx = cx + side * rng.uniform(25, 45)
        draw.ellipse([(lx - 22, cy + 60), (lx + 22, cy + 82)], fill=(50, 110, 50))
    reds = [(120, 20, 30), (165, 30, 45), (200, 50, 60), (120, 20, 30)]
    for r, color in zip((70, 50, 32, 14), reds, strict=True):
        r *= rng.uniform(0.85, 1.1)
        draw.ellipse([(cx - r, cy - 40 - r), (cx + r, cy - 40 + r)], fill=color, outline=(60, 10, 15), width=3)


def mandala(rng, image, draw):
    cx, cy = _center(rng)
    petals = rng.choice([8, 10, 12, 16])
    for ring, radius in enumerate((40, 80, 120, 150)):
        for k in range(petals * (ring + 1)):
            angle = 2 * math.pi * k / (petals * (ring + 1)) + rng.uniform(0, 0.05)
            x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle) * 0.95
            dot = 2 + (3 - ring) * 1.3
            draw.ellipse([(x - dot, y - dot), (x + dot, y + dot)], fill=INK)
    for k in range(petals):
        angle = 2 * math.pi * k / petals
        tip = (cx + 110 * math.cos(angle), cy + 110 * math.sin(angle))
        draw.line([(cx, cy), tip], fill=INK, width=2)
    draw.ellipse([(cx - 18, cy - 18), (cx + 18, cy + 18)], outline=INK, width=4)


def geometric(rng, image, draw):
    cx, cy = _center(rng)
    sides = rng.choice([3, 6, 8])
    for layer in range(5):
        r = 40 + layer * 28
        turn = layer * rng.uniform(0.1, 0.5)
        points = [
            (cx + r * math.cos(2 * math.pi * k / sides + turn), cy + r * math.sin(2 * math.pi * k / sides + turn))
            for k in range(sides)
        ]
        draw.polygon(points, outline=INK, width=3)
    for _ in range(rng.randint(2, 5)):
        x = rng.uniform(60, SIZE[0] - 60)
        draw.line([(x, 20), (x + rng.uniform(-80, 80), SIZE[1] - 20)], fill=(*INK, 110), width=2)


def waves(rng, image, draw):
    blue = rng.choice([(30, 60, 120), (20, 40, 90), (35, 80, 140)])
    for row in range(7):
        y = 60 + row * 45 + rng.uniform(-6, 6)
        for col in range(-1, 7):
            x = col * 80 + (row % 2) * 40
            for r in (36, 26, 16):
                draw.arc([(x - r, y - r), (x + r, y + r)], 180, 360, fill=blue if r != 16 else INK, width=4)
    for _ in range(12):
        x, y = rng.uniform(0, SIZE[0]), rng.uniform(0, 80)
        draw.ellipse([(x - 3, y - 3), (x + 3, y + 3)], fill=(250, 250, 250))


def koi(rng, image, draw):
    cx, cy = _center(rng)
    tilt = rng.uniform(-0.5, 0.5)
    body = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    d = ImageDraw.Draw(body)
    orange = rng.choice([(226, 96, 28), (214, 60, 30), (236, 140, 40)])
    d.ellipse([(cx - 140, cy - 50), (cx + 90, cy + 50)], fill=(*orange, 255), outline=(*INK, 255), width=5)
    d.polygon([(cx + 80, cy), (cx + 170, cy - 60), (cx + 150, cy), (cx + 170, cy + 60)], fill=(*orange, 255))
    d.line([(cx + 80, cy), (cx + 170, cy - 60), (cx + 150, cy), (cx + 170, cy + 60), (cx + 80, cy)], fill=INK, width=4)
    for _ in range(5):
        x, y = cx + rng.uniform(-110, 50), cy + rng.uniform(-30, 30)
        d.ellipse([(x - 14, y - 10), (x + 14, y + 10)], fill=(245, 245, 240, 255))
    d.ellipse([(cx - 115, cy - 15), (cx - 103, cy - 3)], fill=(*INK, 255))
    image.paste(
        body.rotate(math.degrees(tilt), center=(cx, cy)), (0, 0), body.rotate(math.degrees(tilt), center=(cx, cy))
    )


def watercolor(rng, image, draw):
    # drawn small, blurred, then enlarged: soft edges for a fraction of the work
    blobs = Image.new("RGBA", (SIZE[0] // 4, SIZE[1] // 4), (0, 0, 0, 0))
    d = ImageDraw.Draw(blobs)
    palette = rng.choice(
        [
            [(90, 170, 220), (200, 90, 160), (250, 200, 80)],
            [(120, 200, 160), (70, 120, 210), (230, 120, 120)],
            [(240, 140, 90), (160, 100, 200), (90, 190, 200)],
        ]
    )
    for _ in range(9):
        x, y, r = rng.uniform(100, 380), rng.uniform(80, 280), rng.uniform(40, 100)
        box = [((x - r) / 4, (y - r * 0.8) / 4), ((x + r) / 4, (y + r * 0.8) / 4)]
        d.ellipse(box, fill=(*rng.choice(palette), 110))
    soft = blobs.filter(ImageFilter.GaussianBlur(3.5)).resize(SIZE, Image.Resampling.BILINEAR)
    image.paste(soft, (0, 0), soft)
    cx, cy = _center(rng)
    # a bird in flight, in line work over the colour
    draw.line([(cx - 110, cy), (cx - 40, cy - 50), (cx, cy), (cx + 40, cy - 50), (cx + 110, cy)], fill=INK, width=5)
    draw.line([(cx - 10, cy + 5), (cx, cy + 30), (cx + 10, cy + 5)], fill=INK, width=4)


def ornament(rng, image, draw):
    # The ulzii (endless knot) of Mongolian ornament: a woven square of lines, and a border.
    cx, cy = _center(rng)
    step, n = rng.choice([26, 30]), rng.choice([4, 5])
    half = step * n / 2
    color = rng.choice([INK, (140, 30, 30), (20, 70, 120)])
    for i in range(n + 1):
        off = -half + i * step
        draw.line([(cx - half + off * 0, cy + off), (cx + half, cy + off)], fill=color, width=5)
        draw.line([(cx + off, cy - half), (cx + off, cy + half)], fill=color, width=5)
    s = half * 1.42
    draw.polygon([(cx, cy - s), (cx + s, cy), (cx, cy + s), (cx - s, cy)], outline=color, width=5)
    for x in range(16, SIZE[0], 32):
        draw.rectangle([(x, 10), (x + 16, 22)], outline=color, width=3)
        draw.rectangle([(x, SIZE[1] - 22), (x + 16, SIZE[1] - 10)], outline=color, width=3)


def script(rng, image, draw):
    # Latin only: Pillow's built-in font has no Cyrillic, and no other font can be counted on.
    words = rng.choice(["Eej", "Amor fati", "Munkh tenger", "Freedom", "Khair", "Still here", "Ekh oron"])
    font = ImageFont.load_default(size=rng.choice([54, 62, 70]))
    box = draw.textbbox((0, 0), words, font=font)
    # Placed at a continuous offset: with only the words, sizes and skin tones to choose from, two
    # script pieces could come out the same picture.
    x = (SIZE[0] - (box[2] - box[0])) / 2 + rng.uniform(-30, 30)
    y = (SIZE[1] - (box[3] - box[1])) / 2 - 10 + rng.uniform(-30, 30)
    draw.text((x, y), words, font=font, fill=INK)
    draw.line([(x, y + box[3] + 12), (x + box[2] - box[0], y + box[3] + 12)], fill=INK, width=2)


def flash(rng, image, draw):
    cx, cy = _center(rng)
    red, green = (190, 30, 40), (40, 130, 70)
    # a swallow-like star over a banner
    points = []
    for k in range(10):
        r = 90 if k % 2 == 0 else 38
        a = math.pi / 2 + k * math.pi / 5 + rng.uniform(-0.05, 0.05)
        points.append((cx + r * math.cos(a), cy - 30 - r * math.sin(a)))
    draw.polygon(points, fill=rng.choice([red, (230, 180, 40), green]), outline=INK, width=5)
    draw.rectangle([(cx - 130, cy + 70), (cx + 130, cy + 110)], fill=(245, 240, 225), outline=INK, width=4)
    font = ImageFont.load_default(size=26)
    label = rng.choice(["TRUE LOVE", "KHUCH", "LUCKY", "ZORIG"])
    box = draw.textbbox((0, 0), label, font=font)
    draw.text((cx - (box[2] - box[0]) / 2, cy + 76), label, font=font, fill=INK)


def portrait(rng, image, draw):
    cx, cy = _center(rng)
    for r in range(160, 0, -8):
        shade = int(60 + (160 - r) * 0.9)
        draw.ellipse([(cx - r * 0.7, cy - r), (cx + r * 0.7, cy + r)], fill=(shade, shade, shade, 60))
    draw.ellipse([(cx - 45, cy - 35), (cx - 15, cy - 20)], fill=(30, 30, 30, 200))
    draw.ellipse([(cx + 15, cy - 35), (cx + 45, cy - 20)], fill=(30, 30, 30, 200))
    draw.line([(cx, cy - 15), (cx - 8, cy + 25), (cx + 6, cy + 28)], fill=(40, 40, 40), width=3)
    draw.arc([(cx - 35, cy + 30), (cx + 35, cy + 60)], 20, 160, fill=(40, 40, 40), width=4)


MOTIFS: dict[str, Callable] = {
    "rose": rose,
    "mandala": mandala,
    "geometric": geometric,
    "waves": waves,
    "koi": koi,
    "watercolor": watercolor,
    "ornament": ornament,
    "script": script,
    "flash": flash,
    "portrait": portrait,
}


def demo_png(motif: str, seed: str) -> bytes:
    """A PNG of `motif` (a key of MOTIFS), varied by `seed`."""
    rng = random.Random(f"{motif}:{seed}")  # noqa: S311 - pictures, not secrets
    image, draw = _canvas(rng)
    MOTIFS[motif](rng, image, draw)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
