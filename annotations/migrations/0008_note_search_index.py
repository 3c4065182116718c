from django.db import migrations


def _trigram_index(apps, schema_editor):
    """The desk's search looks for words in the note as well as the quote and the article's
    title; with a trigram index on UPPER(note) every part of its OR has an index. SQLite has none."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS annotation_note_upper_trgm ON annotations_annotation "
            "USING gin (UPPER(note) gin_trgm_ops)"
        )


def _drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS annotation_note_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0007_article_search_indexes")]

    operations = [migrations.RunPython(_trigram_index, _drop_trigram_index)]
