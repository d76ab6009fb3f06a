"""The demo marketplace `manage.py seed` builds in DEBUG: about a dozen approved artists across
Ulaanbaatar's districts (and one in Darkhan), named in Cyrillic or Latin letters, with their own
styles, prices, languages, booking modes, weekly hours and portfolios of generated pictures, so
every filter and sort of the search visibly does something (docs/search.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time

WEEKDAYS, EVERY_DAY, WEEKEND = (1, 2, 3, 4, 5), (0, 1, 2, 3, 4, 5, 6), (0, 6)


@dataclass(frozen=True)
class DemoArtist:
    slug: str
    name: str
    bio: str
    studio_name: str
    district: str
    address: str
    price_from: int
    languages: list[str]
    booking_mode: str
    instagram: str
    # (days, start, end) in Asia/Ulaanbaatar
    hours: list[tuple[tuple[int, ...], time, time]]
    # (motif of tattoo.site.demo_images, description, tags)
    works: list[tuple[str, str, list[str]]]
    hourly_rate: int | None = None
    city: str = "Улаанбаатар"
    session_minutes: int = 120
    # Away from `away_days[0]` to `away_days[1]` days from the seeding day (a convention).
    away_days: tuple[int, int] | None = None
    heal_days: int = 21

    @property
    def email(self) -> str:
        return f"{self.slug}@demo.inkbook.test"


def image_key(user_id: int, slug: str, index: int) -> str:
    """A fixed key per demo item under the artist's own prefix, in the shape uploads makes."""
    return f"portfolio/{user_id}/{uuid.uuid5(uuid.NAMESPACE_URL, f'inkbook-demo/{slug}/{index}').hex}.png"


