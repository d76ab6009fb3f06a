from __future__ import annotations

import copy

from django.conf import settings
from rest_framework import serializers

from tattoo.core.uploads import ALLOWED_TYPES, FOLDERS


# Mix FieldsBuiltOnce into a ModelSerializer that answers a hot path (first among the bases).
# DRF builds a ModelSerializer's fields from the model (each field's class, arguments and
# validators) every time one is instantiated: for the booking a create answers, that cost more than
# the statement that wrote it (bench/README.md, "booking create"). This builds them once per class
# and gives each instance a deep copy, which is what DRF does with declared fields. Only for
# serializers whose fields depend on their class alone (no get_fields reading the context).
# (A comment, not a docstring: the API schema takes a serializer's docstring as its description.)
class FieldsBuiltOnce:
    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built  # a race builds the same fields twice: harmless
        return copy.deepcopy(built)


class UploadPresignSerializer(serializers.Serializer):
    filename = serializers.CharField(
        max_length=255, help_text="Its extension must agree with contentType; a sanitised copy is kept as metadata."
    )
    content_type = serializers.CharField(
        max_length=100, help_text="One of: " + ", ".join(ALLOWED_TYPES) + "; must agree with the extension."
    )
    folder = serializers.ChoiceField(
        choices=FOLDERS, default="ideas", help_text="`portfolio` and `avatars` need the tattooist role."
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
