"""Enumerations whose members carry a human label, as Django's choices do."""

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members are declared as `NAME = "value", "Label"`."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
