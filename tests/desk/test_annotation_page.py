"""An annotation's own page: its span in its sentence, its correction and note before the review
buttons, and what each edit changed."""

import re

from django.urls import reverse

from annotations.services.annotations import annotation_create, annotation_update
from annotations.services.reviews import annotation_reject


def page_of(client, annotation):
    return client.get(reverse("admin:annotations_annotation_change", args=[annotation.pk])).content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_span_stands_in_its_sentence_with_correction_and_note_before_the_buttons(
    article, annotator, reviewer, browser_for
):
    artifact = annotation_create(
        actor=annotator,
        article=article,
        kind="translation_artifact",
        quote="Зеленский",
        artifact_type="untranslated",
        suggested_correction="Zelensky",
        note="Left in Cyrillic by the translation.",
    )
    html = page_of(browser_for(reviewer), artifact)
    section = re.search(r'<section class="desk-in-text.*?</section>', html, re.S).group()
    assert "Prime Minister 🇯🇵 Fumio Kishida met Зеленский in Kyiv 🙂." in text_of(section)
    mark = '<mark class="desk-mark desk-translation_artifact" data-status="pending">Зеленский</mark>'
    assert mark in section
    assert "Correction Zelensky" in text_of(section) and "Note Left in Cyrillic by the translation." in text_of(section)
    assert html.index('class="desk-in-text') < html.index('name="decision" value="approve"')


def test_the_history_says_what_each_edit_changed(article, annotator, reviewer, browser_for):
    claim = annotation_create(actor=annotator, article=article, kind="claim", quote="Kyiv was calm", note="first")
    annotation_reject(actor=reviewer, annotation_id=claim.pk, comment="Who says so?")
    annotation_update(actor=annotator, annotation_id=claim.pk, claimant="the city", note="")
    html = page_of(browser_for(reviewer), claim)
    rows = re.findall(r'<td class="field-changed">(.*?)</td>', html, re.S)
    assert [text_of(row) for row in rows] == ["—", "—", "claimant: “” → “the city” note: “first” → “”"]
