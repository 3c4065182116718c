from django.db import migrations


def _trigram_indexes(apps, schema_editor):
    """The articles' `q` is UPPER(title) or UPPER(body) LIKE UPPER('%word%') per word on
    PostgreSQL; trigram indexes on those expressions find a rare word without reading
    every body (130 ms to 4 ms over 2,500 articles, BENCHMARKS.md). SQLite has none."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in ("title", "body"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS article_{column}_upper_trgm ON annotations_article "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def _drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ("title", "body"):
            schema_editor.execute(f"DROP INDEX IF EXISTS article_{column}_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0006_deleted_annotations")]

    operations = [migrations.RunPython(_trigram_indexes, _drop_trigram_indexes)]
