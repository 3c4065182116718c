"""domain/kinds.py: which fields each kind of annotation has, and which it must have. No database."""

import pytest

from annotations.domain.errors import InvalidInput
from annotations.domain.kinds import (
    KIND_FIELDS,
    KIND_REQUIRED,
    ArtifactType,
    EntityType,
    Kind,
    check_kind_fields,
    kind_field_values,
)


def refusal(kind: str, **values) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as excinfo:
        check_kind_fields(kind, values)
    return excinfo.value.errors


def test_every_kind_has_its_fields_and_only_entities_and_artifacts_need_a_type():
    assert set(KIND_FIELDS) == set(Kind)
    assert {
        Kind.CLAIM: {"claimant", "rating", "rating_explanation", "claim_date"},
        Kind.ENTITY: {"entity_type"},
        Kind.TRANSLATION_ARTIFACT: {"artifact_type", "suggested_correction", "severity"},
    } == KIND_FIELDS
    assert KIND_REQUIRED == {Kind.ENTITY: "entity_type", Kind.TRANSLATION_ARTIFACT: "artifact_type"}


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("claim", {}),
        ("claim", {"claimant": "police", "entity_type": "", "artifact_type": ""}),
        ("entity", {"entity_type": "PERSON"}),
        ("translation_artifact", {"artifact_type": "omission", "suggested_correction": "add Rzeszow"}),
    ],
)
def test_each_kind_with_its_own_fields_passes(kind, values):
    """Empty values of other kinds' fields count as not given."""
    check_kind_fields(kind, values)


def test_a_missing_type_and_foreign_fields_are_named_together():
    """Every problem at once, each under its field."""
    assert refusal("entity", claimant="x", suggested_correction="y") == {
        "claimant": ["claimant belongs to claim annotations, not to entity annotations."],
        "suggested_correction": [
            "suggested_correction belongs to translation_artifact annotations, not to entity annotations."
        ],
        "entity_type": ["This field is required for entity annotations."],
    }
    assert refusal("translation_artifact") == {
        "artifact_type": ["This field is required for translation_artifact annotations."]
    }


def test_types_carry_their_labels():
    """Values are what the API takes; labels are what the desk shows."""
    assert (EntityType.GPE, EntityType.GPE.label) == ("GPE", "Country, city, state")
    assert (ArtifactType.BOILERPLATE, ArtifactType.BOILERPLATE.label) == (
        "boilerplate",
        "Boilerplate (not the article)",
    )
    assert [kind.value for kind in Kind] == ["claim", "entity", "translation_artifact"]


def test_an_artifact_is_minor_until_graded_and_other_kinds_hold_no_severity():
    assert kind_field_values(Kind.TRANSLATION_ARTIFACT, {"artifact_type": "grammar"})["severity"] == "minor"
    assert kind_field_values(Kind.TRANSLATION_ARTIFACT, {"severity": "critical"})["severity"] == "critical"
    claim = kind_field_values(Kind.CLAIM, {"rating": "false", "severity": None})
    assert (claim["severity"], claim["rating"], claim["claim_date"], claim["claimant"]) == ("", "false", None, "")


@pytest.mark.parametrize(
    ("kind", "field", "value"), [("claim", "rating", "pants_on_fire"), ("translation_artifact", "severity", "fatal")]
)
def test_a_rating_or_severity_outside_its_choices_is_refused_by_name(kind, field, value):
    values = {"artifact_type": "grammar"} if kind == "translation_artifact" else {}
    with pytest.raises(InvalidInput) as error:
        check_kind_fields(kind, {**values, field: value})
    assert value in error.value.errors[field][0]
