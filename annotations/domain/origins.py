"""Where an annotation came from: a person, a model's suggestion, or a file made elsewhere.

A machine suggestion names its model (and version) and how confident the model
was; the other origins have neither. Set when the annotation is created and
never edited: a person who corrects a suggestion does not make it theirs (the
history says who changed what).
"""

from .errors import InvalidInput
from .labels import LabelledEnum


class Origin(LabelledEnum):
    HUMAN = "human", "Human"
    MACHINE = "machine", "Machine suggestion"
    IMPORT = "import", "Imported"


def check_origin_fields(origin: str, model: str, confidence: float | None) -> None:
    """Refuse, by name, a model or confidence on what is not a machine suggestion, and a
    confidence outside 0..1."""
    errors: dict[str, list[str]] = {}
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, int | float)):
        raise InvalidInput({"confidence": [f"{confidence!r} is not a number between 0 and 1."]})
    if origin not in {member.value for member in Origin}:
        errors["origin"] = [f"{origin!r} is not an origin: one of {', '.join(m.value for m in Origin)}."]
    elif origin != Origin.MACHINE:
        if model:
            errors["model"] = [f"Only machine suggestions name a model, not {origin} annotations."]
        if confidence is not None:
            errors["confidence"] = [f"Only machine suggestions have a confidence, not {origin} annotations."]
    if confidence is not None and not 0 <= confidence <= 1:
        errors.setdefault("confidence", []).append("A confidence is between 0 and 1.")
    if errors:
        raise InvalidInput(errors)
