"""The desk's highlighted body: the text is the body exactly, and every annotation's marks cover exactly its span."""

from dataclasses import dataclass
from html.parser import HTMLParser

from annotations.desk.highlight import highlight_body

BODY = "Prime Minister 🇯🇵 Fumio Kishida met Зеленский in Kyiv 🙂. Kyiv was calm.\nThe end."


@dataclass
class Span:
    pk: int
    start: int
    end: int
    kind: str = "claim"
    status: str = "pending"


def span_of(quote: str, pk: int, **fields) -> Span:
    start = BODY.index(quote)
    return Span(pk, start, start + len(quote), **fields)


class MarkReader(HTMLParser):
    """Reads rendered HTML back into its text and, per code point, the annotation ids covering it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.covering: list[frozenset[int]] = []
        self.stack: list[dict[str, str | None]] = []
        self.marks: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        assert tag == "mark", f"unexpected <{tag}> in the body"
        self.stack.append(dict(attrs))
        self.marks.append(dict(attrs))

    def handle_endtag(self, tag):
        assert tag == "mark"
        self.stack.pop()

    def handle_data(self, data):
        ids = frozenset(int(attrs["data-annotation-id"]) for attrs in self.stack)
        self.text += data
        self.covering.extend([ids] * len(data))


def read(html: str) -> MarkReader:
    reader = MarkReader()
    reader.feed(str(html))
    reader.close()
    assert reader.stack == [], "a <mark> was left open"
    return reader


def assert_marks_cover_spans(reader: MarkReader, spans: list[Span]) -> None:
    for offset, ids in enumerate(reader.covering):
        expected = {s.pk for s in spans if s.start <= offset < s.end}
        assert ids == expected, f"code point {offset} ({BODY[offset]!r}) is covered by {ids}, expected {expected}"


def test_without_annotations_the_body_is_plain_escaped_text():
    """No annotation: the body comes back as text alone."""
    reader = read(highlight_body(BODY, []))
    assert reader.text == BODY
    assert reader.marks == []


def test_marks_cover_code_point_spans_after_emoji_and_cyrillic():
    """Offsets are code points: a span after a flag emoji and Cyrillic covers exactly its quote."""
    spans = [span_of("Зеленский", 1, kind="entity"), span_of("Kyiv was calm", 2, status="approved")]
    reader = read(highlight_body(BODY, spans))
    assert reader.text == BODY
    assert_marks_cover_spans(reader, spans)
    assert [(m["data-annotation-id"], m["data-kind"], m["data-status"]) for m in reader.marks] == [
        ("1", "entity", "pending"),
        ("2", "claim", "approved"),
    ]


def test_nested_spans_nest_without_splitting():
    """A span inside another opens inside the outer mark; neither is split."""
    spans = [span_of("Fumio Kishida met", 1), span_of("Kishida", 2, kind="entity")]
    reader = read(highlight_body(BODY, spans))
    assert reader.text == BODY
    assert_marks_cover_spans(reader, spans)
    assert [m["data-annotation-id"] for m in reader.marks] == ["1", "2"]


def test_overlapping_spans_split_the_later_mark():
    """Two spans that overlap without nesting: the covered text is right, one is split into two marks."""
    spans = [span_of("Minister 🇯🇵 Fumio", 1), span_of("🇯🇵 Fumio Kishida", 2, kind="translation_artifact")]
    reader = read(highlight_body(BODY, spans))
    assert reader.text == BODY
    assert_marks_cover_spans(reader, spans)
    assert sorted(m["data-annotation-id"] for m in reader.marks) == ["1", "2", "2"]


def test_only_the_first_piece_of_an_annotation_is_a_tab_stop():
    """Keyboard users reach each annotation once, at its first mark."""
    spans = [span_of("Minister 🇯🇵 Fumio", 1), span_of("🇯🇵 Fumio Kishida", 2)]
    marks = read(highlight_body(BODY, spans)).marks
    assert [(m["data-annotation-id"], m.get("tabindex")) for m in marks] == [("1", "0"), ("2", "0"), ("2", None)]


def test_identical_spans_each_get_a_mark():
    """Two annotations on the same span (different kinds) both cover it."""
    spans = [span_of("Kyiv was calm", 1), span_of("Kyiv was calm", 2, kind="entity")]
    reader = read(highlight_body(BODY, spans))
    assert_marks_cover_spans(reader, spans)


def test_body_markup_is_escaped_never_rendered():
    """Article text is never markup: tags and entities in the body come back as text."""
    body = "<script>alert(\"x\")</script> &amp; <b onclick='y'>bold</b>"
    spans = [Span(1, body.index("<b"), len(body))]
    html = str(highlight_body(body, spans))
    assert "<script>" not in html
    assert "<b " not in html
    reader = read(html)
    assert reader.text == body
    assert len(reader.marks) == 1


def test_spans_outside_the_body_are_left_out():
    """A span that does not fit the body (a stale row) is not drawn rather than breaking the page."""
    reader = read(highlight_body("short", [Span(1, 2, 99)]))
    assert reader.text == "short"
    assert reader.marks == []
