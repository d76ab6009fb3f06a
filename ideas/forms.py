"""The ideas thread's form (templates/ideas/_thread.html).

static/js/ideas.js does the real work: it checks the file, PUTs it straight to the bucket through
/api/upload/presign, then POSTs /api/tattoo-ideas. The limits below are rendered as attributes so
the browser checks type and size before any byte leaves it.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ideas.services import MAX_DESCRIPTION
from tattoo.core import uploads
from tattoo.core.forms import PageForm

ACCEPT = ",".join([*uploads.ALLOWED_TYPES, *sorted({"." + e for exts in uploads.ALLOWED_TYPES.values() for e in exts})])


class IdeaForm(PageForm):
    description = forms.CharField(
        label=_("Your idea"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Describe placement, size, style. Add a description, an image, or both."),
    )
    image = forms.FileField(
        label=_("Reference image"),
        required=False,
        help_text=_("JPEG, PNG, WebP or HEIC."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        max_bytes = settings.UPLOAD_MAX_BYTES
        self.fields["image"].help_text = _("JPEG, PNG, WebP or HEIC, up to %(megabytes)s MB.") % {
            "megabytes": max_bytes // (1024 * 1024)
        }
        self.fields["image"].widget.attrs.update(
            {"accept": ACCEPT, "data-max-bytes": str(max_bytes), "data-types": ",".join(uploads.ALLOWED_TYPES)}
        )
