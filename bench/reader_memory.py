"""How much memory reading a large file of annotations takes: the reader alone, no database.

    .venv/bin/python bench/reader_memory.py make /tmp/big.label-studio.json 200
    /usr/bin/time -v .venv/bin/python bench/reader_memory.py read label-studio /tmp/big.label-studio.json

`make` writes a Label Studio JSON export of about SIZE megabytes (tasks of ~2,000
code points with emoji and CRLF, 20 regions each); `read` iterates the named
format's reader over a file and prints the spans read and the time. The peak
resident memory is /usr/bin/time's "Maximum resident set size". Not part of the
test suite.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from annotations.interchange.annotation_files import read  # noqa: E402

SENTENCE = "Prime Minister Fumio Kishida 🇯🇵 said on Wednesday that Japan will accept refugees. "
REGIONS = 20


def make(path: Path, megabytes: int) -> None:
    text = (SENTENCE * 24).replace(". P", ".\r\nP")
    at = [text.index("Fumio Kishida", i * len(SENTENCE)) for i in range(REGIONS)]
    result = [
        {"type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": a, "end": a + 13, "text": "Fumio Kishida", "labels": ["PERSON"]}}
        for a in at
    ]  # fmt: skip
    written = 0
    with path.open("w", encoding="utf-8") as file:
        file.write("[\n")
        task = 0
        while written < megabytes * 1_000_000:
            line = json.dumps({"id": task, "data": {"text": text}, "annotations": [{"result": result}]})
            written += file.write(("," if task else "") + line + "\n")
            task += 1
        file.write("]\n")
    print(f"{path}: {task:,} tasks, {task * REGIONS:,} spans, {path.stat().st_size / 1e6:.0f} MB")


def read_all(format_name: str, path: Path) -> None:
    began = time.perf_counter()
    with path.open("rb") as file:
        count = sum(1 for _ in read(format_name, file))
    print(f"{format_name}: {count:,} spans read in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        read_all(sys.argv[2], Path(sys.argv[3]))
