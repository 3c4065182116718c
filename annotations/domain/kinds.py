"""The three kinds of annotation, their types, and which fields each kind has."""

from .errors import InvalidInput
from .labels import LabelledEnum


class Kind(LabelledEnum):
    CLAIM = "claim", "Claim"
    ENTITY = "entity", "Entity"
    TRANSLATION_ARTIFACT = "translation_artifact", "Translation artifact"


class EntityType(LabelledEnum):
    """OntoNotes 5 entity names."""

    PERSON = "PERSON", "Person"
    ORG = "ORG", "Organisation"
    GPE = "GPE", "Country, city, state"
    LOC = "LOC", "Location"
    NORP = "NORP", "Nationality, religious or political group"
    FAC = "FAC", "Facility"
    EVENT = "EVENT", "Event"
    DATE = "DATE", "Date"
    TIME = "TIME", "Time"
    MONEY = "MONEY", "Money"
    QUANTITY = "QUANTITY", "Quantity"
    PERCENT = "PERCENT", "Percent"
    CARDINAL = "CARDINAL", "Cardinal"
    ORDINAL = "ORDINAL", "Ordinal"
    LAW = "LAW", "Law"
    PRODUCT = "PRODUCT", "Product"
    WORK_OF_ART = "WORK_OF_ART", "Work of art"
    LANGUAGE = "LANGUAGE", "Language"


class ArtifactType(LabelledEnum):
    MISTRANSLATION = "mistranslation", "Mistranslation (wrong meaning)"
    WRONG_REFERENT = "wrong_referent", "Wrong referent (person, group or place)"
    LITERAL_RENDERING = "literal_rendering", "Literal rendering (idiom or nickname)"
    UNTRANSLATED = "untranslated", "Untranslated"
    OMISSION = "omission", "Omission"
    ADDITION = "addition", "Addition"
    GRAMMAR = "grammar", "Grammar"
    TERMINOLOGY = "terminology", "Terminology"
    BOILERPLATE = "boilerplate", "Boilerplate (not the article)"
    ENCODING = "encoding", "Encoding (garbled characters)"


class Rating(LabelledEnum):
    """A fact-checker's verdict on a claim, from true to false (ClaimReview's reviewRating)."""

    TRUE = "true", "True"
    MOSTLY_TRUE = "mostly_true", "Mostly true"
    MIXED = "mixed", "Mixed"
    MOSTLY_FALSE = "mostly_false", "Mostly false"
    FALSE = "false", "False"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


class Severity(LabelledEnum):
    """An error's severity as MQM grades it (its penalty weights are settings)."""

    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


# Which optional attributes belong to which kind, and which one each kind requires.
# The database's check constraints say the same (models/annotations.py).
KIND_FIELDS: dict[str, set[str]] = {
    Kind.CLAIM: {"claimant", "rating", "rating_explanation", "claim_date"},
    Kind.ENTITY: {"entity_type"},
    Kind.TRANSLATION_ARTIFACT: {"artifact_type", "suggested_correction", "severity"},
}
KIND_REQUIRED: dict[str, str] = {Kind.ENTITY: "entity_type", Kind.TRANSLATION_ARTIFACT: "artifact_type"}
KIND_SPECIFIC_FIELDS = sorted(set().union(*KIND_FIELDS.values()))
# What a kind-specific field holds when not given: a translation artifact is a minor error
# until someone grades it; the rest are empty ('' in the table, null in records; a date: None).
KIND_DEFAULTS: dict[str, dict[str, object]] = {Kind.TRANSLATION_ARTIFACT: {"severity": Severity.MINOR.value}}
# Fields whose values are one of a set (the API and the desk check them too; the services must
# not depend on that).
KIND_FIELD_CHOICES: dict[str, type[LabelledEnum]] = {"rating": Rating, "severity": Severity}
EMPTY_VALUES: dict[str, object] = {"claim_date": None}


def kind_field_values(kind: str, given: dict) -> dict:
    """Every kind-specific field's value for an annotation of `kind`: what was given (None and
    '' meaning "none"), else the kind's default, else empty."""
    values = {}
    for field in KIND_SPECIFIC_FIELDS:
        value = given.get(field)
        if value in (None, ""):
            value = KIND_DEFAULTS.get(kind, {}).get(field, EMPTY_VALUES.get(field, ""))
        values[field] = value
    return values


def check_kind_fields(kind: str, values: dict) -> None:
    """Refuse kind-specific fields given to another kind, and a missing required one, by name."""
    errors: dict[str, list[str]] = {}
    for field in KIND_SPECIFIC_FIELDS:
        if values.get(field) and field not in KIND_FIELDS[kind]:
            owners = " or ".join(k for k, fields in KIND_FIELDS.items() if field in fields)
            errors[field] = [f"{field} belongs to {owners} annotations, not to {kind} annotations."]
    for field, choices in KIND_FIELD_CHOICES.items():
        value = values.get(field)
        if value and value not in {member.value for member in choices} and field not in errors:
            errors[field] = [f"{value!r} is not a {field}: one of {', '.join(member.value for member in choices)}."]
    required = KIND_REQUIRED.get(kind)
    if required and not values.get(required):
        errors[required] = [f"This field is required for {kind} annotations."]
    if errors:
        raise InvalidInput(errors)
