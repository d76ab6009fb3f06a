"""Attached images: what is served is a re-encoded copy, never the phone's bytes (docs/images.md).

The pipeline, for every kind of record that carries an image (a "kind": portfolio items, ideas;
later avatars, consultation and review photos):

1. The client uploads to the private bucket (tattoo/core/uploads/presign.py ``presign_upload``): the
   original, with its EXIF (GPS, camera serial), is never readable anonymously.
2. ``attach_image`` (in the request that creates the record) reads the upload once, decodes it
   (JPEG, PNG, WebP, and HEIC through pillow-heif), turns it upright by its EXIF Orientation and
   re-encodes it without EXIF, XMP, IPTC or comments (the ICC colour profile stays: it is no
   personal data and the colours need it) into the kind's bucket at a key no URL was ever signed
   for; the record keeps that key, the URL, and the width and height. The upload is removed.
3. The record's transaction enqueues ``tattoo.make_image_variants`` (``image_enqueue_variants``),
   which writes WebP variants 320, 640 and 1280 px wide (never wider than the image) next to it,
   at ``{key}.w{width}.webp``, and records their widths in ``image_variants``.
4. Public kinds live in the public bucket with ``Cache-Control: public, max-age=31536000,
   immutable`` (a new image has a new key); private kinds live in the private bucket and are only
   ever given out as presigned GET URLs valid ``IMAGE_URL_EXPIRES_SECONDS``.
5. Deleting a record queues its image and every variant for deletion (``image_delete_later``).
   The images sweep (periodic job and ``manage.py sweep_images``) enqueues the variants job for
   records whose variants are missing, and re-encodes images written before this pipeline.

Derived files are written through django-storages' S3 backend (one storage per bucket); reads and
deletes use the boto3 client of tattoo/core/uploads/s3.py. Registering a kind: ``register_kind(name,
model=..., private=...)`` in the app's ``AppConfig.ready`` (docs/images.md).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypedDict

from botocore.config import Config
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models import Case, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tattoo.core import jobs, uploads
from tattoo.core.errors import ApplicationError, UpstreamUnavailable
from tattoo.core.uploads import Uploader

logger = logging.getLogger("inkbook.images")

VARIANT_WIDTHS = (320, 640, 1280)
JPEG_QUALITY = 85
WEBP_QUALITY = 80
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
VARIANTS_TASK = "tattoo.make_image_variants"

# What each allowed upload type may decode as, and what is served for it: HEIC becomes JPEG
# (browsers other than Safari cannot show HEIC); the others keep their format (PNG and WebP may
# carry transparency).
_DECODERS = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",), "image/webp": ("WEBP",), "image/heic": ("HEIF",)}
_SERVED = {
    "image/jpeg": ("JPEG", "jpg", "image/jpeg"),
    "image/heic": ("JPEG", "jpg", "image/jpeg"),
    "image/png": ("PNG", "png", "image/png"),
    "image/webp": ("WEBP", "webp", "image/webp"),
}
_TYPE_OF_EXT = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heic": "image/heic"}


@lru_cache(maxsize=1)
def _register_heif() -> None:
    # pillow-heif: a wheel with libheif and libde265 inside, so HEIC decodes with no system library.
    from pillow_heif import register_heif_opener

    register_heif_opener()


# --- kinds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageKind:
    """A kind of record carrying one image. `name` is also its upload folder. The model has the
    columns ``{field}_key``, ``_url``, ``_width``, ``_height`` and ``_variants`` (`field` is
    "image" for tattoo.core.models.ImageFields; an artist's avatar is ``avatar_*``)."""

    name: str
    model: type[models.Model]
    private: bool
    field: str = "image"

    def column(self, part: str) -> str:
        return f"{self.field}_{part}"


_kinds: dict[str, ImageKind] = {}


def register_kind(name: str, *, model: type[models.Model], private: bool, field: str = "image") -> ImageKind:
    """Called from the owning app's AppConfig.ready (core imports no domain app)."""
    kind = ImageKind(name=name, model=model, private=private, field=field)
    _kinds[name] = kind
    key = kind.column("key")
    uploads.key_holders.provide(
        lambda keys: model._default_manager.filter(**{f"{key}__in": keys}).values_list(key, flat=True)
    )
    return kind


def kind_named(name: str) -> ImageKind:
    return _kinds[name]


def kinds() -> list[ImageKind]:
    return list(_kinds.values())


# --- storage (django-storages' S3 backend) -----------------------------------------------------


@lru_cache(maxsize=8)
def _storage_for(
    private: bool, bucket: str, endpoint: str, key: str, secret: str, region: str, expires: int
) -> Storage:
    from storages.backends.s3 import S3Storage

    cache_control = f"private, max-age={expires}" if private else PUBLIC_CACHE_CONTROL
    # django-storages ships no type information: S3Storage is a django Storage
    s3: Storage = S3Storage(
        bucket_name=bucket,
        endpoint_url=endpoint,
        access_key=key,
        secret_key=secret,
        region_name=region,
        addressing_style="path",
        signature_version="s3v4",
        # Private objects are only ever given out signed; public URLs are made by uploads.public_url.
        querystring_auth=private,
        querystring_expire=expires,
        file_overwrite=True,  # keys are derived and immutable: a retry writes the same bytes again
        object_parameters={"CacheControl": cache_control},
        client_config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            # as tattoo/core/uploads/s3.py: R2 rejects boto3's default aws-chunked checksum trailers
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=float(settings.S3_TIMEOUT_SECONDS),
            read_timeout=float(settings.S3_TIMEOUT_SECONDS),
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )
    return s3


def storage(*, private: bool) -> Storage:
    """The S3Storage of the private or the public bucket (settings are read on every call)."""
    return _storage_for(
        private,
        uploads.bucket_name(private=private),
        settings.S3_ENDPOINT_URL,
        settings.S3_ACCESS_KEY_ID,
        settings.S3_SECRET_ACCESS_KEY,
        settings.S3_REGION,
        int(settings.IMAGE_URL_EXPIRES_SECONDS),
    )


def _save(key: str, body: bytes, *, private: bool) -> None:
    try:
        storage(private=private).save(key, ContentFile(body))
    except Exception as exc:  # boto3/botocore errors of every kind: the bucket did not take it
        logger.warning("storage PUT failed for %s: %s", key, exc)
        raise UpstreamUnavailable(
            _("The image storage is not answering; try again shortly."), code="storage_unavailable"
        ) from exc


# --- pixels -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sanitised:
    body: bytes
    content_type: str
    ext: str
    width: int
    height: int


def served_ext(content_type: str) -> str:
    """The extension of what is served for an upload of `content_type` (HEIC → jpg)."""
    return _SERVED[content_type][1]


def served_key(upload_key: str) -> str:
    """The key of the sanitised copy an upload becomes."""
    return uploads.attached_key(upload_key, ext=served_ext(_TYPE_OF_EXT[upload_key.rsplit(".", 1)[1]]))


def _not_an_image(content_type: str, field: str) -> ApplicationError:
    return ApplicationError(
        _("The uploaded file is not the image its type claims."),
        code="not_an_image",
        fields={field: [_("The upload is not a valid %(content_type)s file.") % {"content_type": content_type}]},
    )


def sanitise(data: bytes, *, content_type: str, field: str = "imageUrl") -> Sanitised:
    """The image in `data`, upright and re-encoded with no metadata but its colour profile.

    400 ``not_an_image`` when it does not decode as `content_type`; 400 ``image_too_large`` above
    IMAGE_MAX_PIXELS (checked from the header, before the pixels are decoded).
    """
    _register_heif()
    out_format, ext, out_type = _SERVED[content_type]
    try:
        with Image.open(io.BytesIO(data), formats=_DECODERS[content_type]) as im:
            if im.width * im.height > settings.IMAGE_MAX_PIXELS:
                raise ApplicationError(
                    _("The image has too many pixels."),
                    code="image_too_large",
                    fields={
                        field: [
                            _("At most %(megapixels)s megapixels.")
                            % {"megapixels": settings.IMAGE_MAX_PIXELS // 1_000_000}
                        ]
                    },
                )
            im.load()
            icc = im.info.get("icc_profile")
            upright = ImageOps.exif_transpose(im)
    except ApplicationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise _not_an_image(content_type, field) from None
    upright = _mode_for(upright, out_format)
    upright.info = {}  # EXIF, XMP, IPTC, comments: nothing of the original's metadata is written
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if out_format == "JPEG":
        options |= {"quality": JPEG_QUALITY, "progressive": True}
    elif out_format == "WEBP":
        options |= {"quality": JPEG_QUALITY, "method": 4}
    buf = io.BytesIO()
    upright.save(buf, out_format, **options)
    return Sanitised(body=buf.getvalue(), content_type=out_type, ext=ext, width=upright.width, height=upright.height)


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info)


def _mode_for(im: Image.Image, out_format: str) -> Image.Image:
    if out_format == "JPEG":
        return im if im.mode in ("RGB", "L") else im.convert("RGB")
    keep = ("1", "L", "LA", "P", "RGB", "RGBA") if out_format == "PNG" else ("RGB", "RGBA")
    return im if im.mode in keep else im.convert("RGBA" if _has_alpha(im) else "RGB")


def variant_widths(width: int | None) -> list[int]:
    """The variant widths an image `width` px wide gets: never an enlargement."""
    return [w for w in VARIANT_WIDTHS if width and w <= width]


def make_variants(data: bytes, widths: list[int]) -> dict[int, bytes]:
    """WebP encodings of the (sanitised) image in `data`, `widths` px wide.

    A JPEG is decoded straight at the smallest DCT scale that still covers the widest variant
    (``draft``: a 4032-px photo decodes at 2016 px for the 1280 variant, a quarter of the pixels);
    each variant is resized from the next larger one with ``reducing_gap`` (``reduce`` by an
    integer factor first, then Lanczos over the rest), so the work shrinks with each width.
    """
    if not widths:
        return {}
    _register_heif()
    out: dict[int, bytes] = {}
    with Image.open(io.BytesIO(data)) as im:
        ratio = im.height / im.width
        widest = max(widths)
        if im.format == "JPEG":
            im.draft("RGB", (widest, max(1, round(widest * ratio))))
        icc = im.info.get("icc_profile")
        current = im.convert("RGBA" if _has_alpha(im) else "RGB")
    for width in sorted(widths, reverse=True):
        size = (width, max(1, round(width * ratio)))
        if current.size != size:
            current = current.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
        buf = io.BytesIO()
        current.save(buf, "WEBP", quality=WEBP_QUALITY, method=4, **({"icc_profile": icc} if icc else {}))
        out[width] = buf.getvalue()
    return out


# --- attach -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachedImage:
    key: str
    url: str  # the URL the record stores: public, or the bare (refused) private URL
    width: int
    height: int
    content_type: str


def stored_url(kind: ImageKind, key: str) -> str:
    return uploads.private_url(key) if kind.private else uploads.public_url(key)


@contextmanager
def attach_image(
    *, kind: str, image_url: str, user: Uploader, in_use: Callable[[str], bool], field: str = "imageUrl"
) -> Iterator[AttachedImage]:
    """WRITES: the sanitised copy of the caller's upload that a record may point at; the caller
    creates the record (and enqueues its variants with ``image_enqueue_variants``) inside the
    ``with`` block, in one transaction.

    The upload is read once and what was decoded is what is stored, so a replay of the presigned
    PUT, which rewrites only the upload's own key, can never change what the record serves. One
    upload backs one record: `in_use(key)` says whether a record already has the served key (409
    ``image_in_use``), and an advisory lock on the key makes concurrent attaches of one upload
    queue behind each other (the losers get 409 too). If the block fails, the copy is removed.
    """
    image_kind = kind_named(kind)
    upload_key = uploads.owned_key_from_url(image_url, folder=image_kind.name, user=user, field=field)
    final_key = served_key(upload_key)
    with uploads.attach_lock(final_key) as got:
        if not got or in_use(final_key):
            raise uploads.image_in_use(field)
        obj = uploads.verify_upload(upload_key, user=user, field=field)
        data = uploads.read_object(upload_key, private=True, max_bytes=settings.UPLOAD_MAX_BYTES)
        if data is None:
            raise ApplicationError(
                _("No uploaded image at that URL; upload it first."),
                code="image_missing",
                fields={field: [_("No such upload.")]},
            )
        clean = sanitise(data, content_type=obj.content_type, field=field)
        _save(final_key, clean.body, private=image_kind.private)
        attached = AttachedImage(
            key=final_key,
            url=stored_url(image_kind, final_key),
            width=clean.width,
            height=clean.height,
            content_type=clean.content_type,
        )
        try:
            yield attached
        except BaseException:
            if not in_use(final_key):  # nothing points at the copy: take it back
                with contextlib.suppress(UpstreamUnavailable):  # sweep_unattached removes it later
                    uploads.delete_object(final_key, private=image_kind.private)
            raise
    # attached: the original is not kept; sweep_unattached removes it later if this fails
    with contextlib.suppress(UpstreamUnavailable):
        uploads.delete_object(upload_key, private=True)


def image_fields(image: AttachedImage | None, *, field: str = "image") -> dict[str, Any]:
    """The model fields of a record carrying `image` (or none) in its `field`_* columns."""
    # Any: the values of several field types, under column names made at run time, for Model(**...)
    values: dict[str, object]
    if image is None:
        values = {"key": "", "url": "", "width": None, "height": None, "variants": []}
    else:
        values = {"key": image.key, "url": image.url, "width": image.width, "height": image.height, "variants": []}
    return {f"{field}_{part}": value for part, value in values.items()}


def image_enqueue_variants(*, kind: str, pk: int, key: str, remake: bool = False) -> int | None:
    """Enqueue the variants job in the caller's transaction (one waiting job per record)."""
    return jobs.enqueue(VARIANTS_TASK, queueing_lock=f"images:{kind}:{pk}", kind=kind, pk=pk, key=key, remake=remake)


def image_delete_later(key: str) -> None:
    """DELETES DATA after commit: the image at `key` and every variant it may have."""
    if key:
        uploads.objects_delete_later([key, *(uploads.variant_key(key, w) for w in VARIANT_WIDTHS)])


# --- URLs -------------------------------------------------------------------------------------


def url_for(kind: ImageKind | str, key: str) -> str | None:
    """The URL a client gets for `key`: public, or a presigned GET valid IMAGE_URL_EXPIRES_SECONDS."""
    if not key:
        return None
    return _served_url(kind_named(kind) if isinstance(kind, str) else kind, key)


def _served_url(kind: ImageKind, key: str) -> str:
    if kind.private:
        return storage(private=True).url(key)
    return uploads.public_url(key)


def thumbnails(kind: ImageKind | str, key: str, widths: Iterable[int] | None) -> dict[str, str]:
    """``{"320": url, "640": url, "1280": url}`` for the variants made so far (empty until then)."""
    if not key:
        return {}
    kind = kind_named(kind) if isinstance(kind, str) else kind
    return {str(w): _served_url(kind, uploads.variant_key(key, w)) for w in sorted(widths or ()) if w in VARIANT_WIDTHS}


# --- the variants job ---------------------------------------------------------------------------


class _ImageState(TypedDict):
    width: int | None  # None: attached before the pipeline, never re-encoded
    variants: list[int] | None


def image_make_variants(*, kind: str, pk: int, key: str, remake: bool = False) -> list[int]:
    """The job body (idempotent): make the missing variants of record `pk` while it still shows
    the image at `key` (else nothing); an image written before this pipeline (no width) is first
    re-encoded to a new key. `remake` makes every width again (its objects went missing).
    Returns the widths written."""
    image_kind = kind_named(kind)
    col = image_kind.column

    def current(key: str) -> _ImageState | None:
        rows = image_kind.model._default_manager.filter(pk=pk, **{col("key"): key})
        row = rows.values(col("width"), col("variants")).first()
        return None if row is None else {"width": row[col("width")], "variants": row[col("variants")]}

    row = current(key)
    if row is None:
        return []  # deleted, or its image replaced: that image's own job does the work
    if row["width"] is None:
        new_key = _reencode_legacy(image_kind, pk, key)
        if new_key is None:
            return []
        key = new_key
        row = current(key)
        if row is None:
            return []
    wanted = variant_widths(row["width"])
    missing = wanted if remake else [w for w in wanted if w not in (row["variants"] or [])]
    if not missing:
        return []
    data = uploads.read_object(key, private=image_kind.private, max_bytes=4 * settings.UPLOAD_MAX_BYTES)
    if data is None:
        logger.warning("image %s of %s %s is missing from the bucket; no variants made", key, kind, pk)
        return []
    made = make_variants(data, missing)
    for width, body in made.items():
        _save(uploads.variant_key(key, width), body, private=image_kind.private)
    with transaction.atomic():
        obj = image_kind.model._default_manager.select_for_update().filter(pk=pk, **{col("key"): key}).first()
        if obj is None:  # deleted meanwhile, after its keys were queued: remove what was just written
            for width in made:
                uploads.delete_object(uploads.variant_key(key, width), private=image_kind.private)
            return []
        setattr(obj, col("variants"), sorted(set(getattr(obj, col("variants")) or ()) | set(made)))
        obj.save(update_fields=[col("variants")])  # post_save: public read caches move on
    return sorted(made)


def _give_up(image_kind: ImageKind, pk: int, key: str) -> None:
    """An old image that cannot be re-encoded (gone, or not an image): size 0 x 0, so the sweep
    stops asking (it calls for no variant) and staff find it with ``image_width=0``."""
    col = image_kind.column
    image_kind.model._default_manager.filter(pk=pk, **{col("key"): key, f"{col('width')}__isnull": True}).update(
        **{col("width"): 0, col("height"): 0}
    )


def _reencode_legacy(image_kind: ImageKind, pk: int, key: str) -> str | None:
    """An image attached before this pipeline (phone bytes, perhaps in the public bucket though
    its kind is private): re-encode it into its kind's bucket at a new key, point the record at
    it, and queue the old object for deletion. Returns the new key, or None."""
    max_bytes = 4 * settings.UPLOAD_MAX_BYTES
    data = uploads.read_object(key, private=image_kind.private, max_bytes=max_bytes)
    if data is None:
        data = uploads.read_object(key, private=not image_kind.private, max_bytes=max_bytes)
    if data is None:
        logger.warning("image %s of %s %s is missing from both buckets", key, image_kind.name, pk)
        _give_up(image_kind, pk, key)
        return None
    content_type = _TYPE_OF_EXT.get(key.rsplit(".", 1)[-1])
    try:
        if content_type is None:
            raise KeyError(key)  # an extension no upload type has
        clean = sanitise(data, content_type=content_type)
    except (ApplicationError, KeyError):
        logger.warning("image %s of %s %s does not decode; left as it is", key, image_kind.name, pk)
        _give_up(image_kind, pk, key)
        return None
    new_key = uploads.attached_key(key, ext=clean.ext)
    _save(new_key, clean.body, private=image_kind.private)
    col = image_kind.column
    with transaction.atomic():
        obj = image_kind.model._default_manager.select_for_update().filter(pk=pk, **{col("key"): key}).first()
        if obj is None:
            uploads.delete_object(new_key, private=image_kind.private)
            return None
        values = {"key": new_key, "url": stored_url(image_kind, new_key), "width": clean.width}
        values |= {"height": clean.height, "variants": []}
        for part, value in values.items():
            setattr(obj, col(part), value)
        obj.save(update_fields=[col(part) for part in values])
        image_delete_later(key)
    logger.info("re-encoded %s %s: %s -> %s", image_kind.name, pk, key, new_key)
    return new_key


# --- the sweep ----------------------------------------------------------------------------------


def _expected_variant_count(kind: ImageKind) -> Case:
    """SQL: how many variants a row's width calls for (see variant_widths)."""
    width = kind.column("width")
    return Case(
        *[
            When(**{f"{width}__gte": w, "then": Value(n)})
            for n, w in reversed(list(enumerate(VARIANT_WIDTHS, start=1)))
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def images_needing_work(kind: ImageKind) -> models.QuerySet[models.Model]:
    """Rows of `kind` with an image that was never re-encoded or lacks some of its variants."""
    col = kind.column
    made = Coalesce(Func(F(col("variants")), function="cardinality"), Value(0), output_field=IntegerField())
    # annotate() on a model known only at run time: the plugin cannot name its result
    rows: models.QuerySet[models.Model] = (
        kind.model._default_manager.exclude(**{col("key"): ""})
        .annotate(_made=made, _wanted=_expected_variant_count(kind))
        .filter(Q(**{f"{col('width')}__isnull": True}) | Q(_made__lt=F("_wanted")))
        .order_by("pk")
    )
    return rows


@dataclass(frozen=True)
class ImageSweepReport:
    found: int  # records that needed work
    enqueued: int  # variants jobs written (a record whose job already waits is not written again)
    made: int  # variants written in the foreground (enqueue=False)
    missing_in_bucket: int  # records whose recorded image or variants are gone (check_bucket)


def images_sweep(*, check_bucket: bool = False, enqueue: bool = True, limit: int = 10_000) -> ImageSweepReport:
    """For every record that lacks variants or was never re-encoded: enqueue the variants job,
    or (``enqueue=False``, the management command) do its work here. With `check_bucket`, also
    for records whose recorded variants are missing from the bucket (one listing per kind: slow
    on a big bucket, for the management command)."""
    found = enqueued = made = missing = 0

    def work(kind: ImageKind, pk: int, key: str, remake: bool = False) -> None:
        nonlocal found, enqueued, made
        found += 1
        if enqueue:
            enqueued += image_enqueue_variants(kind=kind.name, pk=pk, key=key, remake=remake) is not None
        else:
            made += len(image_make_variants(kind=kind.name, pk=pk, key=key, remake=remake))

    for kind in kinds():
        col = kind.column
        for pk, key in list(images_needing_work(kind).values_list("pk", col("key"))[:limit]):
            work(kind, pk, key)
        if check_bucket:
            present = _listed_keys(kind)
            rows = kind.model._default_manager.exclude(**{col("key"): ""}).exclude(**{col("variants"): []})
            for pk, key, widths in list(rows.values_list("pk", col("key"), col("variants"))):
                if key not in present or any(uploads.variant_key(key, w) not in present for w in widths):
                    missing += 1
                    work(kind, pk, key, remake=True)
    return ImageSweepReport(found=found, enqueued=enqueued, made=made, missing_in_bucket=missing)


def _listed_keys(kind: ImageKind) -> set[str]:
    paginator = uploads.client().get_paginator("list_objects_v2")
    keys: set[str] = set()
    for page in paginator.paginate(Bucket=uploads.bucket_name(private=kind.private), Prefix=f"{kind.name}/"):
        keys.update(obj["Key"] for obj in page.get("Contents", []))
    return keys
