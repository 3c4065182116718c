"""Claims seen elsewhere on the desk (desk/claims.py): a claim's card and page list the most similar
claims of other articles; Link and Unlink post through services/claims.py, with their history events;
refusals and bad ids are messages, never a 500; the article page's cost does not grow with its claims."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse

from annotations.desk.claims import SEEN_TEMPLATE, seen_elsewhere
from annotations.domain.transitions import HistoryAction
from annotations.models import Annotation, AnnotationEvent
from annotations.services.claims import claims_link
from tests.factories import ArticleFactory, bulk_claims

OTHER_BODY = "Officials said on Tuesday that Kyiv was calm. Markets opened late."


def desk_url(article) -> str:
    return reverse("admin:annotations_article_change", args=[article.pk])


def url(name: str, annotation_id) -> str:
    return reverse(f"admin:annotations_annotation_{name}", args=[annotation_id])


def card_of(html: str, annotation) -> str:
    found = re.search(rf'<li class="desk-item [^"]*" id="desk-item-{annotation.pk}".*?\n</li>', html, re.S)
    assert found, f"no card for #{annotation.pk}"
    return found.group()


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def other_article(db):
    return ArticleFactory(title="Calm in the capital", body=OTHER_BODY, source="Kyodo")


@pytest.fixture
def seen(article, other_article, annotator, reviewer, make_annotation):
    """On `article`: the claim "Kyiv was calm", a near claim "in Kyiv" and an entity; on `other_article`
    the same claim, approved and rated mostly false, and an unrelated claim."""
    return {
        "claim": make_annotation(annotator, article, quote="Kyiv was calm", claimant="the ministry"),
        "same_article": make_annotation(annotator, article, quote="in Kyiv"),
        "entity": make_annotation(annotator, article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"),
        "elsewhere": make_annotation(
            annotator,
            other_article,
            quote="Kyiv was calm",
            rating="mostly_false",
            status="approved",
            reviewed_by=reviewer,
        ),
        "unrelated": make_annotation(annotator, other_article, quote="Markets opened late"),
    }


# --- what the desk shows --------------------------------------------------------------------------


def test_only_claim_cards_have_a_seen_elsewhere_that_loads_when_opened(seen, article, reviewer, browser_for):
    """A claim's card has a closed "Seen elsewhere" pointing at its fragment; an entity's has none."""
    html = browser_for(reviewer).get(desk_url(article)).content.decode()
    claim_card = card_of(html, seen["claim"])
    assert '<details class="desk-seen"' in claim_card and "open" not in claim_card.split("<details", 1)[1][:80]
    assert f'data-seen-url="{url("similar", seen["claim"].pk)}"' in claim_card
    assert "desk-seen" not in card_of(html, seen["entity"])


def test_the_fragment_shows_the_similar_claim_of_another_article_not_one_of_the_same(seen, reviewer, browser_for):
    """Its quote linked to its card on its article's page, the article's title and source, the similarity
    as a percentage, its rating and status badges and a Link button; the near claim of the same article is left out."""
    response = browser_for(reviewer).get(url("similar", seen["claim"].pk))
    assert response.status_code == 200
    html = response.content.decode()
    elsewhere = seen["elsewhere"]
    assert f'href="{desk_url(elsewhere.article)}#mark-{elsewhere.pk}"' in html
    text = text_of(html)
    assert "100% Mostly false Approved Kyiv was calm Calm in the capital · Kyodo Link" in text
    assert '<span class="desk-rating desk-rating-mostly_false"' in html
    assert re.search(rf'name="to" value="{elsewhere.pk}"', html)
    assert f'value="{seen["same_article"].pk}"' not in html and "in Kyiv" not in text
    assert html.count('class="desk-seen-item"') <= 3


def test_a_claim_with_nothing_alike_elsewhere_says_so(article, annotator, browser_for, make_annotation):
    lonely = make_annotation(annotator, article, quote="The end")
    html = browser_for(annotator).get(url("similar", lonely.pk)).content.decode()
    assert "No similar claim in other articles." in html


def test_the_fragment_is_for_claims_only(seen, reviewer, browser_for):
    """An entity or a missing id: a 404, not a 500."""
    client = browser_for(reviewer)
    assert client.get(url("similar", seen["entity"].pk)).status_code == 404
    assert client.get(url("similar", 999_999)).status_code == 404
    assert client.get(url("similar", "abc")).status_code == 404


def test_the_link_button_is_for_those_who_may_link(seen, consumer, rf):
    """Consumers stay out of the desk; were the list shown to one, it would have no Link button."""
    request = rf.get("/")
    request.user = consumer
    context = seen_elsewhere(consumer, seen["claim"], on="article")
    assert context["can_link"] is False
    html = render_to_string(SEEN_TEMPLATE, context, request)
    assert "Kyiv was calm" in html and 'name="to"' not in html


def test_the_claims_page_shows_seen_elsewhere_too(seen, reviewer, browser_for):
    """The claim's own page lists them, its Link buttons going back to that page."""
    html = browser_for(reviewer).get(url("change", seen["claim"].pk)).content.decode()
    start = html.index('<section class="desk-seen-page')
    section = html[start : html.index("</section>", start)]
    assert "Calm in the capital · Kyodo" in text_of(section)
    assert 'name="on" value="annotation"' in section
    assert "desk-seen-page" not in browser_for(reviewer).get(url("change", seen["entity"].pk)).content.decode()


