from __future__ import annotations

from accounts.models import Tattooist
from tattoo import prepared

# The public portfolio page, hand-written: the hottest public read (ORM compilation alone cost more
# than running it). The last column is the artist's item count, for the pagination.
_PUBLIC_PAGE_SQL = """
SELECT p.id, p.tattooist_id, p.image_url, p.description, p.style_tags, p.created_at, p.updated_at, count(*) OVER ()
FROM portfolios p JOIN tattooists t ON t.id = p.tattooist_id JOIN users u ON u.id = t.user_id
WHERE p.tattooist_id = %s AND t.approved AND u.is_active
ORDER BY p.created_at DESC, p.id DESC
LIMIT %s OFFSET %s
"""


def portfolio_page_public(*, tattooist_id: int, limit: int, offset: int) -> list[tuple]:
    """A page of a public (approved, active) artist's items, newest first, as (id, tattooist_id,
    image_url, description, style_tags, created_at, updated_at, total) rows; no rows for anyone
    else (tell an unknown artist from an empty portfolio with tattooist_is_public)."""
    return prepared.fetchall(_PUBLIC_PAGE_SQL, [tattooist_id, limit, offset])


def tattooist_is_public(*, tattooist_id: int) -> bool:
    return Tattooist.objects.filter(pk=tattooist_id, approved=True, user__is_active=True).exists()
