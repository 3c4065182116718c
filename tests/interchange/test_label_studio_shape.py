"""The Label Studio export against the rules Label Studio 1.23.2's own importer and editor apply,
read from its source (paths inside the PyPI packages label-studio 1.23.2 and label-studio-sdk
2.1.2), so that the file loads into a project with LABEL_STUDIO_CONFIG below.

Checked by importing a Copydesk export into a real Label Studio 1.23.2 and reading it back:
bench/peer_bench.py --verify. Label Studio is not a dependency of this project.
"""

import json

import pytest

from annotations.domain.kinds import ArtifactType, EntityType
from annotations.domain.label_mapping import DEFAULT_MAPPING
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# Every label the export can write: the names Copydesk's import maps back (domain/label_mapping.py).
LABELS = sorted({t.value for t in EntityType} | {"CLAIM"} | {t.value.upper() for t in ArtifactType})
# Label Studio's named-entity template's names (a <Labels> "label" on a <Text> "text" reading
# $text), with Copydesk's labels: a project made with this config takes the export as it is.
LABEL_STUDIO_CONFIG = {"from_name": "label", "to_name": "text", "data_key": "text", "labels": set(LABELS)}
# label_studio/web/dist/apps/labelstudio/358.js (the editor's region model, minified):
# origin: types.optional(types.enumeration(["prediction", "prediction-changed", "manual"]), "manual");
# any other value fails the editor's model when the task is opened.
EDITOR_ORIGINS = {"prediction", "prediction-changed", "manual"}

# "Marie" in mathematical letters, five code points outside the BMP (ten UTF-16 units).
FRAKTUR_MARIE = "\U0001d510\U0001d51e\U0001d52f\U0001d526\U0001d522"
# Emoji outside the BMP (a ZWJ sequence, a flag), combining marks, mathematical letters and CRLF.
BODY = (
    "The mayor 👩\u200d⚕️ of Paris 🇫🇷 said 😀:\r\n\r\n"
    '"Unemployment fell by 12 %", Se\u0301bastien Lecornu told ' + FRAKTUR_MARIE + ".\r\n"
    "Le texte dit « thank you » au lieu de « merci »."
)


def label_studio_problems(tasks, config=LABEL_STUDIO_CONFIG) -> list[str]:
    """What Label Studio would refuse, or its editor misplace, in a list of tasks with annotations."""
    problems = []
    # label_studio/data_import/uploader.py:397-402 (load_tasks): the body is a list of tasks.
    if not isinstance(tasks, list) or not tasks:
        return ["the export is not a non-empty JSON list of tasks"]
    for number, task in enumerate(tasks):
        where = f"task {number}"
        # label_studio/tasks/validation.py:158-165: a dict with "data", a dict; :63-95 (check_data):
        # the config's data key present, a str for a <Text> tag (_DATA_TYPES, :18-19).
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get(config["data_key"]), str):
            problems.append(f"{where}: no data.{config['data_key']} string")
            continue
        text = data[config["data_key"]]
        # validation.py:169-181: "annotations" a list, each a dict with a "result" list (stored
        # as it is: tasks/serializers.py:689-713, add_annotations).
        annotations = task.get("annotations")
        if not isinstance(annotations, list) or not all(
            isinstance(a, dict) and isinstance(a.get("result"), list) for a in annotations
        ):
            problems.append(f"{where}: annotations must be a list of objects with a result list")
            continue
        for annotation in annotations:
            ids = [region.get("id") for region in annotation["result"]]
            # The editor keys regions by id (a string); two alike merge into one region.
            if not all(isinstance(i, str) and i for i in ids) or len(set(ids)) != len(ids):
                problems.append(f"{where}: region ids must be distinct non-empty strings")
            for region in annotation["result"]:
                problems += _region_problems(f"{where}, region {region.get('id')}", region, text, config)
    return problems


