from django.db import migrations, models

# The services' own helper, so that stored context is the same however a row got it.
from annotations.domain.spans import span_context

ARTICLES_PER_BATCH = 100  # article bodies held at once while their annotations' context is cut


def _context_batches(apps, using: str):
    """Lists of (annotation id, prefix, suffix), a batch of articles at a time, in id order."""
    articles = apps.get_model("annotations", "Article").objects.using(using)
    annotations = apps.get_model("annotations", "Annotation").objects.using(using)
    article_ids = list(articles.order_by("id").values_list("id", flat=True))
    for first in range(0, len(article_ids), ARTICLES_PER_BATCH):
        bodies = dict(articles.filter(id__in=article_ids[first : first + ARTICLES_PER_BATCH]).values_list("id", "body"))
        spans = annotations.filter(article_id__in=bodies).order_by("id").values_list("id", "article_id", "start", "end")
        yield [(pk, *span_context(bodies[article_id], start, end)) for pk, article_id, start, end in spans]


def _fill_context(apps, schema_editor):
    """Store the prefix and suffix of every existing annotation."""
    connection = schema_editor.connection
    table = connection.ops.quote_name(apps.get_model("annotations", "Annotation")._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for rows in _context_batches(apps, connection.alias):
                cursor.executemany(
                    f"UPDATE {table} SET prefix = %s, suffix = %s WHERE id = %s",  # noqa: S608 - the model's table
                    [(prefix, suffix, pk) for pk, prefix, suffix in rows],
                )
            return
        # A million one-row UPDATEs take minutes on PostgreSQL; COPY into a scratch
        # table and one joined UPDATE take seconds.
        cursor.execute("CREATE TEMPORARY TABLE annotation_context (id bigint, prefix text, suffix text) ON COMMIT DROP")
        for rows in _context_batches(apps, connection.alias):
            with cursor.cursor.copy("COPY annotation_context (id, prefix, suffix) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} AS a SET prefix = c.prefix, suffix = c.suffix "  # noqa: S608 - the model's table
            "FROM annotation_context AS c WHERE a.id = c.id"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0002_list_and_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="prefix",
            field=models.TextField(blank=True, default="", editable=False, help_text="Body text just before the span."),
        ),
        migrations.AddField(
            model_name="annotation",
            name="suffix",
            field=models.TextField(blank=True, default="", editable=False, help_text="Body text just after the span."),
        ),
        migrations.RunPython(_fill_context, migrations.RunPython.noop, elidable=True),
    ]
