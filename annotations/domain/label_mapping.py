"""Other tools' labels as Copydesk's kinds and types.

A label maps to the fields of an annotation: `{"kind": "entity", "entity_type":
"PERSON"}`. The defaults take the obvious names, case-insensitively: every
OntoNotes entity type and its common spellings (PER, ORGANIZATION, LOCATION,
...) as entities, CLAIM as a claim, and every artifact type's name as a
translation artifact. A mapping given with an import (a JSON object of label ->
fields, or label -> a default name such as "PERSON" or "claim") comes first.
"""

from collections.abc import Mapping

from .errors import InvalidInput
from .kinds import ArtifactType, EntityType, Kind, check_kind_fields

_ALIASES = {
    "PER": EntityType.PERSON,
    "PERS": EntityType.PERSON,
    "ORGANIZATION": EntityType.ORG,
    "ORGANISATION": EntityType.ORG,
    "LOCATION": EntityType.LOC,
    "MONEY_AMOUNT": EntityType.MONEY,
}

DEFAULT_MAPPING: dict[str, dict[str, str]] = {
    **{t.value: {"kind": Kind.ENTITY.value, "entity_type": t.value} for t in EntityType},
    **{alias: {"kind": Kind.ENTITY.value, "entity_type": t.value} for alias, t in _ALIASES.items()},
    "CLAIM": {"kind": Kind.CLAIM.value},
    **{t.value.upper(): {"kind": Kind.TRANSLATION_ARTIFACT.value, "artifact_type": t.value} for t in ArtifactType},
}
_FIELDS = {"kind", "entity_type", "artifact_type", "severity", "suggested_correction", "claimant", "rating"}


def mapping_of(given: object) -> dict[str, dict[str, str]]:
    """A mapping given with an import, checked: each label to the fields of its annotations (or
    to a default label's). Refused by name where a label maps to nothing Copydesk has."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise InvalidInput({"mapping": ["A JSON object of label -> fields (or a default label's name)."]})
    mapping, errors = {}, []
    for label, target in given.items():
        if isinstance(target, str) and target.upper() in DEFAULT_MAPPING:
            mapping[str(label).upper()] = DEFAULT_MAPPING[target.upper()]
            continue
        if not isinstance(target, Mapping) or target.get("kind") not in {k.value for k in Kind}:
            errors.append(f"{label!r}: map it to a kind (claim, entity, translation_artifact) and its type")
            continue
        unknown = sorted(set(target) - _FIELDS)
        if unknown:
            errors.append(f"{label!r}: {unknown[0]!r} is not a field a label can set")
            continue
        try:
            check_kind_fields(target["kind"], dict(target))
        except InvalidInput as error:
            errors.append(f"{label!r}: {error}")
            continue
        mapping[str(label).upper()] = {key: str(value) for key, value in target.items()}
    if errors:
        raise InvalidInput({"mapping": errors})
    return mapping


def fields_for(label: str, mapping: Mapping[str, dict[str, str]]) -> dict[str, str]:
    """The annotation fields of a label: the import's mapping first, then the defaults."""
    key = label.upper()
    found = mapping.get(key) or DEFAULT_MAPPING.get(key)
    if found is None:
        raise KeyError(f"the label {label!r} maps to no kind: give a mapping for it")
    return dict(found)
