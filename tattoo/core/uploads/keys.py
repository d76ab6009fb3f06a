"""What the keys and URLs of bucket objects look like: the upload folders and types, the keys this
package makes (an upload's, the attached copy's, a variant's), and reading a key back from a URL.
No network call."""

from __future__ import annotations

import re
import uuid
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from tattoo.core.errors import ApplicationError

# Allowed image types and the file extensions that may carry each; the key uses the first one.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/heic": ("heic",),
}
FOLDERS = ("portfolio", "ideas", "avatars", "reviews", "consultations")
# Folders only some roles may write to; everyone signed in may use the others. `reviews`: a
# customer's healed photo (reviews/services.py).
FOLDER_ROLES = {"portfolio": ("tattooist",), "avatars": ("tattooist",), "reviews": ("customer",)}

# Metadata signed into every upload URL (sent as x-amz-meta-<name>); the local server's CORS rule
# and R2's must allow exactly these header names.
META_UPLOADED_BY = "uploaded-by"
META_ORIGINAL_FILENAME = "original-filename"

_KEY_EXTS = "|".join(sorted({exts[0] for exts in ALLOWED_TYPES.values()}))
KEY_RE = re.compile(
    r"^(?P<folder>[a-z]+)/(?P<user_id>[1-9][0-9]{0,18})/(?P<name>[0-9a-f]{32})\.(?P<ext>" + _KEY_EXTS + ")$"
)
# A derived WebP variant of an attached image: ``{image key}.w{width}.webp`` (tattoo/core/images.py).
VARIANT_RE = re.compile(r"^(?P<image>.+)\.w(?P<width>[1-9][0-9]{1,4})\.webp$")


class Uploader(Protocol):
    """The signed-in user an upload belongs to: accounts.User (the core imports no domain app)."""

    @property
    def pk(self) -> int: ...

    @property
    def role(self) -> str: ...


def public_url(key: str) -> str:
    """The unsigned public URL of a key (R2 custom domain or r2.dev; locally the stand-in)."""
    return f"{settings.S3_PUBLIC_BASE_URL}/{key}"


def private_url(key: str) -> str:
    """The bare URL of an object in the private bucket: it names the object, and is refused
    without a signature (an upload's ``publicUrl``; a private image's stored URL)."""
    return f"{settings.S3_ENDPOINT_URL.rstrip('/')}/{settings.S3_PRIVATE_BUCKET}/{key}"


def variant_key(key: str, width: int) -> str:
    """The key of the `width`-px WebP variant of the image at `key`: it changes when the image does."""
    return f"{key}.w{int(width)}.webp"


def make_key(*, folder: str, user_id: int, content_type: str) -> str:
    return f"{folder}/{int(user_id)}/{uuid.uuid4().hex}.{ALLOWED_TYPES[content_type][0]}"


def attached_key(upload_key: str, *, ext: str | None = None) -> str:
    """The key a record keeps for an upload: same folder and owner, a name derived from the upload's
    key (so one upload maps to one attached object) that no presigned URL was ever made for, and
    the extension of the format served (`ext`, default the upload's)."""
    folder, user_id, rest = upload_key.split("/", 2)
    name = uuid.uuid5(uuid.NAMESPACE_URL, f"inkbook-attached:{upload_key}").hex
    return f"{folder}/{user_id}/{name}.{ext or rest.rsplit('.', 1)[1]}"


def _key_after(url: str, base: str) -> str | None:
    if not isinstance(url, str) or not url.startswith(base + "/"):
        return None
    key = url[len(base) + 1 :]
    return key if KEY_RE.fullmatch(key) else None


def key_from_public_url(url: str) -> str | None:
    """The key behind one of our public URLs, or None for anything else.

    Only keys this package makes are accepted, so no query, fragment, encoding or ``..`` trick
    can point a record at another object.
    """
    return _key_after(url, settings.S3_PUBLIC_BASE_URL)


def key_from_upload_url(url: str) -> str | None:
    """The key behind an upload's URL (``private_url``, the presign's ``publicUrl``), or None."""
    return _key_after(url, private_url("")[:-1])


def owned_key_from_url(url: str, *, folder: str, user: Uploader, field: str = "imageUrl") -> str:
    """The key behind `url` if it is an upload URL of ours under ``{folder}/{user.id}/``; else 400."""
    key = key_from_upload_url(url)
    if key is None:
        raise ApplicationError(
            _("The image must be uploaded through /api/upload/presign first."),
            code="image_not_ours",
            fields={field: [_("Not an upload URL of this site; upload the image with /api/upload/presign.")]},
        )
    if not key.startswith(f"{folder}/{user.pk}/"):
        raise ApplicationError(
            _("That image belongs to another upload folder or user."),
            code="image_not_yours",
            fields={field: [_("Use an image you uploaded to the %(folder)s folder.") % {"folder": folder}]},
        )
    return key
