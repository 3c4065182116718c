from django.db import migrations


def index_claims_by_word(apps, schema_editor):
    """Similar claims are found through the words they share (selectors/claims.py): a GIN index
    over claims' words, whose statistics also say which words are common. It replaces the
    trigram GiST index, whose distance-ordered walk read nearly all of it for any claim of
    more than a word or two (BENCHMARKS.md)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS annotation_claim_words ON annotations_annotation "
        "USING gin (to_tsvector('simple', quote)) WHERE kind = 'claim'"
    )
    schema_editor.execute("DROP INDEX IF EXISTS annotation_claim_quote_trgm")
    schema_editor.execute("ANALYZE annotations_annotation")  # the words' statistics, at once


def back_to_the_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS annotation_claim_quote_trgm ON annotations_annotation "
        "USING gist (UPPER(quote) gist_trgm_ops) WHERE kind = 'claim'"
    )
    schema_editor.execute("DROP INDEX IF EXISTS annotation_claim_words")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0016_translation_quality")]

    operations = [migrations.RunPython(index_claims_by_word, back_to_the_trigram_index)]
