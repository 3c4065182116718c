"""Articles, their annotations and the annotations' history (import them from here)."""

from .annotations import DUPLICATE_SPAN_MESSAGE, Annotation
from .articles import Article, ArticleRevision
from .choices import ArtifactType, EntityType, HistoryAction, Kind, Status
from .history import AnnotationEvent, DeletedAnnotation

__all__ = [
    "DUPLICATE_SPAN_MESSAGE",
    "Annotation",
    "AnnotationEvent",
    "Article",
    "ArticleRevision",
    "ArtifactType",
    "DeletedAnnotation",
    "EntityType",
    "HistoryAction",
    "Kind",
    "Status",
]
