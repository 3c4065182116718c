"""Write fixtures/*.json from the seed files and the gold set in fixtures/gold_spec.py.

The spec names each annotation by its quote; this command finds the quote in
the article body as `import_articles` stores it and computes the offsets, so
nobody counts code points by hand. Claims the spec puts in one group are linked
as `claims_link` links them: a claim group, and a "linked" event on each claim
(the group's id before and after). Everything else that varies (timestamps,
password salts) is fixed, so a rebuild gives the committed files byte for byte
and a test can tell when a seed or the spec changed without one.
"""

import functools
import hashlib
import importlib.util
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management.base import BaseCommand, CommandError

from annotations.domain.quality import count_words
from annotations.domain.roles import Role
from annotations.domain.spans import occurrences, span_context
from annotations.domain.transitions import BY_ACTION, HistoryAction, Status
from annotations.interchange.articles import parse_file
from annotations.models import UNIQUE_SPAN, ArtifactType, EntityType, Kind, Rating, Severity

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
SPEC_PATH = FIXTURES_DIR / "gold_spec.py"

# In loaddata order: the users and articles before the annotations that refer to them.
USERS_FILE, ARTICLES_FILE, ANNOTATIONS_FILE = "demo_users.json", "seed_articles.json", "gold_annotations.json"
FIXTURE_FILES = (USERS_FILE, ARTICLES_FILE, ANNOTATIONS_FILE)

# A fixed clock: the articles are imported, then annotated one every few minutes, and
# each later step of an annotation's history comes most of a day after the one before.
ARTICLES_IMPORTED_AT = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
FIRST_ANNOTATION_AT = ARTICLES_IMPORTED_AT + timedelta(hours=1)
BETWEEN_ANNOTATIONS = timedelta(minutes=5)
BETWEEN_STEPS = timedelta(hours=20)
# A claim group is linked this long after its last claim was made (annotations are 5 minutes apart).
LINKED_AFTER = timedelta(minutes=1)
# Pinned (Django 5.2's default), so that the hashes do not change when Django's default does.
PASSWORD_ITERATIONS = 1_000_000


class SpecError(Exception):
    """The gold spec does not fit the seeds or breaks a rule of the service."""