# --- linking and unlinking ------------------------------------------------------------------------


def test_link_puts_both_claims_in_one_group_with_their_history(seen, article, annotator, browser_for):
    """An annotator links from the card: back to the card with a message, one group, a "linked" event on each."""
    claim, elsewhere = seen["claim"], seen["elsewhere"]
    client = browser_for(annotator)
    response = client.post(url("link", claim.pk), {"to": elsewhere.pk, "on": "article"})
    assert response.status_code == 302
    assert response["Location"] == f"{desk_url(article)}#mark-{claim.pk}"
    assert messages_of(response) == [f"Linked #{claim.pk} “Kyiv was calm” with #{elsewhere.pk} “Kyiv was calm”."]
    claim.refresh_from_db()
    elsewhere.refresh_from_db()
    assert claim.claim_group_id is not None and claim.claim_group_id == elsewhere.claim_group_id
    events = AnnotationEvent.objects.filter(action=HistoryAction.LINKED, actor=annotator)
    assert sorted(events.values_list("annotation_id", flat=True)) == sorted([claim.pk, elsewhere.pk])

    # The card says so, with the other claim and an Unlink button; the list marks it linked, with no Link button.
    card = card_of(client.get(desk_url(article)).content.decode(), claim)
    assert "Linked with:" in text_of(card) and "“Kyiv was calm” · Calm in the capital · Kyodo" in text_of(card)
    assert f'action="{url("unlink", claim.pk)}"' in card
    fragment = client.get(url("similar", claim.pk)).content.decode()
    assert '<span class="desk-linked-badge">Linked</span>' in fragment and 'name="to"' not in fragment
    # The claim's page shows its history event.
    assert "Linked" in text_of(client.get(url("change", claim.pk)).content.decode().split('id="events-group"')[1])


def test_unlink_takes_the_claim_out_and_dissolves_a_group_of_two(seen, article, annotator, reviewer, browser_for):
    claim, elsewhere = seen["claim"], seen["elsewhere"]
    claims_link(actor=reviewer, annotation_id=claim.pk, to=elsewhere.pk)
    response = browser_for(annotator).post(url("unlink", claim.pk), {"on": "annotation"})
    assert response.status_code == 302 and response["Location"] == url("change", claim.pk)
    assert messages_of(response) == [f"Unlinked #{claim.pk} “Kyiv was calm”."]
    assert set(Annotation.objects.filter(pk__in=[claim.pk, elsewhere.pk]).values_list("claim_group", flat=True)) == {
        None
    }
    unlinked = AnnotationEvent.objects.filter(action=HistoryAction.UNLINKED, actor=annotator)
    assert sorted(unlinked.values_list("annotation_id", flat=True)) == sorted([claim.pk, elsewhere.pk])
    card = card_of(browser_for(annotator).get(desk_url(article)).content.decode(), claim)
    assert "desk-linked" not in card


