"""Content negotiation for views with one representation each."""

from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation


class OneRepresentation(BaseContentNegotiation):
    """The view's one renderer, whatever a client's Accept header says (no 406), and its first
    parser; `?format=` is the view's own parameter (an export's or an import's), not DRF's
    renderer override."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ParsedByTypeOneRepresentation(DefaultContentNegotiation):
    """A body parsed by its media type as usual, and the view's one renderer (`?format=` is the
    view's own parameter)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
