"""Bad input never becomes a 500: odd URLs, uncanonicalisable JSON, NUL characters, broken lists."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.licences.conftest import BUSINESS_DATA, issue_business, trusted
from yiwang.core.errors import ServiceError
from yiwang.licences import documents, publication, services
from yiwang.licences.offline import verify_offline
from yiwang.licences.verification import verify_document, verify_licence

pytestmark = pytest.mark.django_db


def test_a_url_that_does_not_parse_is_malformed(client):
    assert verify_licence("http://[").state == "malformed"
    assert client.get("/api/v1/licences/verify", {"q": "http://["}).json()["state"] == "malformed"


def test_a_document_with_an_integer_beyond_json_range_is_refused_not_raised(business_licence):
    document = documents.wrapped(business_licence)
    document["licence"]["data"]["capital"] = 2**70
    assert verify_document(document).state == "signature_invalid"


def test_offline_a_document_with_an_uncanonicalisable_number_is_signature_invalid(business_licence):
    document = documents.wrapped(business_licence)
    document["licence"]["version"] = 2**64
    assert (
        verify_offline(
            document, key_set=publication.key_set(), status_lists=[], anchors=trusted()
        ).state
        == "signature_invalid"
    )


@pytest.mark.parametrize("field", ["holder_name", "number", "case_number"])
def test_nul_characters_in_issued_text_are_refused(city, types, company, field):
    with pytest.raises(ServiceError, match="控制字符"):
        issue_business(city, types, company, **{field: "江澜\x00公司"})


def test_nul_characters_in_data_are_refused(city, types, company):
    with pytest.raises(ServiceError, match="控制字符"):
        issue_business(city, types, company, data={**BUSINESS_DATA, "scope": "食品\x00销售"})


def test_a_nul_in_a_reason_is_refused(city, business_licence):
    with pytest.raises(ServiceError, match="控制字符"):
        services.set_licence_status(actor=city["reviewer"], licence=business_licence, status="suspended",
                                    reason="调查\x00")  # fmt: skip


def test_an_identifier_with_a_nul_in_the_api_path_is_404(client, factory, city, business_licence):
    from tests.licences.test_api import key_for

    response = client.get(f"/api/v1/licences/licences/{business_licence.identifier}%00",
                          **key_for(factory, city["market"]))  # fmt: skip
    assert response.status_code == 404


def test_a_status_list_that_cannot_be_decoded_leaves_the_status_unverified(
    tmp_path, business_licence, capsys
):
    broken = publication.sign_list("revocation", "u!!!")  # signed by the platform, yet unreadable
    for path, content in (("l.json", documents.wrapped(business_licence)), ("k.json", publication.key_set()),
                          ("r.json", broken), ("s.json", publication.status_list("suspension")),
                          ("m.json", publication.status_list("message"))):  # fmt: skip
        (tmp_path / path).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="无法确认状态"):
        call_command("verify", str(tmp_path / "l.json"), "--keys", str(tmp_path / "k.json"), "--status",
                     str(tmp_path / "r.json"), "--status", str(tmp_path / "s.json"), "--status", str(tmp_path / "m.json"))  # fmt: skip
    assert "吊销/注销/变更状态列表无法读取" in capsys.readouterr().out


def test_garbage_status_lists_and_key_sets_do_not_raise(business_licence):
    document = documents.wrapped(business_licence)
    for key_set, lists in (
        ({"keys": "x"}, []),
        ([], ["x", 1, None]),
        (publication.key_set(), [{"proof": "x"}]),
        (publication.key_set(), 7),
    ):
        assert verify_offline(
            document, key_set=key_set, status_lists=lists, anchors=trusted()
        ).state in {
            "signature_invalid",
            "status_unknown",
        }


def test_a_proof_naming_its_key_with_a_list_is_signature_invalid_not_raised(business_licence):
    document = documents.wrapped(business_licence)
    document["proof"]["kid"] = ["not", "a", "key id"]
    result = verify_offline(
        document, key_set=publication.key_set(), status_lists=[], anchors=trusted()
    )
    assert result.state == "signature_invalid"


def test_deeply_nested_json_pasted_on_the_verify_page_is_malformed_not_a_500(client):
    text = '{"licence":' + "[" * 50_000 + "]" * 50_000 + "}"
    response = client.post("/licences/verify/", {"q": text})
    assert response.status_code == 200
    assert response.context["result"].state == "malformed"


def test_a_new_version_with_a_blank_holder_name_is_refused(city, business_licence):
    with pytest.raises(ServiceError, match="持证主体名称"):
        services.change_licence(actor=city["reviewer"], licence=business_licence, reason="更名",
                                holder_name="   ")  # fmt: skip
    business_licence.refresh_from_db()
    assert business_licence.status == "valid"


def test_a_blank_licence_number_is_numbered_automatically(city, types, company):
    licence = issue_business(city, types, company, number="   ")
    assert licence.number.strip() == licence.number != ""


def test_verify_on_a_deeply_nested_file_is_a_chinese_error_not_a_traceback(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"licence":' + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8")
    with pytest.raises(CommandError, match="嵌套层数过多"):
        call_command("verify", str(path))


def test_verify_on_a_file_that_is_not_json_says_where_in_chinese(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"licence": x}', encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行第 13 列"):
        call_command("verify", str(path))


def test_verify_on_a_file_that_is_not_utf8_is_a_chinese_error(tmp_path):
    path = tmp_path / "utf16.json"
    path.write_bytes('{"licence": {}}'.encode("utf-16"))
    with pytest.raises(CommandError, match="不是 UTF-8 编码"):
        call_command("verify", str(path))


def test_a_lone_surrogate_in_data_is_refused_not_a_500(client, factory, city, types, company):
    from tests.licences.test_api import issue_body, key_for

    body = json.dumps(issue_body(types, company, data={**BUSINESS_DATA, "scope": "食品"}))
    body = body.replace(
        '"\\u98df\\u54c1"', '"\\u98df\\ud800"'
    )  # JSON lets a lone surrogate through
    response = client.post("/api/v1/licences/licences", body, content_type="application/json",
                           **key_for(factory, city["market"]))  # fmt: skip
    assert response.status_code == 400 and "Unicode" in response.json()["message"]


def test_a_lone_surrogate_in_a_new_versions_data_is_refused(city, business_licence):
    with pytest.raises(ServiceError, match="Unicode"):
        services.change_licence(actor=city["reviewer"], licence=business_licence, reason="变更",
                                data={"scope": "食品\udfff销售"})  # fmt: skip
