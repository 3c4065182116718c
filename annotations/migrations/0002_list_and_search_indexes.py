from django.conf import settings
from django.db import migrations, models


def _trigram_index(apps, schema_editor):
    """`q` is UPPER(quote) LIKE UPPER('%text%') on PostgreSQL; a trigram index on
    that expression finds rare text without reading every row. SQLite has none."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS annotation_quote_upper_trgm ON annotations_annotation "
        "USING gin (UPPER(quote) gin_trgm_ops)"
    )


def _drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS annotation_quote_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(fields=["start", "id"], name="annotation_start_id_idx"),
        ),
        migrations.RunPython(_trigram_index, _drop_trigram_index),
    ]
