"""The buckets: the one package that talks to object storage through boto3.

Production is Cloudflare R2 through its S3 API (region ``auto``, SigV4, path-style addressing);
development and tests use the local S3 stand-in started by ``scripts/s3-dev-server.js``. There are
two buckets: the public one (``S3_BUCKET``, read anonymously at ``S3_PUBLIC_BASE_URL``) holds only
images made by the server (sanitised copies and their variants, tattoo/core/images.py); the private
one (``S3_PRIVATE_BUCKET``, no anonymous read) holds every upload, so a phone's original bytes are
never public, and the private images (ideas) with their variants. Functions that take ``private``
act on that bucket.

Clients never send files through Django: ``presign_upload`` signs a PUT for one server-chosen key
in the private bucket, the client PUTs the bytes straight there, and a record (portfolio item,
tattoo idea) accepts the upload only through ``verify_upload`` (our upload URL, the caller's own
prefix, a HEAD that finds the object with an allowed size and type, first bytes that match that
type); tattoo/core/images.py then re-encodes it into the bucket the record's kind says.

Calls that DELETE DATA (there is no undo: the buckets keep no versions):
* ``delete_object(key)`` removes one object now.
* ``objects_delete_later(keys)`` (``object_delete_later(key)``) queues ``PendingObjectDeletion``
  rows in the caller's transaction and removes the objects once that transaction commits.
* ``objects_delete_attempt(keys)`` and ``retry_pending_deletions()`` remove queued objects, from
  both buckets (a record's key names one object, in whichever bucket holds it; ``manage.py
  retry_object_deletes`` runs the latter).
* ``sweep_unattached`` removes old objects no record names.

Calls that write: ``put_object`` (server-side upload, used by the seed command) and every URL
``presign_upload`` returns (it lets its holder write one object until it expires); the sanitised
images are written by tattoo/core/images.py through django-storages. Presigning makes no network
call; ``head_object``, ``read_object`` and ``read_head_bytes`` only read.

A presigned PUT can be replayed until it expires, so a record never points at the upload's own key:
tattoo/core/images.py decodes the upload once and stores its re-encoded copy at a key no URL was
ever signed for, so what was checked is what is served (docs/security.md).

One module per job, each function defined in one of them; callers use this package's names
(``from tattoo.core import uploads``, ``uploads.presign_upload(...)``):

* ``s3``: the boto3 client, which bucket a call acts on, the error a failed call becomes;
* ``keys``: upload folders and types, the keys made here, keys read back from URLs;
* ``presign``: the checks on an upload request and the signed PUT;
* ``reads``: HEAD and GET, ``verify_upload`` and the attach lock;
* ``cors``: the buckets' CORS rule;
* ``writes``: ``put_object``, deleting now and after commit (the deletion queue);
* ``sweep``: the sweep of objects no record names, and the ``key_holders`` hook it asks.
"""

from __future__ import annotations

from tattoo.core.uploads.cors import cors_rules, put_bucket_cors
from tattoo.core.uploads.keys import (
    ALLOWED_TYPES,
    FOLDER_ROLES,
    FOLDERS,
    META_ORIGINAL_FILENAME,
    META_UPLOADED_BY,
    Uploader,
    attached_key,
    key_from_public_url,
    key_from_upload_url,
    make_key,
    owned_key_from_url,
    private_url,
    public_url,
    variant_key,
)
from tattoo.core.uploads.presign import (
    ORIGINAL_FILENAME_MAX,
    PresignedUpload,
    presign_put,
    presign_upload,
    sanitize_filename,
)
from tattoo.core.uploads.reads import (
    StoredObject,
    attach_lock,
    head_object,
    image_in_use,
    read_head_bytes,
    read_object,
    verify_upload,
)
from tattoo.core.uploads.s3 import bucket_name, client
from tattoo.core.uploads.sweep import SweepReport, key_holders, sweep_unattached
from tattoo.core.uploads.writes import (
    delete_object,
    delete_objects_everywhere,
    object_delete_attempt,
    object_delete_later,
    objects_delete_attempt,
    objects_delete_later,
    put_object,
    retry_pending_deletions,
)

__all__ = [
    "ALLOWED_TYPES",
    "FOLDERS",
    "FOLDER_ROLES",
    "META_ORIGINAL_FILENAME",
    "META_UPLOADED_BY",
    "ORIGINAL_FILENAME_MAX",
    "PresignedUpload",
    "StoredObject",
    "SweepReport",
    "Uploader",
    "attach_lock",
    "attached_key",
    "bucket_name",
    "client",
    "cors_rules",
    "delete_object",
    "delete_objects_everywhere",
    "head_object",
    "image_in_use",
    "key_from_public_url",
    "key_from_upload_url",
    "key_holders",
    "make_key",
    "object_delete_attempt",
    "object_delete_later",
    "objects_delete_attempt",
    "objects_delete_later",
    "owned_key_from_url",
    "presign_put",
    "presign_upload",
    "private_url",
    "public_url",
    "put_bucket_cors",
    "put_object",
    "read_head_bytes",
    "read_object",
    "retry_pending_deletions",
    "sanitize_filename",
    "sweep_unattached",
    "variant_key",
    "verify_upload",
]
