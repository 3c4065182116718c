"""Articles, their annotations and the annotations' history (import them from here)."""

from .annotations import DUPLICATE_SPAN_MESSAGE, UNIQUE_SPAN, Annotation, ClaimGroup, unique_span
from .articles import Article, ArticleErrorTally, ArticleRevision
from .choices import (
    ArtifactType,
    ChangeType,
    EntityType,
    HistoryAction,
    Kind,
    Origin,
    Rating,
    Severity,
    Status,
    WithdrawalReason,
)
from .feed import Change, FeedHorizon, WebhookDelivery, WebhookSubscription
from .history import AnnotationEvent, DeletedAnnotation
from .imports import AnnotationImport, ImportState

__all__ = [
    "DUPLICATE_SPAN_MESSAGE",
    "UNIQUE_SPAN",
    "Annotation",
    "AnnotationEvent",
    "AnnotationImport",
    "Article",
    "ArticleErrorTally",
    "ArticleRevision",
    "ArtifactType",
    "Change",
    "ChangeType",
    "ClaimGroup",
    "DeletedAnnotation",
    "EntityType",
    "FeedHorizon",
    "HistoryAction",
    "ImportState",
    "Kind",
    "Origin",
    "Rating",
    "Severity",
    "Status",
    "WebhookDelivery",
    "WebhookSubscription",
    "WithdrawalReason",
    "unique_span",
]