def _region_problems(where: str, region: dict, text: str, config: dict) -> list[str]:
    # label_studio_sdk/label_interface/interface.py:917-925 (_validate_region_logic): required keys.
    missing = [key for key in ("from_name", "to_name", "type", "value") if key not in region]
    if missing:
        return [f"{where}: missing {', '.join(missing)}"]
    problems = []
    # interface.py:927-955: from_name a control of the config, to_name its object, type its tag.
    if (region["from_name"], region["to_name"], region["type"]) != (config["from_name"], config["to_name"], "labels"):
        problems.append(f"{where}: not a labels region of {config['from_name']} on {config['to_name']}")
    if region.get("origin", "manual") not in EDITOR_ORIGINS:
        problems.append(f"{where}: origin {region['origin']!r} is not one the editor knows")
    value = region["value"]
    # label_studio_sdk/label_interface/control_tags.py:594-596 (LabelsValue) and :650-678
    # (LabelsTag.validate_value): start, end and labels required; :306-321: every label one of
    # the config's; :680-714 (to_json_schema): start and end >= 0, text a string.
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels or not set(labels) <= config["labels"]:
        problems.append(f"{where}: labels {labels!r} not all in the project's config")
    start, end = value.get("start"), value.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        problems.append(f"{where}: start {start!r} and end {end!r} are not a span of data.text")
    # Offsets count code points of data.text: the converter's own CoNLL export slices it as a
    # Python str (label_studio_sdk/converter/utils.py:66-115, create_tokens_and_tags); its editor
    # counts code points too (../shared/PEERS.md): opened in it, an export with emoji, combining
    # marks and mathematical letters before its spans highlights exactly each quote.
    elif value.get("text") != text[start:end]:
        problems.append(f"{where}: text {value.get('text')!r} is not data.text[{start}:{end}]")
    return problems


@pytest.fixture
def exported(client_for, consumer, annotator, reviewer):
    """The API's Label Studio export of one approved span of every kind, a machine suggestion's
    among them, on an article with emoji, combining marks and CRLF line ends."""
    article = ArticleFactory(title="Unicode", body=BODY, url="https://news.example/unicode")
    spans = [
        {"kind": "entity", "quote": "Paris", "entity_type": "GPE"},
        {"kind": "claim", "quote": '"Unemployment fell by 12 %"'},
        {"kind": "entity", "quote": "Se\u0301bastien Lecornu", "entity_type": "PERSON"},
        {"kind": "entity", "quote": FRAKTUR_MARIE, "entity_type": "PERSON"},
        {"kind": "translation_artifact", "quote": "thank you", "artifact_type": "untranslated"},
        {"kind": "entity", "quote": "12 %", "entity_type": "PERCENT", "origin": "machine", "model": "ner 2"},
    ]
    for fields in spans:
        extra = {"confidence": 0.93} if fields.get("origin") == "machine" else {}
        made = annotation_create(actor=annotator, article=article, **fields, **extra)
        annotation_approve(actor=reviewer, annotation_id=made.pk)
    response = client_for(consumer).get("/api/exports/annotations.label-studio.json")
    assert response.status_code == 200
    return article, json.loads(b"".join(response.streaming_content))


def test_the_export_has_the_shape_label_studio_takes(exported):
    """Every task and region passes the rules of Label Studio's importer and editor."""
    _, tasks = exported
    assert label_studio_problems(tasks) == []


def test_each_region_points_at_its_quote_in_code_points(exported):
    """Each region's start and end select its quote in data.text, emoji and combining marks included."""
    article, (task,) = exported
    assert task["data"]["text"] == article.body  # CRLF stored, and exported, as \n
    quotes = {r["value"]["text"]: r["value"]["labels"] for a in task["annotations"] for r in a["result"]}
    assert quotes == {
        "Paris": ["GPE"],
        '"Unemployment fell by 12 %"': ["CLAIM"],
        "Se\u0301bastien Lecornu": ["PERSON"],
        FRAKTUR_MARIE: ["PERSON"],
        "thank you": ["UNTRANSLATED"],
        "12 %": ["PERCENT"],
    }
    (mathematical,) = [r["value"] for r in task["annotations"][0]["result"] if r["value"]["text"] == FRAKTUR_MARIE]
    # Five code points (ten UTF-16 units): JavaScript's string length would say ten.
    assert mathematical["end"] - mathematical["start"] == 5


def test_every_exported_label_is_in_the_config_and_read_back_by_default():
    """The config's labels are exactly those Copydesk's import maps back without a mapping."""
    assert set(LABELS) <= set(DEFAULT_MAPPING)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda r: r.pop("to_name"), "missing to_name"),
        (lambda r: r.update(type="choices"), "not a labels region"),
        (lambda r: r.update(origin="machine"), "origin 'machine'"),
        (lambda r: r["value"].update(labels=["PERSONA"]), "not all in the project's config"),
        (lambda r: r["value"].pop("start"), "start None"),
        (lambda r: r["value"].update(end=r["value"]["end"] + 1), "is not data.text"),
    ],
)
def test_the_checker_names_what_label_studio_would_refuse(exported, change, problem):
    """A region broken in one way is named for that way, so the shape test can fail."""
    _, tasks = exported
    change(tasks[0]["annotations"][0]["result"][0])
    problems = label_studio_problems(tasks)
    assert len(problems) == 1 and problem in problems[0]
