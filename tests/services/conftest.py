"""Fixtures of the service tests.

- `pending`: alice's pending claim on "Kyiv was calm." of the mixed-script `article`.
"""

import pytest

from annotations.services.annotations import annotation_create


@pytest.fixture
def pending(annotator, article):
    return annotation_create(actor=annotator, article=article, kind="claim", quote="Kyiv was calm.")