def load_spec(path: Path = SPEC_PATH) -> ModuleType:
    # The spec lives beside the fixtures, outside any package, so it is loaded by path.
    module_spec = importlib.util.spec_from_file_location("copydesk_gold_spec", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def build_fixtures(*, seeds_dir: Path = SEEDS_DIR, spec: ModuleType | None = None) -> dict[str, str]:
    """The text of each fixture file, by file name."""
    spec = spec or load_spec()
    roles = {username: Role.from_name(role) for username, role in spec.DEMO_USERS}
    articles, annotations, events, group_names = [], [], [], {}
    for article_pk, (stem, gold) in enumerate(spec.GOLD.items(), start=1):
        article = _article_record(seeds_dir / f"{stem}.txt", article_pk)
        articles.append(article)
        seen_spans = set()
        for item in gold:
            annotation_pk = len(annotations) + 1
            where = f"{stem}, annotation {annotation_pk} ({item['quote'][:40]!r})"
            try:
                annotation, annotation_events = _annotation_records(
                    item, article, annotation_pk, len(events) + 1, roles
                )
            except SpecError as exc:
                raise SpecError(f"{where}: {exc}") from None
            span = tuple(annotation["fields"][key] for key in UNIQUE_SPAN)
            if span in seen_spans:
                raise SpecError(f"{where}: the same kind, type and span twice")
            seen_spans.add(span)
            annotations.append(annotation)
            events.extend(annotation_events)
            if item.get("group"):
                group_names[annotation_pk] = item["group"]
    groups = _link_groups(getattr(spec, "CLAIM_GROUPS", {}), group_names, annotations, events, roles)
    return {
        USERS_FILE: _dump([_user_record(username, role) for username, role in roles.items()]),
        ARTICLES_FILE: _dump(articles),
        ANNOTATIONS_FILE: _dump(groups + annotations + events),
    }


def _link_groups(
    spec_groups: dict, group_names: dict[int, str], annotations: list[dict], events: list[dict], roles
) -> list[dict]:
    """The claim groups' records, in the spec's order. Links each group's claims as `claims_link`
    does, just after the last of them was made: sets their claim_group and appends to `events`
    a "linked" event on each (its status unchanged, the group from none to this one)."""
    if unknown := sorted(set(group_names.values()) - set(spec_groups)):
        raise SpecError(f"claim group {unknown[0]!r} is not in CLAIM_GROUPS")
    records = []
    for group_pk, (name, group) in enumerate(spec_groups.items(), start=1):
        members = [annotations[pk - 1] for pk, member_of in sorted(group_names.items()) if member_of == name]
        if len(members) < 2:
            raise SpecError(f"claim group {name!r} has {len(members)} claim(s); a group links two or more")
        if roles.get(group["by"], Role.NONE) < Role.ANNOTATOR:
            raise SpecError(f"claim group {name!r}: {group['by']!r} is not a demo user who may link claims")
        linked_at = max(datetime.fromisoformat(m["fields"]["created_at"]) for m in members) + LINKED_AFTER
        records.append(
            {"model": "annotations.claimgroup", "pk": group_pk, "fields": {"created_at": _timestamp(linked_at)}}
        )
        for member in members:
            # Its status when linked: where the last event before the link left it.
            before = [e["fields"] for e in events if e["fields"]["annotation"] == member["pk"]]
            status = [e["to_status"] for e in before if datetime.fromisoformat(e["at"]) < linked_at][-1]
            change = {"claim_group": {"from": None, "to": group_pk}}
            events.append(
                _event(
                    len(events) + 1,
                    member["pk"],
                    HistoryAction.LINKED,
                    group["by"],
                    linked_at,
                    status,
                    status,
                    "",
                    change,
                )
            )
            member["fields"]["claim_group"] = group_pk
            member["fields"]["updated_at"] = max(member["fields"]["updated_at"], _timestamp(linked_at))
    return records


def _dump(records: list[dict]) -> str:
    # ASCII-only JSON: loaddata reads it the same way whatever the machine's locale.
    return json.dumps(records, indent=2, ensure_ascii=True) + "\n"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.cache  # deterministic, and slow on purpose: hash each demo password once per process
def demo_password_hash(username: str) -> str:
    """The hash of the demo password (the user name), with a salt derived from it for reproducibility."""
    salt = hashlib.sha256(f"copydesk-demo:{username}".encode()).hexdigest()[:32]
    return PBKDF2PasswordHasher().encode(username, salt, iterations=PASSWORD_ITERATIONS)


def _user_record(username: str, role: Role) -> dict:
    # Natural keys (no pk): loaddata matches users by username and groups by name; the
    # role groups themselves are created by the post_migrate hook. Flags as services/users.assign_role sets them.
    return {
        "model": "auth.user",
        "fields": {
            "username": username,
            "password": demo_password_hash(username),
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": True,
            "is_staff": role >= Role.ANNOTATOR,
            "is_superuser": role is Role.ADMIN,
            "last_login": None,
            "date_joined": _timestamp(ARTICLES_IMPORTED_AT - timedelta(days=1)),
            "groups": [[role.group_name]],
            "user_permissions": [],
        },
    }


def _article_record(path: Path, pk: int) -> dict:
    if not path.is_file():
        raise SpecError(f"no seed file {path}")
    # Parsed as import_articles parses it: the same body, metadata, hash and file name.
    (record,) = parse_file(path).records
    published_at = record["published_at"]
    return {
        "model": "annotations.article",
        "pk": pk,
        "fields": {
            "title": record["title"],
            "body": record["body"],
            "source": record["source"],
            "url": record["url"],
            "language": record["language"],
            "published_at": _timestamp(published_at) if published_at else None,
            "content_sha256": record["content_sha256"],
            "word_count": count_words(record["body"]),
            "imported_from": record["imported_from"],
            "created_at": _timestamp(ARTICLES_IMPORTED_AT + timedelta(minutes=pk)),
        },
    }


def _find(body: str, quote: str, occurrence: int | None) -> int:
    hits = occurrences(body, quote)
    if not hits:
        raise SpecError("the quote is not in the seed text")
    if occurrence is None:
        if len(hits) > 1:
            raise SpecError(f"the quote occurs {len(hits)} times; say which with occurrence=0..{len(hits) - 1}")
        return hits[0]
    if not 0 <= occurrence < len(hits):
        raise SpecError(f"occurrence {occurrence} asked for, the quote occurs {len(hits)} times")
    return hits[occurrence]


def _check_types(item: dict) -> None:
    if item["kind"] == Kind.ENTITY and item["entity_type"] not in EntityType.values:
        raise SpecError(f"unknown entity_type {item['entity_type']!r}")
    if item["kind"] == Kind.TRANSLATION_ARTIFACT and item["artifact_type"] not in ArtifactType.values:
        raise SpecError(f"unknown artifact_type {item['artifact_type']!r}")
    if item["kind"] == Kind.TRANSLATION_ARTIFACT and item["severity"] not in Severity.values:
        raise SpecError(f"unknown severity {item['severity']!r}")
    if item["kind"] == Kind.CLAIM and item["rating"] and item["rating"] not in Rating.values:
        raise SpecError(f"unknown rating {item['rating']!r}")


def _claim_date(item: dict) -> str | None:
    """The claim's date as the spec gives it (ISO), checked; None for none."""
    if not item.get("claim_date"):
        return None
    try:
        return date.fromisoformat(item["claim_date"]).isoformat()
    except (TypeError, ValueError):
        raise SpecError(f"claim_date {item['claim_date']!r} is not an ISO date (YYYY-MM-DD)") from None


def _annotation_records(
    item: dict, article: dict, pk: int, first_event_pk: int, roles: dict[str, Role]
) -> tuple[dict, list[dict]]:
    _check_types(item)
    author = item["by"]
    if roles.get(author, Role.NONE) < Role.ANNOTATOR:
        raise SpecError(f"{author!r} is not a demo user who may annotate")
    body = article["fields"]["body"]
    start = _find(body, item["quote"], item["occurrence"])
    end = start + len(item["quote"])

    created_at = FIRST_ANNOTATION_AT + (pk - 1) * BETWEEN_ANNOTATIONS
    events = [_event(first_event_pk, pk, HistoryAction.CREATED, author, created_at, "", Status.PENDING, "")]
    status, reviewed = Status.PENDING, (None, None, "")
    for number, (action, actor, comment) in enumerate(item["history"], start=1):
        transition = BY_ACTION.get(action)
        if transition is None:
            raise SpecError(f"step {number}: no such move as {action!r}")
        if status not in transition.from_statuses:
            raise SpecError(f"step {number}: cannot be {action} while {status}")
        if transition.by_reviewer and (roles.get(actor, Role.NONE) < Role.REVIEWER or actor == author):
            raise SpecError(f"step {number}: {actor!r} may not review it (a reviewer other than the author)")
        if not transition.by_reviewer and actor != author and roles.get(actor) is not Role.ADMIN:
            raise SpecError(f"step {number}: only the author or an admin may edit it")
        if transition.comment_required and not comment.strip():
            raise SpecError(f"step {number}: {transition.noun} needs a comment")
        to_status = transition.to_status
        at = created_at + number * BETWEEN_STEPS
        events.append(_event(first_event_pk + number, pk, action, actor, at, status, to_status, comment))
        status = to_status
        # As the services do: a review records who and when; going back to pending clears that.
        reviewed = (actor, at, comment) if transition.records_review else (None, None, "")

    reviewer, reviewed_at, review_comment = reviewed
    prefix, suffix = span_context(body, start, end)
    annotation = {
        "model": "annotations.annotation",
        "pk": pk,
        "fields": {
            "article": article["pk"],
            "kind": item["kind"],
            "start": start,
            "end": end,
            "quote": body[start:end],
            "prefix": prefix,
            "suffix": suffix,
            "entity_type": item.get("entity_type", ""),
            "artifact_type": item.get("artifact_type", ""),
            "suggested_correction": item.get("correction", ""),
            "severity": item.get("severity", ""),
            "claimant": item.get("claimant", ""),
            "rating": item.get("rating", ""),
            "rating_explanation": item.get("rating_explanation", ""),
            "claim_date": _claim_date(item),
            "claim_group": None,  # set by _link_groups
            "note": item["note"],
            "status": status,
            "created_by": [author],
            "created_at": _timestamp(created_at),
            "updated_at": events[-1]["fields"]["at"],
            "reviewed_by": [reviewer] if reviewer else None,
            "reviewed_at": _timestamp(reviewed_at) if reviewed_at else None,
            "review_comment": review_comment,
        },
    }
    return annotation, events


def _event(pk, annotation_pk, action, actor, at, from_status, to_status, comment, changes=None) -> dict:
    return {
        "model": "annotations.annotationevent",
        "pk": pk,
        "fields": {
            "annotation": annotation_pk,
            "action": str(action),
            "actor": [actor],
            "at": _timestamp(at),
            "from_status": str(from_status),
            "to_status": str(to_status),
            "comment": comment,
            "changes": changes or {},
        },
    }


class Command(BaseCommand):
    help = (
        "Write fixtures/*.json (demo users, the seed articles, the gold annotations with their history) "
        "from seeds/ and fixtures/gold_spec.py. With --check, write nothing and fail if they are out of date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the committed fixtures differ")

    def handle(self, *args, check: bool, **options):
        try:
            files = build_fixtures()
        except SpecError as exc:
            raise CommandError(f"gold spec: {exc}") from None
        stale = [name for name, text in files.items() if _read(FIXTURES_DIR / name) != text]
        if check:
            if stale:
                raise CommandError(f"out of date: {', '.join(stale)}; run `python manage.py build_fixtures`")
            self.stdout.write("fixtures are up to date")
            return
        for name, text in files.items():
            (FIXTURES_DIR / name).write_text(text, encoding="utf-8")
            records = json.loads(text)
            self.stdout.write(f"{'wrote' if name in stale else 'unchanged'} fixtures/{name} ({len(records)} records)")


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
