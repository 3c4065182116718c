"""The annotation list's correction and note columns: shortened with an ellipsis, whole on hover."""

import re
from html import unescape

from django.urls import reverse

CHANGELIST = reverse("admin:annotations_annotation_changelist")
LONG_NOTE = "The wire copy of the ministry's statement says the city was tense, not calm, all evening long."


def cell(html: str, column: str, row: int = 0) -> str:
    return re.findall(rf'<td class="field-{column}">(.*?)</td>', html, re.S)[row]


def test_the_list_shows_the_correction_and_the_note(article, annotator, reviewer, make_annotation, browser_for):
    make_annotation(
        annotator,
        article,
        kind="translation_artifact",
        quote="Зеленский",
        artifact_type="untranslated",
        suggested_correction="Zelensky",
        note=LONG_NOTE,
    )
    make_annotation(annotator, article, quote="Kyiv was calm")  # neither: dashes
    html = browser_for(reviewer).get(CHANGELIST).content.decode()
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)[^"]*">', html)
    assert headers[headers.index("status_badge") :][:3] == ["status_badge", "correction", "short_note"]
    assert (cell(html, "correction", 0), cell(html, "short_note", 0)) == ("—", "—")  # newest first
    assert cell(html, "correction", 1) == '<span title="Zelensky">Zelensky</span>'
    note = cell(html, "short_note", 1)
    shown = unescape(re.search(r">(.*)</span>", note).group(1))
    assert shown.endswith("…") and len(shown) == 60
    assert shown == LONG_NOTE[:59] + "…"
    assert unescape(re.search(r'title="([^"]*)"', note).group(1)) == LONG_NOTE  # the whole note on hover
