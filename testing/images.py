"""Real image files for tests and benchmarks, made here (no fixture files, nothing downloaded).

``phone_jpeg()`` is what a phone's camera writes: a photo-like JPEG whose EXIF carries an
Orientation, a GPS position, the camera's make, model and serial number, plus an XMP packet, an
IPTC record (APP13) and a comment. ``heic()`` is a real HEIF/HEVC file (pillow-heif's wheel carries
an encoder). ``image_bytes()`` any other format.
"""

from __future__ import annotations

import io
import struct

from PIL import Image, ImageDraw, ImageFilter

GPS = {"lat": (47, 55, 12.5), "lon": (106, 55, 3.25)}  # a studio in Ulaanbaatar
SERIAL = "CAMSERIAL-0042"
XMP_NS = b"http://ns.adobe.com/xap/1.0/"
IPTC_MARK = b"Photoshop 3.0\x00"
COMMENT = b"shot at home, 3rd khoroo"

RED, BLUE = (220, 30, 40), (30, 60, 220)


def photo(width: int, height: int, *, halves: bool = True, texture: bool = True, grain: float = 0.0) -> Image.Image:
    """A photo-like picture: the left half red and the right half blue (so a test can tell which
    way is up), with shapes and soft noise so it compresses like a photograph. `grain` (0 to 1)
    adds detail at every scale (noise in four octaves), which survives compression and scaling as
    a photograph's does: 0.55 makes a 12-megapixel JPEG at quality 90 weigh about 4 MB, like a
    phone's, and its 320-px WebP about 10 kB."""
    im = Image.new("RGB", (width, height), RED)
    draw = ImageDraw.Draw(im)
    if halves:
        draw.rectangle([(width // 2, 0), (width, height)], fill=BLUE)
    if texture:
        step = max(8, width // 40)
        for x in range(0, width, step):
            for y in range(0, height, step * 3):
                shade = (x * 7 + y * 3) % 40
                draw.ellipse([(x, y), (x + step // 2, y + step // 2)], outline=(shade + 100, shade + 90, shade + 80))
        if grain:
            im = Image.blend(im, _octaves(width, height), grain)
        else:
            noise = Image.effect_noise((width, height), 24).convert("RGB")
            im = Image.blend(im, noise, 0.12).filter(ImageFilter.SMOOTH)
    return im


def _octaves(width: int, height: int) -> Image.Image:
    """Colour noise at 1/96, 1/24, 1/6 and full scale, mixed equally."""
    out = None
    for i, div in enumerate((96, 24, 6, 1)):
        size = (max(2, width // div), max(2, height // div))
        layer = Image.merge("RGB", [Image.effect_noise(size, 64) for _ in range(3)])
        if size != (width, height):
            layer = layer.resize((width, height), Image.Resampling.BICUBIC)
        out = layer if out is None else Image.blend(out, layer, 1 / (i + 1))
    return out


def _rational(value: float):
    from PIL.TiffImagePlugin import IFDRational

    return IFDRational(round(value * 100), 100)


def phone_exif(*, orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "InkPhone"  # Make
    exif[0x0110] = "InkPhone 15 Pro"  # Model
    exif[0x0112] = orientation  # Orientation
    exif[0x0132] = "2026:11:30 14:05:09"  # DateTime
    ifd = exif.get_ifd(0x8769)  # Exif IFD
    ifd[0xA431] = SERIAL  # BodySerialNumber
    ifd[0x9003] = "2026:11:30 14:05:09"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)  # GPS IFD
    gps[1] = "N"
    gps[2] = tuple(_rational(v) for v in GPS["lat"])
    gps[3] = "E"
    gps[4] = tuple(_rational(v) for v in GPS["lon"])
    return exif


def _with_iptc(jpeg: bytes) -> bytes:
    """`jpeg` with an APP13 Photoshop/IPTC segment (a caption and a city) after SOI."""
    record = b""
    for dataset, text in ((120, b"Caption: my back"), (90, b"Ulaanbaatar")):
        record += b"\x1c\x02" + bytes([dataset]) + struct.pack(">H", len(text)) + text
    block = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(record)) + record
    if len(record) % 2:
        block += b"\x00"
    payload = IPTC_MARK + block
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def phone_jpeg(width: int = 1600, height: int = 1000, *, orientation: int = 6, quality: int = 92, **kw) -> bytes:
    """A JPEG as a phone writes it, `width` x `height` as stored (before its Orientation)."""
    buf = io.BytesIO()
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="InkPhone camera"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    photo(width, height, **kw).save(
        buf, "JPEG", quality=quality, exif=phone_exif(orientation=orientation), xmp=xmp, comment=COMMENT
    )
    return _with_iptc(buf.getvalue())


def heic(width: int = 800, height: int = 600, *, quality: int = 80, **kw) -> bytes:
    """A real HEIC (HEVC in HEIF) with the phone's EXIF, as an iPhone writes it."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    buf = io.BytesIO()
    photo(width, height, **kw).save(buf, "HEIF", quality=quality, exif=phone_exif(orientation=1))
    return buf.getvalue()


def image_bytes(width: int, height: int, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    photo(width, height, texture=False).save(buf, fmt)
    return buf.getvalue()


def metadata_markers(data: bytes) -> list[str]:
    """Which kinds of camera metadata `data` still carries (an empty list for a clean file)."""
    found = []
    if b"Exif\x00\x00" in data or b"EXIF" in data:
        found.append("exif")
    if XMP_NS in data or b"x:xmpmeta" in data:
        found.append("xmp")
    if IPTC_MARK in data or b"8BIM" in data:
        found.append("iptc")
    if COMMENT in data:
        found.append("comment")
    if SERIAL.encode() in data or b"InkPhone" in data:
        found.append("camera")
    return found
