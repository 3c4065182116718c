import json
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations.domain.errors import DomainError
from annotations.domain.imports import ImportFailed
from annotations.domain.label_mapping import mapping_of
from annotations.interchange.annotation_files import READERS, read, read_brat_folder
from annotations.services.annotation_imports import Progress, annotations_import


class Command(BaseCommand):
    help = (
        "Import annotations made elsewhere (Copydesk's own JSONL and W3C JSON-LD exports, Label Studio's JSON export, "
        "doccano's JSONL, brat standoff files: a zip or a folder). Each file is imported whole or not at "
        "all, its annotations pending, as the user given; a file that fails is named with every record "
        "refused and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="files (for brat: zips or folders)")
        parser.add_argument("--format", required=True, choices=sorted(READERS))
        parser.add_argument(
            "--user", required=True, help="who imports (an annotator or above): the annotations' author"
        )
        parser.add_argument("--mapping", help='a JSON file of label -> fields, e.g. {"PER": "PERSON"}')

    def handle(self, *args, files, format, user, mapping, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user is called {user!r}.")
        try:
            labels = mapping_of(json.loads(Path(mapping).read_text(encoding="utf-8")) if mapping else None)
        except (OSError, json.JSONDecodeError, DomainError) as error:
            raise CommandError(f"--mapping: {error}") from None
        annotations = articles = failed = 0
        for name in files:
            path = Path(name)
            try:
                with _ProgressBar(path, self.stderr._out) as progress:  # the stream itself: tqdm ends its own lines
                    if path.is_dir():
                        if format != "brat":
                            raise ImportFailed([f"a folder is read as brat standoff files only, not as {format}"])
                        result = annotations_import(
                            actor=actor, spans=read_brat_folder(path), mapping=labels, name=path.name, progress=progress
                        )
                    else:
                        with path.open("rb") as file:
                            progress.follow(file)
                            result = annotations_import(
                                actor=actor, spans=read(format, file), mapping=labels, name=path.name, progress=progress
                            )
            except OSError as error:
                failed += 1
                self.stderr.write(f"\nfailed: {path}: {error.strerror}")
                continue
            except ImportFailed as failure:
                failed += 1
                self.stderr.write(f"\nfailed: {path}: nothing stored")
                for reason in failure.errors:
                    self.stderr.write(f"  {path}: {reason}")
                continue
            except DomainError as error:
                raise CommandError(str(error)) from None
            annotations += result.annotations_created
            articles += result.articles_created
            self.stdout.write(
                f"{path}: {result.annotations_created} annotations, {result.articles_created} articles created "
                f"in {progress.took():.1f} s (read and checked in {progress.read_in:.1f} s)"
            )
        self.stdout.write(f"imported {annotations} annotations ({articles} new articles), failed {failed} file(s)")
        if failed:
            raise CommandError(f"{failed} file(s) failed; nothing of them was stored", returncode=1)


class _ProgressBar:
    """A file's progress on the command line: bytes read of its size (records beside them),
    then "storing" while the database makes the annotations. tqdm draws it (rate and time
    left on a terminal, a line now and then elsewhere)."""

    def __init__(self, path: Path, out):
        self.path, self.out, self.file = path, out, None
        self.started, self.read_in = time.monotonic(), 0.0
        self.bar = tqdm(
            desc=f"{path.name}: reading",
            total=path.stat().st_size if path.is_file() else None,
            unit="B",
            unit_scale=True,
            file=out,
            mininterval=0.5,
            dynamic_ncols=True,
        )

    def follow(self, file) -> None:
        self.file = file

    def __call__(self, progress: Progress) -> None:
        if self.file is not None and not self.file.closed:
            self.bar.update(self.file.tell() - self.bar.n)
        if progress.stage == "storing" and not self.read_in:
            self.read_in = self.took()
        self.bar.set_description_str(f"{self.path.name}: {progress.stage}", refresh=False)
        self.bar.set_postfix_str(f"{progress.records:,} records")

    def took(self) -> float:
        return time.monotonic() - self.started

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()
        return False