def test_unlinking_a_claim_in_no_group_says_so(seen, annotator, browser_for):
    response = browser_for(annotator).post(url("unlink", seen["claim"].pk))
    assert messages_of(response) == [f"#{seen['claim'].pk} “Kyiv was calm” is not linked to any claim."]
    assert not AnnotationEvent.objects.filter(action=HistoryAction.UNLINKED).exists()


def test_a_consumer_cannot_link(seen, consumer, browser_for):
    """Consumers never enter the desk: sent to the sign-in page, nothing linked."""
    response = browser_for(consumer).post(url("link", seen["claim"].pk), {"to": seen["elsewhere"].pk})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Annotation.objects.filter(claim_group__isnull=False).exists()


def test_staff_without_a_role_cannot_link_or_unlink(seen, browser_for):
    """A desk user below annotator (no role group): 403, as the desk's other role checks."""
    nobody = get_user_model().objects.create_user("staffer", password="staffer", is_staff=True)
    client = browser_for(nobody)
    assert client.post(url("link", seen["claim"].pk), {"to": seen["elsewhere"].pk}).status_code == 403
    assert client.post(url("unlink", seen["claim"].pk)).status_code == 403
    assert not Annotation.objects.filter(claim_group__isnull=False).exists()


@pytest.mark.parametrize(
    ("to", "said"),
    [
        ("entity", "Not linked: Only claims can be linked; annotation {entity} is a entity."),
        ("999999", "Not linked: there is no annotation #999999 to link it to."),
        ("abc", "Not linked: there is no annotation #abc to link it to."),
        ("", "Not linked: no claim was chosen to link it to."),
        ("claim", "Not linked: A claim cannot be linked to itself."),
    ],
)
def test_linking_to_what_cannot_be_linked_is_a_message(seen, annotator, browser_for, to, said):
    """A non-claim, a missing or malformed id, the claim itself: back to the card with why, nothing linked."""
    claim = seen["claim"]
    sent = str(seen[to].pk) if to in seen else to
    response = browser_for(annotator).post(url("link", claim.pk), {"to": sent})
    assert response.status_code == 302 and response["Location"].endswith(f"#mark-{claim.pk}")
    assert messages_of(response) == [said.format(entity=seen["entity"].pk)]
    assert not Annotation.objects.filter(claim_group__isnull=False).exists()


def test_linking_from_a_non_claim_or_a_missing_one_is_a_message(seen, annotator, browser_for):
    client = browser_for(annotator)
    entity = seen["entity"]
    response = client.post(url("link", entity.pk), {"to": seen["elsewhere"].pk})
    assert response.status_code == 302
    assert messages_of(response) == [f"Not linked: Only claims can be linked; annotation {entity.pk} is a entity."]
    response = client.post(url("link", 999_999), {"to": seen["elsewhere"].pk})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert any("Perhaps it was deleted?" in m for m in messages_of(response))
    assert client.get(url("link", seen["claim"].pk)).status_code == 405
    assert not Annotation.objects.filter(claim_group__isnull=False).exists()


# --- cost ---------------------------------------------------------------------------------------------


# The article page as a reviewer sees it (session, user, article with its counts, revisions, annotations,
# their editors, the cards' group members, ...): eleven queries, for 5 claims as for 10.
ARTICLE_PAGE_QUERIES = 11


def test_the_article_page_costs_the_same_with_5_claims_as_with_10(
    annotator, reviewer, browser_for, django_assert_num_queries
):
    """No similarity query per card (those load when opened) and one query for all the cards' group members."""
    client = browser_for(reviewer)
    elsewhere = bulk_claims(2, created_by=annotator, reviewed_by=reviewer)
    pages = []
    for n, other in zip([5, 10], elsewhere, strict=True):
        claims = bulk_claims(n, created_by=annotator, reviewed_by=reviewer)
        claims_link(actor=annotator, annotation_id=claims[0].pk, to=other.pk)
        claims_link(actor=annotator, annotation_id=claims[1].pk, to=claims[2].pk)
        pages.append(desk_url(claims[0].article))
    for page, n in zip(pages, [5, 10], strict=True):
        with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
            html = client.get(page).content.decode()
        assert html.count('<details class="desk-seen"') == n
        assert html.count("Linked</span>") == 3  # claims 0, 1 and 2, each with what it is linked with
