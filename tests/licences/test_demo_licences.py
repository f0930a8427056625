"""Demo licences of 江澜市: deterministic holders and data, every one verifiable, every state shown."""

import pytest

from yiwang.core.models import CompanyAgent, User
from yiwang.demo import build
from yiwang.licences import selectors
from yiwang.licences.models import Licence
from yiwang.licences.verification import verify_licence

pytestmark = pytest.mark.django_db(transaction=True)
TINY = {"people": 300, "companies": 120, "citizens": 5, "agents": 3}


@pytest.fixture
def tiny_city(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(build.SCALES, "tiny", TINY)
    return build.build(scale="tiny", seed=7, registries_too=False)


def test_a_share_of_companies_and_people_hold_licences(tiny_city):
    assert tiny_city.licences["营业执照"] == 24 and tiny_city.licences["医师执业证书"] == 3
    assert 1 <= tiny_city.licences["食品经营许可证"] <= 24
    assert (
        Licence.objects.count() == sum(tiny_city.licences.values()) + 1
    )  # and one changed version


def test_every_demo_licence_verifies_and_every_state_is_shown(tiny_city):
    states = [
        verify_licence(identifier).state
        for identifier in Licence.objects.values_list("identifier", flat=True)
    ]
    assert {"valid", "revoked", "suspended", "superseded"} <= set(states)
    assert "signature_invalid" not in states and states.count("valid") == len(states) - 3


def test_demo_licences_verify_offline_with_the_published_material(tiny_city):
    from yiwang.licences import documents, publication
    from yiwang.licences.offline import verify_offline

    key_set, lists = (
        publication.key_set(),
        [publication.status_list(p) for p in ("revocation", "suspension", "message")],
    )
    anchors = {publication.platform_fingerprint()}
    results = [verify_offline(documents.wrapped(x), key_set=key_set, status_lists=lists, anchors=anchors).state
               for x in Licence.objects.select_related("seal").order_by("id")]  # fmt: skip
    assert results.count("valid") == len(results) - 3
    assert (results.count("revoked"), results.count("superseded"), results.count("suspended")) == (
        1,
        1,
        1,
    )


def test_the_demo_agent_and_citizen_have_licences_in_their_wallets(tiny_city):
    agent = CompanyAgent.objects.order_by("id").first().user
    names = {licence.licence_type.name for licence in selectors.wallet_for(agent)}
    assert {"营业执照", "食品经营许可证"} <= names
    assert (
        selectors.wallet_for(User.objects.get(username="citizen"))
        .filter(licence_type__name="医师执业证书")
        .exists()
    )


def test_the_demo_holders_and_data_are_a_function_of_the_seed(tiny_city):
    from yiwang.demo import licences

    share = licences.counts_for(TINY)
    expected = [
        (code, data)
        for _name, code, _type, _since, data in licences._companies(7, TINY, share, food=False)
    ]
    stored = [(x.holder_code, x.content["data"]) for x in Licence.objects.filter(licence_type__name="营业执照", version=1)
              .order_by("serial")]  # fmt: skip
    assert stored == expected
    other_seed = {code for _name, code, *_ in licences._companies(8, TINY, share, food=False)}
    assert not other_seed & {code for code, _data in expected}


def test_counts_scale_with_the_city(tiny_city):
    from yiwang.demo import licences

    assert licences.counts_for(build.SCALES["small"]) == {"companies": 1000, "people": 100}
    assert licences.counts_for(build.SCALES["city"]) == {"companies": 20_000, "people": 1_000}
