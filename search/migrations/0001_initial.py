# The artist search (docs/search.md): PostgreSQL's pg_trgm and unaccent, the search key (the one
# home of the Cyrillic/Latin folding), the prefix query built from it, the entry table and the
# function that derives an entry from an artist's name, studio, portfolio tags and bio.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

# C and other non-Unicode locales lower() only ASCII, so Cyrillic capitals are mapped explicitly.
# Steps: (1) Cyrillic to Latin after MNS 5217:2012 (е ye, ё yo, ж j, й i, ө ö, ү ü, х kh written h,
# ц ts written c, ч ch, ш/щ sh, ъ i, ы y, ь i, ю yu, я ya); (2) unaccent and lower case; (3) the
# informal spellings folded together: kh/x -> h, zh -> j, ts -> c, ye -> e, y -> i, o -> u, v/w -> u;
# (4) anything but a-z and 0-9 becomes a space, a doubled letter one letter.
SEARCH_KEY_SQL = r"""
CREATE OR REPLACE FUNCTION inkbook_search_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
SELECT btrim(regexp_replace(regexp_replace(
  translate(
    replace(replace(replace(replace(replace(
      lower(public.unaccent('public.unaccent'::regdictionary,
        translate(
          replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
            value,
            'Е', 'Ye'), 'е', 'ye'), 'Ё', 'Yo'), 'ё', 'yo'), 'Ч', 'Ch'), 'ч', 'ch'), 'Ш', 'Sh'), 'ш', 'sh'),
            'Щ', 'Sh'), 'щ', 'sh'), 'Ю', 'Yu'), 'ю', 'yu'), 'Я', 'Ya'), 'я', 'ya'),
          'АБВГДЖЗИЙКЛМНОӨПРСТУҮФХЦЪЫЬЭабвгджзийклмноөпрстуүфхцъыьэ',
          'ABVGDJZIIKLMNOÖPRSTUÜFHCIYIEabvgdjziiklmnoöprstuüfhciyie'))),
      'kh', 'h'), 'zh', 'j'), 'ts', 'c'), 'ye', 'e'), 'x', 'h'),
    'yovw', 'iuuu'),
  '[^a-z0-9]+', ' ', 'g'),
  '([a-z])\1+', '\1', 'g'))
$f$;

-- Every word of the key as a prefix, all of them required; NULL when nothing is left to search.
CREATE OR REPLACE FUNCTION inkbook_search_query(value text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
SELECT CASE WHEN count(*) = 0 THEN NULL ELSE to_tsquery('simple', string_agg(word || ':*', ' & ')) END
  FROM unnest(string_to_array(inkbook_search_key(value), ' ')) AS word
 WHERE word <> ''
$f$;
"""

# pg_trgm declares its operators as cheap as an integer comparison, so on a table of a few thousand
# rows the planner scans artist_search and computes a word similarity per row (~25 ms at 2,000
# artists) rather than use the trigram index (~2 ms). Its real cost, told to the planner, makes it
# use the index at any size (bench/README.md, "Finding an artist"). A role that may not alter the
# extension's function (some managed databases) keeps the scan: slower, same answers.
TRIGRAM_COST_SQL = r"""
DO $$
BEGIN
  ALTER FUNCTION word_similarity_commutator_op(text, text) COST 100;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'word_similarity_commutator_op keeps its cost: the trigram index may be skipped (docs/search.md)';
END
$$;
"""

# `ids` NULL: every artist. `create` false: only artists that already have an entry (a portfolio
# item deleted with its artist must not bring the artist's entry back).
REFRESH_SQL = r"""
CREATE OR REPLACE FUNCTION inkbook_artist_search_refresh(ids bigint[], create_missing boolean) RETURNS void
LANGUAGE sql VOLATILE AS $f$
INSERT INTO artist_search (tattooist_id, names, document)
SELECT t.id,
       inkbook_search_key(concat_ws(' ', u.name, t.studio_name, tags.words)),
       setweight(to_tsvector('simple', inkbook_search_key(u.name)), 'A')
       || setweight(to_tsvector('simple', inkbook_search_key(t.studio_name)), 'B')
       || setweight(to_tsvector('simple', inkbook_search_key(tags.words)), 'C')
       || setweight(to_tsvector('simple', inkbook_search_key(t.bio)), 'D')
  FROM tattooists t
  JOIN users u ON u.id = t.user_id
 CROSS JOIN LATERAL (
       SELECT coalesce(string_agg(DISTINCT tag, ' '), '') AS words
         FROM portfolios p CROSS JOIN LATERAL unnest(p.style_tags) AS tag
        WHERE p.tattooist_id = t.id) tags
 WHERE (ids IS NULL OR t.id = ANY(ids))
   AND (create_missing OR EXISTS (SELECT 1 FROM artist_search s WHERE s.tattooist_id = t.id))
ON CONFLICT (tattooist_id) DO UPDATE SET names = EXCLUDED.names, document = EXCLUDED.document
$f$;
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0009_artist_profile_and_rating"),
        ("portfolio", "0006_image_size_and_variants"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunSQL(TRIGRAM_COST_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            SEARCH_KEY_SQL,
            reverse_sql="DROP FUNCTION IF EXISTS inkbook_search_query(text); DROP FUNCTION IF EXISTS inkbook_search_key(text);",
        ),
        migrations.CreateModel(
            name='ArtistSearchEntry',
            fields=[
                ('tattooist', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_entry', serialize=False, to='accounts.tattooist', verbose_name='tattooist')),
                ('names', models.TextField(default='', verbose_name='names')),
                ('document', django.contrib.postgres.search.SearchVectorField(null=True, verbose_name='document')),
            ],
            options={
                'verbose_name': 'artist search entry',
                'verbose_name_plural': 'artist search entries',
                'db_table': 'artist_search',
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['document'], name='artist_search_document_gin'), django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass('names', name='gin_trgm_ops'), name='artist_search_names_trgm')],
            },
        ),
        migrations.RunSQL(
            REFRESH_SQL + "SELECT inkbook_artist_search_refresh(NULL, true);",
            reverse_sql="DROP FUNCTION IF EXISTS inkbook_artist_search_refresh(bigint[], boolean);",
        ),
    ]
