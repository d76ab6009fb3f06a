# The search entry also keeps the portfolio's tags (most used first) and its newest item, derived by
# the same function as the text: the list filters by style and draws its cards from one joined row
# per artist instead of reading every artist's portfolio on each page (docs/search.md).

from importlib import import_module

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

# `ids` NULL: every artist. `create` false: only artists that already have an entry (a portfolio
# item deleted with its artist must not bring the artist's entry back). The tags' words for the
# text stay in name order; `styles` orders them by use.
REFRESH_SQL = r"""
CREATE OR REPLACE FUNCTION inkbook_artist_search_refresh(ids bigint[], create_missing boolean) RETURNS void
LANGUAGE sql VOLATILE AS $f$
INSERT INTO artist_search (tattooist_id, names, document, styles, cover_id)
SELECT t.id,
       inkbook_search_key(concat_ws(' ', u.name, t.studio_name, tags.words)),
       setweight(to_tsvector('simple', inkbook_search_key(u.name)), 'A')
       || setweight(to_tsvector('simple', inkbook_search_key(t.studio_name)), 'B')
       || setweight(to_tsvector('simple', inkbook_search_key(tags.words)), 'C')
       || setweight(to_tsvector('simple', inkbook_search_key(t.bio)), 'D'),
       tags.styles,
       (SELECT p.id FROM portfolios p WHERE p.tattooist_id = t.id ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
  FROM tattooists t
  JOIN users u ON u.id = t.user_id
 CROSS JOIN LATERAL (
       SELECT coalesce(string_agg(used.tag, ' ' ORDER BY used.tag), '') AS words,
              coalesce(array_agg(used.tag ORDER BY used.n DESC, used.tag), '{}') AS styles
         FROM (SELECT tag, count(*) AS n
                 FROM portfolios p CROSS JOIN LATERAL unnest(p.style_tags) AS tag
                WHERE p.tattooist_id = t.id
                GROUP BY tag) used) tags
 WHERE (ids IS NULL OR t.id = ANY(ids))
   AND (create_missing OR EXISTS (SELECT 1 FROM artist_search s WHERE s.tattooist_id = t.id))
ON CONFLICT (tattooist_id) DO UPDATE
   SET names = EXCLUDED.names, document = EXCLUDED.document, styles = EXCLUDED.styles, cover_id = EXCLUDED.cover_id
$f$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0012_tattooist_city_may_be_empty'),
        ('portfolio', '0006_image_size_and_variants'),
        ('search', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='artistsearchentry',
            name='cover',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='portfolio.portfolioitem', verbose_name='cover'),
        ),
        migrations.AddField(
            model_name='artistsearchentry',
            name='styles',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=32), blank=True, default=list, size=None, verbose_name='styles'),
        ),
        migrations.AddIndex(
            model_name='artistsearchentry',
            index=django.contrib.postgres.indexes.GinIndex(fields=['styles'], name='artist_search_styles_gin'),
        ),
        migrations.RunSQL(
            REFRESH_SQL + "SELECT inkbook_artist_search_refresh(NULL, true);",
            reverse_sql=import_module("search.migrations.0001_initial").REFRESH_SQL,
        ),
    ]
