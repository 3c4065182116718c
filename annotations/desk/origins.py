"""Where an annotation came from, as the desk shows it: a machine suggestion's tag names its model and
confidence ("Suggested by ner-2 · 93 %"), an import's says "Imported", a person's has none. The same
tag on the article page's cards, the annotation's own page and the annotation list."""

import math

from django.utils.html import format_html

from annotations.models import Annotation, Origin


def percent(confidence: float) -> str:
    """A confidence as the desk says it: whole percents, rounded down, so that a suggestion shown at
    "90 %" is one that "90 % or more" takes (0.899 is "89 %")."""
    return f"{math.floor(confidence * 100 + 1e-9)}\u00a0%"


def origin_tag(annotation: Annotation) -> str:
    """The tag of a machine suggestion (its model and confidence) or an import; nothing for a person's."""
    if annotation.origin == Origin.MACHINE:
        model = annotation.model or "a model"
        if annotation.confidence is None:
            return format_html(
                '<span class="desk-origin desk-origin-machine" title="{}">Suggested by {}</span>',
                f"Machine suggestion by {model}, without a confidence",
                model,
            )
        return format_html(
            '<span class="desk-origin desk-origin-machine" title="{}">Suggested by {} · {}</span>',
            f"Machine suggestion by {model}, confidence {annotation.confidence:.3g}",
            model,
            percent(annotation.confidence),
        )
    if annotation.origin == Origin.IMPORT:
        return format_html(
            '<span class="desk-origin desk-origin-import" title="{}">Imported</span>',
            "Imported from a file made elsewhere",
        )
    return ""
