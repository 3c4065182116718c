"""JSON request bodies, refused with a 400 when Python cannot read them safely."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, with JSON nested too deep for Python's parser (a RecursionError,
    which DRF lets through as a 500) refused as a parse error. Integers longer than Python
    reads (4,300 digits) are a ValueError, which DRF already reports as one."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
