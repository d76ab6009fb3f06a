from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from tattoo.core.uploads import ALLOWED_TYPES, FOLDERS


class UploadPresignSerializer(serializers.Serializer):
    filename = serializers.CharField(
        max_length=255, help_text="Its extension must agree with contentType; a sanitised copy is kept as metadata."
    )
    content_type = serializers.CharField(
        max_length=100, help_text="One of: " + ", ".join(ALLOWED_TYPES) + "; must agree with the extension."
    )
    folder = serializers.ChoiceField(
        choices=FOLDERS, default="ideas", help_text="`portfolio` needs the tattooist role."
    )
    # Required (docs/api.md; the contract first showed it optional): the signed URL only accepts a
    # body of exactly this size.
    size = serializers.IntegerField(
        help_text=f"Exact size in bytes, 1 to UPLOAD_MAX_BYTES ({settings.UPLOAD_MAX_BYTES})."
    )


class PresignedUploadSerializer(serializers.Serializer):
    upload_url = serializers.URLField(help_text="PUT the file here, with exactly `headers`, before `expiresAt`.")
    public_url = serializers.URLField(help_text="Where the file is readable once uploaded; send it as `imageUrl`.")
    key = serializers.CharField()
    expires_at = serializers.DateTimeField()
    headers = serializers.DictField(
        child=serializers.CharField(),
        help_text="Send every header exactly; the body must be exactly `size` bytes (Content-Length).",
    )
