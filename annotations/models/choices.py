"""The domain's enumerations as Django choices, for model fields, forms and filters."""

from django.db import models

from annotations.domain import feed, kinds, origins, transitions
from annotations.domain.labels import LabelledEnum


def as_choices(enum: type[LabelledEnum]) -> type[models.TextChoices]:
    """Django TextChoices with the members, values and labels of a domain enumeration."""
    members = [(member.name, (member.value, member.label)) for member in enum]
    return models.TextChoices(enum.__name__, members, module=__name__)


Kind = as_choices(kinds.Kind)
EntityType = as_choices(kinds.EntityType)
ArtifactType = as_choices(kinds.ArtifactType)
Rating = as_choices(kinds.Rating)
Severity = as_choices(kinds.Severity)
Status = as_choices(transitions.Status)
Origin = as_choices(origins.Origin)
HistoryAction = as_choices(transitions.HistoryAction)
ChangeType = as_choices(feed.ChangeType)
WithdrawalReason = as_choices(feed.WithdrawalReason)
