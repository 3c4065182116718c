"""Reading article files for `import_articles`: `.txt` (one article, with an
optional `NAME.json` sidecar of metadata) and `.jsonl` (one article a line).

Parsing checks every record with the API's own serializer, so a file means
the same thing as the POSTs it stands for. Nothing here writes: storing is
`services/imports.articles_import`, which takes whole files so that each is all or
nothing.
"""

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rest_framework.exceptions import ValidationError

from annotations.domain.articles import body_sha256, normalize_body
from annotations.inputs import ArticleCreateSerializer

SUFFIXES = (".txt", ".jsonl")
_DATE_MARKER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*")
_TITLE_LIMIT = 300


class ImportFailure(Exception):
    def __init__(self, path: Path, line: int | None, reason: str):
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}: line {line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


@dataclass
class ParsedFile:
    path: Path
    # Validated article fields, body normalised, plus `content_sha256` and `imported_from`.
    records: list[dict] = field(default_factory=list)


def find_files(paths: Iterable[str | Path]) -> Iterator[Path | ImportFailure]:
    """The importable files under each path, folders searched recursively, in name order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
        elif not path.exists():
            yield ImportFailure(path, None, "no such file or folder")
        elif path.suffix not in SUFFIXES:
            yield ImportFailure(path, None, f"not an article file (expected {' or '.join(SUFFIXES)})")
        else:
            yield path


def parse_file(path: Path, encoding: str = "utf-8") -> ParsedFile:
    text = _decode(path, encoding)
    if path.suffix == ".jsonl":
        return ParsedFile(path, list(_parse_jsonl(path, text)))
    return ParsedFile(path, [_parse_txt(path, text)])


# A byte-order mark says the file's encoding, whatever --encoding says (longest first:
# UTF-32 LE's mark begins with UTF-16 LE's).
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _decode(path: Path, encoding: str) -> str:
    """The file's text, in the encoding its byte-order mark names, else in `encoding`;
    the mark itself is not part of the text."""
    raw = path.read_bytes()
    encoding = next((named for bom, named in _BOMS if raw.startswith(bom)), encoding)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportFailure(
            path,
            line,
            f"not valid {encoding}: byte 0x{raw[exc.start]:02x} at byte position {exc.start} "
            f"({exc.reason}); name the file's encoding with --encoding",
        ) from None
    except LookupError:
        raise ImportFailure(path, None, f"unknown encoding {encoding!r}") from None


def _json(path: Path, line: int | None, text: str):
    """The JSON value of `text`, or an ImportFailure that says what is wrong with it."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailure(path, line or exc.lineno, f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # an integer longer than Python reads (4,300 digits)
        raise ImportFailure(path, line, f"not readable JSON: {exc}") from None
    except RecursionError:
        raise ImportFailure(path, line, "not readable JSON: nested too deeply") from None


# One serializer validates every record: building its fields anew for each of
# thousands of records would cost more than the validation itself.
_ARTICLE_FIELDS = ArticleCreateSerializer()


def _validated(path: Path, line: int | None, data: dict) -> dict:
    try:
        record = dict(_ARTICLE_FIELDS.run_validation(data))
    except ValidationError as exc:
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        reasons = "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in errors.items())
        raise ImportFailure(path, line, reasons) from None
    record["body"] = normalize_body(record["body"])
    record["content_sha256"] = body_sha256(record["body"])
    record["imported_from"] = path.name
    return record


def _parse_jsonl(path: Path, text: str) -> Iterator[dict]:
    # JSON Lines end at "\n" only (a "\r" before it is JSON whitespace): U+2028, U+0085 and
    # the other breaks that str.splitlines() splits at may stand raw inside a JSON string.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        data = _json(path, number, line)
        if not isinstance(data, dict):
            raise ImportFailure(path, number, f"expected a JSON object, got {type(data).__name__}")
        yield _validated(path, number, data)


def _parse_txt(path: Path, text: str) -> dict:
    body = normalize_body(text)
    metadata = _read_sidecar(path)
    if "body" in metadata:
        raise ImportFailure(path.with_suffix(".json"), None, "a sidecar cannot carry the body: the .txt file is it")
    title, published_at = infer_title_and_date(body)
    data = {"title": title, "published_at": published_at, **metadata, "body": body}
    if not data["title"]:
        raise ImportFailure(path, 1, "no line reads as a title; give one in a sidecar .json file")
    return _validated(path, None, data)


def _read_sidecar(path: Path) -> dict:
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        return {}
    data = _json(sidecar, None, _decode(sidecar, "utf-8"))  # JSON is UTF-8 (RFC 8259), a BOM allowed
    if not isinstance(data, dict):
        raise ImportFailure(sidecar, None, "expected a JSON object of article metadata")
    return data


def infer_title_and_date(body: str) -> tuple[str, str | None]:
    """A title from the first line that reads as a headline or sentence, and the
    date of a leading `date YYYY-MM-DD` marker. Page furniture such as a lone
    "Partager:" or a dateline label is passed over."""
    published_at = None
    if marker := _DATE_MARKER.match(body):
        published_at = marker.group(1)
        body = body[marker.end() :]
    for line in body.split("\n"):
        line = " ".join(line.split())
        if _reads_as_title(line):
            return _shorten(line), published_at
    return "", published_at


def _reads_as_title(line: str) -> bool:
    words = [w for w in line.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= 3 and not line.endswith(":")


def _shorten(line: str) -> str:
    if len(line) <= _TITLE_LIMIT:
        return line
    return line[: _TITLE_LIMIT - 1].rsplit(" ", 1)[0] + "…"
