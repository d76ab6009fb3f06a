"""The baseline: a hand-written WSGI function that runs the same SQL with psycopg and dumps JSON.

No framework, no middleware, no authentication: the most a Python process can serve for these
reads. It answers the same JSON as the app for the same rows (bench/reads.py checks that), so
the ratio app/raw is the price of everything the app adds. Its slot loop is a baseline's own copy
of the rule (bookings.selectors.slot_starts is the product's): measured, never served.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

import psycopg

_conn: psycopg.Connection | None = None
NOTICE = timedelta(minutes=int(os.environ.get("BOOKING_MIN_NOTICE_MINUTES", "120")))
HORIZON = timedelta(days=int(os.environ.get("BOOKING_HORIZON_DAYS", "90")))
STEP = timedelta(minutes=int(os.environ.get("BOOKING_SLOT_STEP_MINUTES", "30")))
PAGE = 20


def db() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _conn


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def page_links(environ, count: int, page: int, query: dict) -> tuple[str | None, str | None]:
    base = f"http://{environ['HTTP_HOST']}{environ['PATH_INFO']}"

    def link(n: int) -> str:
        q = {k: v[0] for k, v in query.items()}
        if n == 1:
            q.pop("page", None)
        else:
            q["page"] = str(n)
        return base + ("?" + urlencode(sorted(q.items())) if q else "")

    last = max(1, -(-count // PAGE))
    return (link(page + 1) if page < last else None, link(page - 1) if page > 1 else None)


VARIANT_WIDTHS = (320, 640, 1280)  # tattoo/core/images.py


def portfolio(environ, query, tattooist_id: int):
    cur = db().cursor()
    ok = cur.execute(
        "SELECT 1 FROM tattooists t JOIN users u ON u.id = t.user_id WHERE t.id = %s AND t.approved AND u.is_active",
        [tattooist_id],
    ).fetchone()
    if ok is None:
        return 404, {"code": "not_found"}
    page = int(query.get("page", ["1"])[0])
    count = cur.execute("SELECT count(*) FROM portfolios WHERE tattooist_id = %s", [tattooist_id]).fetchone()[0]
    rows = cur.execute(
        "SELECT id, tattooist_id, image_url, description, style_tags, created_at, updated_at, image_width, "
        "image_height, image_variants FROM portfolios "
        "WHERE tattooist_id = %s ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s",
        [tattooist_id, PAGE, (page - 1) * PAGE],
    ).fetchall()
    nxt, prev = page_links(environ, count, page, query)
    results = [
        {
            "id": r[0],
            "tattooistId": r[1],
            "imageUrl": r[2],
            "imageWidth": r[7],
            "imageHeight": r[8],
            # a variant sits next to its image, `<key>.w<width>.webp` (tattoo/core/uploads/keys.py)
            "thumbnails": {str(w): f"{r[2]}.w{w}.webp" for w in sorted(r[9] or ()) if w in VARIANT_WIDTHS},
            "description": r[3],
            "tags": r[4],
            "createdAt": iso(r[5]),
            "updatedAt": iso(r[6]),
        }
        for r in rows
    ]
    return 200, {"count": count, "next": nxt, "previous": prev, "results": results}


def _windows_and_busy(cur, ids: list[int], lower: datetime, until: datetime) -> tuple[dict, dict]:
    windows: dict[int, dict[int, list]] = {}
    for tid, day, ws, we in cur.execute(
        "SELECT tattooist_id, day, start_time, end_time FROM availability WHERE tattooist_id = ANY(%s) "
        "ORDER BY tattooist_id, day, start_time",
        [ids],
    ):
        windows.setdefault(tid, {}).setdefault(day, []).append((ws, we))
    busy: dict[int, list] = {}
    for tid, s, e in cur.execute(
        "SELECT tattooist_id, slot, ends_at FROM bookings WHERE tattooist_id = ANY(%s) AND status IN ('pending', "
        "'confirmed', 'disputed') AND holds_slot AND slot < %s AND ends_at > %s "
        "UNION ALL SELECT tattooist_id, starts_at, ends_at FROM time_off "
        "WHERE tattooist_id = ANY(%s) AND starts_at < %s AND ends_at > %s ORDER BY 1, 2",
        [ids, until, lower, ids, until, lower],
    ):
        busy.setdefault(tid, []).append((s, e))
    return windows, busy


def _merged(intervals: list) -> tuple[list, list]:
    bs: list[datetime] = []
    be: list[datetime] = []
    for s, e in intervals:
        if be and s <= be[-1]:
            be[-1] = max(be[-1], e)
        else:
            bs.append(s)
            be.append(e)
    return bs, be


def _free_starts(tz, session, windows, busy, lower, latest, *, first=False) -> list[datetime]:
    import bisect

    bs, be = _merged(busy)
    out: set[datetime] = set()
    day = lower.astimezone(tz).date() - timedelta(days=1)
    last_day = latest.astimezone(tz).date()
    while day <= last_day:
        for ws, we in windows.get((day.weekday() + 1) % 7, ()):
            s = datetime.combine(day, ws, tzinfo=tz).astimezone(UTC)
            w_end = datetime.combine(day, we, tzinfo=tz).astimezone(UTC)
            while s + session <= w_end:
                if lower <= s <= latest:
                    i = bisect.bisect_left(bs, s + session) - 1
                    if i < 0 or be[i] <= s:
                        out.add(s)
                s += STEP
        if first and out:
            return [min(out)]
        day += timedelta(days=1)
    return sorted(out)


def tattooists(environ, query):
    """The list without filters or with `style`, newest first, each with its next free start."""
    style = query.get("style", [None])[0]
    page = int(query.get("page", ["1"])[0])
    # The artist's tags and newest item from its search entry (search/models.py), as the app reads them.
    tables = "tattooists t JOIN users u ON u.id = t.user_id LEFT JOIN artist_search s ON s.tattooist_id = t.id"
    where, params = "t.approved AND u.is_active", []
    if style:
        where += " AND s.styles @> %s::varchar[]"
        params.append([style.strip().lower()])
    cur = db().cursor()
    count = cur.execute(f"SELECT count(*) FROM {tables} WHERE {where}", params).fetchone()[0]
    rows = cur.execute(
        "SELECT t.id, u.name, t.bio, coalesce(s.styles, '{}'), t.timezone, t.session_minutes, "
        "t.min_deposit, t.studio_name, t.city, t.district, t.price_from, t.hourly_rate, t.languages, t.avatar_url, "
        "c.image_url, t.rating_average, t.rating_count, t.booking_mode "
        f"FROM {tables} LEFT JOIN portfolios c ON c.id = s.cover_id WHERE {where} "
        "ORDER BY t.created_at DESC, t.id DESC LIMIT %s OFFSET %s",
        [*params, PAGE, (page - 1) * PAGE],
    ).fetchall()
    now = datetime.now(UTC)
    lower, latest = now + NOTICE, min(now + timedelta(days=60) - timedelta(microseconds=1), now + HORIZON)
    ids = [r[0] for r in rows]
    windows, busy = _windows_and_busy(cur, ids, lower, latest + timedelta(hours=12)) if ids else ({}, {})
    nxt, prev = page_links(environ, count, page, query)

    def money(value):
        return None if value is None else f"{value:.2f}"

    results = []
    for r in rows:
        tz = ZoneInfo(r[4])
        free = _free_starts(
            tz, timedelta(minutes=r[5]), windows.get(r[0], {}), busy.get(r[0], []), lower, latest, first=True
        )
        results.append(
            {
                "id": r[0],
                "name": r[1],
                "bio": r[2],
                "styleTags": sorted(r[3]),
                "styles": r[3][:5],
                "timezone": r[4],
                "sessionMinutes": r[5],
                "minDeposit": f"{r[6]:.2f}",
                "studioName": r[7],
                "city": r[8],
                "district": r[9],
                "priceFrom": money(r[10]),
                "hourlyRate": money(r[11]),
                "languages": r[12],
                "avatarUrl": r[13] or None,
                "coverUrl": r[14],
                "rating": {"average": None if r[15] is None else float(r[15]), "count": r[16]},
                "nextAvailable": free[0].astimezone(tz).isoformat() if free else None,
                "bookingMode": r[17],
            }
        )
    return 200, {"count": count, "next": nxt, "previous": prev, "results": results}


def availability(environ, query, tattooist_id: int):
    cur = db().cursor()
    artist = cur.execute("SELECT timezone, approved FROM tattooists WHERE id = %s", [tattooist_id]).fetchone()
    if artist is None or not artist[1]:
        return 404, {"code": "not_found"}
    rows = cur.execute(
        "SELECT id, day, start_time, end_time FROM availability WHERE tattooist_id = %s ORDER BY day, start_time, id",
        [tattooist_id],
    ).fetchall()
    windows = [
        {"id": r[0], "day": r[1], "startTime": r[2].strftime("%H:%M"), "endTime": r[3].strftime("%H:%M")} for r in rows
    ]
    return 200, {"timezone": artist[0], "windows": windows}


def _bound(raw: str | None, tz: ZoneInfo, *, end: bool) -> datetime | None:
    if not raw:
        return None
    day = date.fromisoformat(raw)
    return datetime.combine(day + timedelta(days=1 if end else 0), time(), tzinfo=tz)


def slots(environ, query, tattooist_id: int):
    cur = db().cursor()
    artist = cur.execute(
        "SELECT t.timezone, t.session_minutes FROM tattooists t JOIN users u ON u.id = t.user_id "
        "WHERE t.id = %s AND t.approved AND u.is_active",
        [tattooist_id],
    ).fetchone()
    if artist is None:
        return 404, {"code": "not_found"}
    tz, session = ZoneInfo(artist[0]), timedelta(minutes=artist[1])
    now = datetime.now(UTC)
    start = _bound(query.get("from", [None])[0], tz, end=False) or now
    end = _bound(query.get("to", [None])[0], tz, end=True) or start + timedelta(days=7)
    lower = max(start, now + NOTICE)
    latest = min(end - timedelta(microseconds=1), now + HORIZON)
    starts_out: list[datetime] = []
    if latest >= lower:
        windows, busy = _windows_and_busy(cur, [tattooist_id], lower, latest + session)
        starts_out = _free_starts(tz, session, windows.get(tattooist_id, {}), busy.get(tattooist_id, []), lower, latest)
    out = [{"start": iso(s), "localStart": s.astimezone(tz).isoformat()} for s in starts_out]
    return 200, {"timezone": artist[0], "sessionMinutes": artist[1], "slots": out}


ROUTES = [
    (re.compile(r"^/api/portfolio/(\d+)$"), portfolio),
    (re.compile(r"^/api/tattooists$"), tattooists),
    (re.compile(r"^/api/availability/(\d+)$"), availability),
    (re.compile(r"^/api/tattooists/(\d+)/slots$"), slots),
]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    for pattern, handler in ROUTES:
        m = pattern.match(path)
        if m:
            status, body = handler(environ, query, *(int(g) for g in m.groups()))
            data = json.dumps(body).encode()
            start_response(
                f"{status} {'OK' if status == 200 else 'Not Found'}",
                [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
            )
            return [data]
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b'{"code": "not_found"}']