ARTISTS = [
    DemoArtist(
        slug="batbayar",
        name="Батбаяр Ганзориг",
        bio="Уламжлалт флаш, тод зураас. Traditional flash with bold lines, walk-ins on Saturdays.",
        studio_name="Хар Чоно Студи",
        district="bayangol",
        address="Энхтайваны өргөн чөлөө 44, 2 давхар",
        price_from=80_000,
        languages=["mn", "ru"],
        booking_mode="direct",
        instagram="batbayar.flash",
        hours=[((2, 3, 4, 5, 6), time(12), time(20))],
        works=[
            ("flash", "Од ба тууз, гарын шуу", ["traditional", "flash"]),
            ("flash", "Lucky star flash, calf", ["traditional", "flash"]),
            ("rose", "Улаан сарнай, мөр", ["traditional", "color"]),
        ],
    ),
    DemoArtist(
        slug="olziibayar",
        name="Өлзийбаяр Дорж",
        bio="Нарийн зураас, цэцэг ургамал. Fine-line botanicals, small and delicate pieces.",
        studio_name="Ulzii Ink",
        district="khan_uul",
        address="Зайсан, Seoul street 12",
        price_from=60_000,
        languages=["mn", "en"],
        booking_mode="both",
        instagram="ulzii.ink",
        hours=[(WEEKDAYS, time(11), time(19))],
        works=[
            ("rose", "Fine-line rose, wrist", ["fine-line", "floral"]),
            ("watercolor", "Шувуу, өнгөт усан будаг", ["fine-line", "watercolor"]),
            ("mandala", "Small dotwork flower, ankle", ["fine-line", "dotwork"]),
        ],
    ),
    DemoArtist(
        slug="khulan",
        name="Khulan Enkhbold",
        bio="Realism and portraits in black and grey. Custom pieces only: tell me your idea first.",
        studio_name="Grey Room",
        district="chingeltei",
        address="Peace Tower, 7th floor",
        price_from=250_000,
        hourly_rate=150_000,
        languages=["mn", "en", "ko"],
        booking_mode="request",
        instagram="khulan.realism",
        hours=[((1, 2, 3, 4), time(10), time(18))],
        works=[
            ("portrait", "Portrait of a grandmother, forearm", ["realism", "portrait"]),
            ("portrait", "Black and grey portrait, upper arm", ["realism", "black and grey"]),
            ("koi", "Realistic koi study", ["realism"]),
        ],
        session_minutes=240,
    ),
    DemoArtist(
        slug="enkhtuya",
        name="Энхтуяа Баатар",
        bio="Өнгөт усан будгийн хэв маяг. Watercolour pieces that heal bright.",
        studio_name="Өнгө Студи",
        district="bayanzurkh",
        address="13-р хороолол, Их тойруу 22",
        price_from=120_000,
        languages=["mn", "zh"],
        booking_mode="both",
        instagram="",
        hours=[(WEEKEND, time(10), time(17)), ((3,), time(14), time(20))],
        works=[
            ("watercolor", "Өнгөт шувуу, бугуй", ["watercolor", "color"]),
            ("watercolor", "Watercolour swallow, shoulder", ["watercolor"]),
            ("watercolor", "Colour splash behind a bird", ["watercolor", "color"]),
        ],
    ),
    DemoArtist(
        slug="temuulen",
        name="Temuulen Ganbat",
        bio="Geometry and dotwork: sacred geometry, mandalas, patterns that wrap the arm.",
        studio_name="Dot & Line",
        district="songinokhairkhan",
        address="Khoroolol 3, Bayanbulag street 5",
        price_from=90_000,
        languages=["mn", "en"],
        booking_mode="direct",
        instagram="temuulen.dots",
        hours=[(WEEKDAYS, time(9), time(15))],
        works=[
            ("geometric", "Hexagon stack, forearm", ["geometric", "blackwork"]),
            ("mandala", "Mandala, sternum", ["dotwork", "mandala"]),
            ("geometric", "Triangles sleeve start", ["geometric"]),
        ],
    ),
    DemoArtist(
        slug="munkhzul",
        name="Мөнхзул Сүх",
        bio="Бичвэр, жижиг шивээс. Script and small first tattoos, evenings after work.",
        studio_name="",
        district="sukhbaatar",
        address="Бага тойруу 8",
        price_from=40_000,
        languages=["mn"],
        booking_mode="direct",
        instagram="munkhzul.script",
        hours=[(WEEKDAYS, time(17), time(22))],
        works=[
            ("script", "Бичвэр, бугуй", ["script", "lettering"]),
            ("script", "Script on the collarbone", ["script"]),
            ("script", "A word for mum", ["script", "lettering"]),
        ],
        session_minutes=60,
    ),
    DemoArtist(
        slug="baterdene",
        name="Bat-Erdene Tsogt",
        bio="Japanese large-scale work: koi, waves, back pieces over several sessions.",
        studio_name="Irezumi UB",
        district="bayangol",
        address="Narnii zam 60, Bayangol hotel block",
        price_from=300_000,
        hourly_rate=180_000,
        languages=["mn", "en", "ja"],
        booking_mode="request",
        instagram="irezumi.ub",
        hours=[((1, 3, 5), time(10), time(19))],
        works=[
            ("koi", "Koi, first session of a sleeve", ["japanese", "koi"]),
            ("waves", "Wave background, back piece", ["japanese", "waves"]),
            ("koi", "Koi and waves, thigh", ["japanese", "koi", "color"]),
        ],
        session_minutes=240,
        heal_days=28,
    ),
    DemoArtist(
        slug="tsetsegmaa",
        name="Цэцэгмаа Ганхуяг",
        bio="Монгол хээ, өлзий, уламжлалт угалз. Mongolian ornament and the endless knot.",
        studio_name="Хээ Угалз",
        district="nalaikh",
        address="Налайх, 2-р хороо, Соёлын төв",
        price_from=70_000,
        languages=["mn"],
        booking_mode="both",
        instagram="khee.ugalz",
        hours=[((1, 2, 3, 4, 5, 6), time(10), time(16))],
        works=[
            ("ornament", "Өлзий хээ, гарын ар", ["mongolian ornament", "хээ"]),
            ("ornament", "Угалз, мөр", ["mongolian ornament", "хээ"]),
            ("mandala", "Хээтэй мандала", ["хээ", "dotwork"]),
        ],
        away_days=(1, 12),
    ),
    DemoArtist(
        slug="anujin",
        name="Anujin Batsaikhan",
        bio="Cover-ups and heavy blackwork. Old tattoo you regret? Let us talk.",
        studio_name="Blackout Studio",
        district="khan_uul",
        address="Khan-Uul, 19th district, Marshal town",
        price_from=100_000,
        languages=["mn", "en", "ru"],
        booking_mode="both",
        instagram="anujin.blackout",
        hours=[(WEEKDAYS, time(12), time(20))],
        works=[
            ("geometric", "Blackwork band cover-up", ["blackwork", "cover-up"]),
            ("mandala", "Dense blackwork mandala", ["blackwork"]),
            ("waves", "Black waves cover-up, calf", ["blackwork", "cover-up"]),
        ],
    ),
    DemoArtist(
        slug="temuujin",
        name="Тэмүүжин Оюун",
        bio="Нео-традицнл: тод өнгө, зузаан зураас. Neo-traditional animals and flowers.",
        studio_name="Neo Tengri",
        district="chingeltei",
        address="Чингэлтэй, Жамъян гүний гудамж 5",
        price_from=110_000,
        languages=["mn", "ko"],
        booking_mode="direct",
        instagram="neo.tengri",
        hours=[(EVERY_DAY, time(13), time(21))],
        works=[
            ("koi", "Нео-традицнл загас", ["neo-traditional", "color"]),
            ("rose", "Neo-traditional rose", ["neo-traditional", "floral"]),
            ("flash", "Star with banner", ["neo-traditional"]),
        ],
    ),
    DemoArtist(
        slug="nomin",
        name="Nomin Erdene",
        bio="Minimal fine-line: tiny symbols, first tattoos, careful and calm.",
        studio_name="Nomin Tattoo",
        district="bayanzurkh",
        address="Sansar, Tokyo street 33",
        price_from=50_000,
        languages=["en", "mn"],
        booking_mode="direct",
        instagram="nomin.fineline",
        hours=[(WEEKEND, time(11), time(18))],
        works=[
            ("script", "Tiny word, finger", ["fine-line", "minimal"]),
            ("geometric", "Small triangle, wrist", ["fine-line", "minimal", "geometric"]),
            ("rose", "Single-needle rose", ["fine-line", "floral"]),
        ],
        session_minutes=90,
    ),
    DemoArtist(
        slug="ganbaatar",
        name="Ганбаатар Болд",
        bio="Дархан хотод: blackwork, tribal and old-school flash. Guest spots in Ulaanbaatar twice a year.",
        studio_name="Дархан Инк",
        district="",
        city="Дархан",
        address="Дархан, 4-р баг, Төв зах",
        price_from=60_000,
        languages=["mn", "ru"],
        booking_mode="both",
        instagram="darkhan.ink",
        hours=[((2, 4, 6), time(10), time(18))],
        works=[
            ("flash", "Tribal star, shoulder", ["tribal", "flash"]),
            ("geometric", "Tribal band", ["tribal", "blackwork"]),
            ("waves", "Old-school waves", ["traditional"]),
        ],
    ),
]

# The README's artist (artist@inkbook.test, "Saraa Bold"): its profile, and two more pieces beside
# the seeded rose.
MAIN_PROFILE = {
    "studio_name": "Black Orchid Tattoo",
    "district": "sukhbaatar",
    "address": "Сөүлийн гудамж 21, 3 давхар",
    "price_from": 150_000,
    "hourly_rate": 120_000,
    "languages": ["mn", "en"],
    "instagram": "saraa.ink",
    "booking_mode": "both",
}
MAIN_WORKS = [
    ("mandala", "Black-and-grey mandala, shoulder", ["blackwork", "black and grey"]),
    ("waves", "Fine-line waves, forearm", ["fine-line"]),
]
