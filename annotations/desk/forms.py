"""The desk's forms. The services are the validation: a form's domain errors are
shown beside their fields, and a valid form's object is stored by its service."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

from annotations.domain.errors import DomainError, InvalidInput
from annotations.domain.records import EDITABLE_FIELDS, WRITABLE_FIELDS
from annotations.domain.transitions import REVIEWS
from annotations.models import Annotation, Article, ArtifactType, EntityType, Kind, Rating, Severity
from annotations.services.annotations import annotation_create, annotation_update
from annotations.services.articles import article_create

T = TypeVar("T")


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal on the form: field messages beside their fields, the rest on top."""
    if isinstance(exc, InvalidInput):
        for field, field_messages in exc.errors.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, exc.message)


def refusal_words(exc: DomainError) -> str:
    """A service's refusal in words, for a message that has no fields to show it beside."""
    if isinstance(exc, InvalidInput):
        return " ".join(message for field_messages in exc.errors.values() for message in field_messages)
    return exc.message


def submitted(form: forms.BaseForm, service: Callable[..., T], **arguments) -> tuple[T | None, int]:
    """A desk page's POST: the service called with the valid form's data and `arguments`, and
    (its result, 200); otherwise (None, the HTTP status), the refusal shown on the form (400
    when the form itself is invalid)."""
    if not form.is_valid():
        return None, 400
    try:
        return service(**arguments, **form.cleaned_data), 200
    except DomainError as exc:
        add_domain_error(form, exc)
        return None, exc.http_status


class ServiceSavedForm(forms.ModelForm):
    """A ModelForm validated and stored by a service call.

    The service replaces Django's model validation (`_post_clean`, the hook
    Django's own UserCreationForm extends): it checks what the API checks, and
    its domain errors become form errors. The model fields' own validators (a
    language tag's form), which that validation would have run, run first. A
    valid form's object is therefore stored already, and `save()` only hands it back.
    """

    actor = None  # the request's user; ModelAdmin.get_form sets it on the per-request form class

    def call_service(self, data: dict):
        raise NotImplementedError

    def _post_clean(self):
        self._run_model_field_validators()
        if self.errors:
            return
        try:
            self.instance = self.call_service(self.cleaned_data)
        except DomainError as exc:
            add_domain_error(self, exc)

    def _run_model_field_validators(self) -> None:
        for name, value in list(self.cleaned_data.items()):
            model_field = self._meta.model._meta.get_field(name)
            if value in model_field.empty_values:
                continue
            for validator in model_field.validators:
                try:
                    validator(value)
                except ValidationError as error:
                    self.add_error(name, error)
                    break

    def save(self, commit=True):
        return self.instance

    def save_m2m(self):
        """No many-to-many fields: nothing to do."""


class ArticleCreateForm(ServiceSavedForm):
    url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "body", "source", "url", "language", "published_at"]

    def call_service(self, data: dict) -> Article:
        return article_create(actor=self.actor, **data)


class AnnotationAdminForm(ServiceSavedForm):
    start = forms.IntegerField(min_value=0, required=False, help_text="Code point offset, inclusive.")
    end = forms.IntegerField(min_value=0, required=False, help_text="Code point offset, exclusive.")
    quote = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Instead of offsets: the text to find in the body (with start if it occurs more than once).",
    )

    class Meta:
        model = Annotation
        fields = list(WRITABLE_FIELDS)
        widgets = {
            "suggested_correction": forms.Textarea(attrs={"rows": 2}),
            "rating_explanation": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "severity" in self.fields:
            # As on the article page: a new artifact is minor until graded (the page's script sends
            # only the chosen kind's fields, so a claim does not send it).
            self.fields["severity"].initial = Severity.MINOR

    def clean_quote(self) -> str | None:
        return self.cleaned_data["quote"] or None  # blank means "not given", not an empty quote

    def call_service(self, data: dict) -> Annotation:
        if self.instance.pk is None:
            return annotation_create(actor=self.actor, **data)
        changes = {field: data[field] for field in self.changed_data if field in EDITABLE_FIELDS}
        if not changes:
            return self.instance  # an edit is a new version to review; saving nothing is not one
        return annotation_update(actor=self.actor, annotation_id=self.instance.pk, **changes)


class DeskAnnotationForm(forms.Form):
    """What the desk's selection popup posts: a span of the article and the annotation's kind and type."""

    kind = forms.ChoiceField(choices=Kind.choices)
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    # The selected text too, so that the service checks the page's offsets against the stored body.
    quote = forms.CharField(strip=False)
    entity_type = forms.ChoiceField(choices=[("", "—"), *EntityType.choices], required=False)
    artifact_type = forms.ChoiceField(choices=[("", "—"), *ArtifactType.choices], required=False)
    suggested_correction = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    # Minor preselected, as the service would default it: grading up is the choice a person makes.
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MINOR, required=False)
    claimant = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": "who makes the claim", "autocomplete": "off"})
    )
    rating = forms.ChoiceField(choices=[("", "— not rated yet"), *Rating.choices], required=False)
    rating_explanation = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "why this rating, with sources"})
    )
    claim_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeskReviewForm(forms.Form):
    """What a review button on the article page posts; the service decides whether it may happen."""

    annotation = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[(name, name) for name in REVIEWS])
    comment = forms.CharField(required=False, strip=False)


class ReviewForm(forms.Form):
    """One review from an annotation's own page; the services decide whether it may happen."""

    decision = forms.ChoiceField(choices=[(name, name.capitalize()) for name in REVIEWS])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


class RejectForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Why the annotations are rejected; their authors see it.",
    )


# The confidences a reviewer may accept or reject an article's machine suggestions from, at or
# above; "any" takes them all, those without a confidence too.
SUGGESTION_THRESHOLDS: dict[str, float | None] = {"0.9": 0.9, "0.8": 0.8, "0.5": 0.5, "any": None}


class SuggestionsReviewForm(forms.Form):
    """What the article page's machine suggestions bar posts: accept or reject the article's pending
    suggestions at or above a confidence. The comment is a rejection's reason only (required there,
    by the service): an acceptance with one typed is refused, as Enter in the comment box would send
    the form's first button, Accept."""

    decision = forms.ChoiceField(choices=[("approve", "Accept"), ("reject", "Reject")])
    threshold = forms.ChoiceField(choices=[(value, value) for value in SUGGESTION_THRESHOLDS])
    comment = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and data.get("comment"):
            raise ValidationError(
                "You typed a reason to reject them: press Reject to reject them, or clear it to accept them."
            )
        return data

    @property
    def min_confidence(self) -> float | None:
        return SUGGESTION_THRESHOLDS[self.cleaned_data["threshold"]]


class ArticleReviseForm(forms.Form):
    """A new revision of an article's text, from the desk; article_revise checks and stores it."""

    # Not stripped: the body is stored as sent (line endings aside), its spaces are offsets.
    body = forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}), label="Text")
    note = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "what changed and why", "autocomplete": "off"}),
        help_text="Shown with the revision, e.g. “Corrected the minister's name (wire correction 14:02)”.",
    )


class PlaceForm(forms.Form):
    """Where a reviewer placed an annotation again: a span of the article's current body, and the
    revision that body is (offsets from a body revised since are refused, not misplaced)."""

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    quote = forms.CharField(strip=False)
    revision = forms.IntegerField(min_value=1)
