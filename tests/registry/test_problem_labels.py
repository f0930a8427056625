"""Problem codes of a load (问题分布) are shown by their Chinese names, the stable code beside;
every code the readers, the validator and the loader can give has a name."""

import pathlib
import re

import pytest

from tests.openapi import assert_matches_openapi
from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.core import identifiers
from yiwang.registry import services
from yiwang.registry.choices import PROBLEM_LABELS, problem_label

# A problem code as the sources write it: "value.not_in_enum", "identifier.uscc.length", …
CODE = re.compile(
    r"""["']((?:file|header|row|key|value|rule|identifier)\.[a-z_]+(?:\.[a-z_]+)*)["']"""
)
pytestmark = pytest.mark.django_db(transaction=True)

REGISTRY = pathlib.Path(services.__file__).parent


def _codes_in(paths) -> set[str]:
    return {code for path in paths for code in CODE.findall(path.read_text(encoding="utf-8"))}


def test_every_problem_code_in_the_registry_and_the_identifier_checks_has_a_label():
    emitted = _codes_in([*REGISTRY.glob("*.py"), pathlib.Path(identifiers.__file__)])
    assert "value.not_in_enum" in emitted and "identifier.uscc.length" in emitted  # the scan works
    assert sorted(emitted - PROBLEM_LABELS.keys()) == []


def test_every_label_names_a_code_that_is_emitted():
    emitted = _codes_in([*REGISTRY.glob("*.py"), pathlib.Path(identifiers.__file__)])
    assert sorted(PROBLEM_LABELS.keys() - emitted) == []


def test_a_code_without_a_label_is_shown_as_it_is():
    assert problem_label("value.renamed_long_ago") == "value.renamed_long_ago"


@pytest.fixture
def mixed_load(officer, published):
    rows = [company_row(i) for i in range(3)]
    rows += [company_row(10, uscc="91350100M00010"), company_row(1)]  # too short; a duplicate key
    load = services.receive_file(actor=officer, resource=published, upload=upload(csv_bytes(rows)))
    load.refresh_from_db()
    assert load.rows_invalid == 2
    return load


def test_the_load_page_names_each_problem_in_chinese_with_its_code_beside(
    client, officer, mixed_load
):
    client.force_login(officer)
    page = client.get(f"/registry/loads/{mixed_load.pk}/").content.decode()
    distribution = page[page.index("问题分布") :]
    assert (
        '统一社会信用代码位数不对：1 处 <small class="hint"><code>identifier.uscc.length</code>'
        in distribution
    )
    assert "主键在本批次中重复：1 处" in distribution


def test_the_quality_report_api_keeps_the_codes_and_adds_their_labels(client, officer, mixed_load):
    client.force_login(officer)
    response = client.get(f"/api/v1/registry/loads/{mixed_load.pk}/quality")
    assert_matches_openapi(response, "get", "/api/v1/registry/loads/{load_id}/quality")
    report = response.json()
    assert report["error_counts"] == {"identifier.uscc.length": 1, "row.duplicate_key": 1}
    assert report["error_labels"] == {
        "identifier.uscc.length": "统一社会信用代码位数不对",
        "row.duplicate_key": "主键在本批次中重复",
    }
