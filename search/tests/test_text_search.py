"""`q`: name, studio, tags and bio, in either script, by prefix and with small typos (docs/search.md)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from accounts.tests.factories import TattooistFactory
from portfolio.models import PortfolioItem
from portfolio.tests.factories import PortfolioItemFactory
from search.models import ArtistSearchEntry
from search.tests.helpers import listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def artists():
    return {
        "saraa": TattooistFactory(user__name="Сараа Болд", bio="Нарийн зураас."),
        "bataa": TattooistFactory(user__name="Bataa Ganbold", bio="Bold traditional flash."),
        "olzii": TattooistFactory(user__name="Өлзий Дорж", bio="Dotwork."),
        "khulan": TattooistFactory(user__name="Khulan Enkhbold", bio="Realism."),
        "oyun": TattooistFactory(user__name="Оюунчимэг Цэцэг", bio="Watercolour."),
    }


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("saraa", "saraa"),  # Latin finds Cyrillic
        ("Saraa Bold", "saraa"),
        ("Батаа", "bataa"),  # Cyrillic finds Latin
        ("БАТАА", "bataa"),
        ("olzii", "olzii"),  # Ө written o ...
        ("ulzii", "olzii"),  # ... or u ...
        ("Ölzii", "olzii"),  # ... or ö (MNS 5217:2012)
        ("Olziy", "olzii"),  # ий written iy
        ("Хулан", "khulan"),  # х is kh ...
        ("Hulan", "khulan"),  # ... or h ...
        ("xulan", "khulan"),  # ... or x, as typed in chat
        ("oyunchimeg", "oyun"),
        ("Tsetseg", "oyun"),  # ц is ts
    ],
)
def test_either_script_finds_the_other(api_client, artists, text, who):
    assert listed(api_client, q=text) == [artists[who].pk]


def test_words_are_prefixes_and_all_of_them_must_match(api_client, artists):
    assert listed(api_client, q="сар") == [artists["saraa"].pk]
    assert listed(api_client, q="Ganb") == [artists["bataa"].pk]
    assert listed(api_client, q="bataa ganb") == [artists["bataa"].pk]
    assert listed(api_client, q="bataa dorj") == []


def test_a_small_typo_in_a_name_is_forgiven(api_client, artists):
    assert listed(api_client, q="Oyunchimig") == [artists["oyun"].pk]
    assert listed(api_client, q="Khulan Enhkbold") == [artists["khulan"].pk]


def test_studio_tags_and_bio_are_searched_and_names_rank_first(api_client):
    named = TattooistFactory(user__name="Koi Bat", bio="Portraits.")
    studio = TattooistFactory(user__name="Anu", studio_name="Koi House", bio="Flowers.")
    tagged = TattooistFactory(user__name="Dulmaa", bio="Anything.")
    PortfolioItemFactory(tattooist=tagged, style_tags=["koi"])
    bio = TattooistFactory(user__name="Tuya", bio="I love a koi on the calf.")
    TattooistFactory(user__name="Nobody", bio="Roses.")

    assert listed(api_client, q="koi") == [named.pk, studio.pk, tagged.pk, bio.pk]  # weights A, B, C, D
    assert listed(api_client, q="хээ") == []
    PortfolioItemFactory(tattooist=tagged, style_tags=["хээ"])
    assert listed(api_client, q="khee") == [tagged.pk]


def test_a_text_without_letters_or_digits_searches_nothing_and_lists_everyone(api_client, artists):
    everyone = listed(api_client)
    assert len(everyone) == 5
    for text in ("%", "  ", "_", "...", "\\"):
        assert listed(api_client, q=text) == everyone, text


def test_the_search_follows_renames_new_tags_and_deleted_items(api_client):
    artist = TattooistFactory(user__name="Anu Bold")
    assert listed(api_client, q="anu") == [artist.pk]

    artist.user.name = "Гэрэл Бат"
    artist.user.save()
    assert listed(api_client, q="anu") == []
    assert listed(api_client, q="gerel") == [artist.pk]

    item = PortfolioItemFactory(tattooist=artist, style_tags=["blackwork"])
    assert listed(api_client, q="blackw") == [artist.pk]
    item.style_tags = ["dotwork"]
    item.save(update_fields=["style_tags", "updated_at"])
    assert listed(api_client, q="blackw") == []
    assert listed(api_client, q="dotw") == [artist.pk]
    item.delete()
    assert listed(api_client, q="dotw") == []

    artist.studio_name = "Хар Шувуу"
    artist.save(update_fields=["studio_name"])
    assert listed(api_client, q="har shuvuu") == [artist.pk]


def test_deleting_an_artist_with_a_portfolio_leaves_no_search_entry_behind(api_client):
    artist = TattooistFactory()
    PortfolioItemFactory.create_batch(2, tattooist=artist, style_tags=["koi"])

    User.objects.filter(pk=artist.user_id).delete()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the commit would check
    assert not ArtistSearchEntry.objects.filter(tattooist_id=artist.pk).exists()
    assert not PortfolioItem.objects.exists()
