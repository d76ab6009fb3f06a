"""The API's renderer answers exactly the bytes of djangorestframework-camel-case's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import OrderedDict
from decimal import Decimal

from django.utils.translation import gettext_lazy
from djangorestframework_camel_case.render import CamelCaseJSONRenderer as LibraryRenderer

from tattoo.core.renderers import CamelCaseJSONRenderer


def test_it_renders_the_bytes_of_the_library_renderer():
    data = {
        "count": 2,
        "next_page_2": None,
        "results": [
            OrderedDict(
                image_url="https://img.test/a.png",
                style_tags=("koi", "black_and_grey"),
                min_deposit=Decimal("12345.50"),
                created_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
                is_ok=True,
                ratio_1=0.5,
                nested_list=[{"local_start": "x", "a_b_c": {1: "int key", "snake_key": {"deeper_key": []}}}],
            ),
            {"_leading": 1, "trailing_": 2, "double__under": 3, "CAPS_KEY": 4, "key_2": 5, gettext_lazy("lazy_key"): 6},
        ],
        "some_set": {"only_one"},
        "raw_bytes": b"ab",
        "an_id": uuid.UUID(int=5),
        "text": gettext_lazy("lazy text"),
        "unicode_key_ö_x": "Line\u2028sep ünïcode </script>",
    }
    assert CamelCaseJSONRenderer().render(data) == LibraryRenderer().render(data)
