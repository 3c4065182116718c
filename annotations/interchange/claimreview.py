"""schema.org ClaimReview: one per approved, rated claim, as Google's fact-check documentation
asks for it (https://developers.google.com/search/docs/appearance/structured-data/factcheck).

The file is one JSON-LD document, `{"@context": "https://schema.org", "@graph": [...]}`,
streamed a chunk of claims at a time: each chunk's appearances (the articles where
the claim or an approved claim linked with it appears) and claimants' entity types
are read in one query each, so the queries grow with the chunks, not the claims.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.db.models import QuerySet

from annotations.domain.kinds import EntityType, Kind, Rating
from annotations.domain.records import api_datetime
from annotations.domain.transitions import Status
from annotations.models import Annotation

from . import stream
from .jsonld import Iris
from .stream import in_pieces

SCHEMA_ORG = "https://schema.org"
# The rating scale: Google reads 1 as false and 5 as true. "Unverifiable" has no place on it:
# its review carries the rating's name alone (alternateName), no number.
RATING_VALUES = {
    Rating.FALSE: 1,
    Rating.MOSTLY_FALSE: 2,
    Rating.MIXED: 3,
    Rating.MOSTLY_TRUE: 4,
    Rating.TRUE: 5,
}
WORST_RATING, BEST_RATING = 1, 5
# A claimant that an approved entity annotation names as one of these is an Organization; any
# other claimant a Person.
ORGANISATION_TYPES = (EntityType.ORG, EntityType.NORP, EntityType.GPE)


def rated_claims(annotations: QuerySet) -> QuerySet:
    """The annotations an export of claim reviews holds: claims with a rating."""
    return annotations.filter(kind=Kind.CLAIM).exclude(rating="")


@dataclass(frozen=True)
class Publisher:
    """The organisation that publishes the reviews (settings: CLAIMREVIEW_*)."""

    name: str
    url: str
    review_url: str  # a template with {id}; "" for the claim's API IRI

    @classmethod
    def from_settings(cls) -> "Publisher":
        return cls(settings.CLAIMREVIEW_AUTHOR_NAME, settings.CLAIMREVIEW_AUTHOR_URL, settings.CLAIMREVIEW_URL)

    def as_author(self) -> dict:
        author = {"@type": "Organization", "name": self.name}
        if self.url:
            author["url"] = self.url
        return author


def claim_review(claim: Annotation, *, appearances: list[dict], organisation: bool, iris: Iris, publisher: Publisher):
    """One claim as a ClaimReview. `appearances` are the NewsArticles where it (or a claim linked
    with it) appears, the earliest published first; `organisation`: whether its claimant is one."""
    label = Rating(claim.rating).label
    rating = {"@type": "Rating", "alternateName": label, "name": label}
    if claim.rating in RATING_VALUES:
        rating.update(ratingValue=RATING_VALUES[claim.rating], bestRating=BEST_RATING, worstRating=WORST_RATING)
    reviewed = {"@type": "Claim", "appearance": appearances, "firstAppearance": appearances[0]}
    if claim.claimant:
        reviewed["author"] = {"@type": "Organization" if organisation else "Person", "name": claim.claimant}
    if claim.claim_date:
        reviewed["datePublished"] = claim.claim_date.isoformat()
    review = {
        "@type": "ClaimReview",
        "@id": f"{iris.annotations}{claim.pk}/",
        "url": publisher.review_url.format(id=claim.pk) if publisher.review_url else f"{iris.annotations}{claim.pk}/",
        "claimReviewed": claim.quote,
        "reviewRating": rating,
        "itemReviewed": reviewed,
        "author": publisher.as_author(),
        "datePublished": claim.reviewed_at.date().isoformat(),
    }
    if claim.rating_explanation:
        review["reviewBody"] = claim.rating_explanation
    return review


def news_article(article, iris: Iris) -> dict:
    """Where a claim appears: the article, by its own URL when it has one."""
    appearance = {
        "@type": "NewsArticle",
        "url": article.url or f"{iris.articles}{article.pk}/",
        "headline": article.title,
    }
    if article.published_at:
        appearance["datePublished"] = api_datetime(article.published_at)
    if article.source:
        appearance["publisher"] = {"@type": "Organization", "name": article.source}
    return appearance


def _appearances(claims: list[Annotation], iris: Iris) -> dict[int, list[dict]]:
    """Each claim's appearances: its own article and those of the approved claims linked with it."""
    groups = {c.claim_group_id for c in claims if c.claim_group_id is not None}
    linked = defaultdict(dict)
    members = Annotation.objects.filter(claim_group__in=groups, status=Status.APPROVED).select_related("article")
    for member in members.order_by("id"):
        linked[member.claim_group_id][member.article_id] = member.article
    found = {}
    for claim in claims:
        articles = {claim.article_id: claim.article, **linked.get(claim.claim_group_id, {})}
        # The earliest published first (unknown dates last), then by id: firstAppearance.
        ordered = sorted(articles.values(), key=lambda a: (a.published_at is None, a.published_at or 0, a.pk))
        found[claim.pk] = [news_article(article, iris) for article in ordered]
    return found


def _organisations(claims: list[Annotation]) -> set[str]:
    """The claimants that an approved entity annotation tags as an organisation, group or state."""
    claimants = {c.claimant for c in claims if c.claimant}
    if not claimants:
        return set()
    entities = Annotation.objects.filter(
        kind=Kind.ENTITY, status=Status.APPROVED, entity_type__in=ORGANISATION_TYPES, quote__in=claimants
    )
    return set(entities.values_list("quote", flat=True).distinct())


def claimreview_texts(claims: QuerySet, iris: Iris, publisher: Publisher) -> Iterator[str]:
    yield f'{{"@context": "{SCHEMA_ORG}", "@graph": [\n'
    rows = claims.select_related("article").iterator(chunk_size=stream.CHUNK_ROWS)
    separator = ""
    with stream.reading(claims.db):
        while chunk := list(islice(rows, stream.CHUNK_ROWS)):
            appearances, organisations = _appearances(chunk, iris), _organisations(chunk)
            for claim in chunk:
                review = claim_review(
                    claim,
                    appearances=appearances[claim.pk],
                    organisation=claim.claimant in organisations,
                    iris=iris,
                    publisher=publisher,
                )
                yield separator + json.dumps(review, ensure_ascii=False)
                separator = ",\n"
    yield "\n]}\n"


def write_claimreviews(claims: QuerySet, *, iris: Iris, **_context) -> Iterator[bytes]:
    # Complete only when parsed whole: its closing brackets are its end marker.
    return in_pieces(claimreview_texts(claims, iris, Publisher.from_settings()))
