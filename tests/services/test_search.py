import pytest

from tests import factories
from yiwang.core import search
from yiwang.services import selectors
from yiwang.services.search import ITEM_KIND, index_item

pytestmark = pytest.mark.django_db


def _used(item, count):
    item.use_count = count
    item.save(update_fields=["use_count"])
    index_item(item)
    return item


def test_a_broad_query_ranks_title_matches_first_then_by_use(city):
    body_only = _used(factories.service_item(city["market"], name="特种设备使用登记",
                                             summary="许可后办理"), 9000)  # fmt: skip
    rare = _used(factories.service_item(city["market"], name="食品经营许可"), 10)
    popular = _used(factories.service_item(city["market"], name="药品经营许可"), 5000)
    ids = search.search(kind=ITEM_KIND, query="许可", broad=True)
    assert ids == [popular.pk, rare.pk, body_only.pk]


def test_a_narrow_query_ranks_by_relevance_before_use(city):
    exact = factories.service_item(city["market"], name="食品许可")
    _used(factories.service_item(city["market"], name="食品生产加工小作坊登记许可备案"), 5000)
    assert search.search(kind=ITEM_KIND, query="食品许可")[0] == exact.pk


def test_counting_can_stop_early(city):
    for n in range(4):
        factories.service_item(city["market"], name=f"食品经营许可{n}")
    assert search.count(kind=ITEM_KIND, query="食品") == 4
    assert search.count(kind=ITEM_KIND, query="食品", at_most=2) == 2


def test_search_results_page_through_matches_and_cap_their_count(city, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_SEARCH_HITS", 3)
    monkeypatch.setattr(selectors, "BROAD_AFTER", 1)
    for n in range(5):
        factories.service_item(city["market"], name=f"食品经营许可{n}")
    found = selectors.items(None, q="食品")
    assert len(found) == 3 and found.capped
    assert len(found[0:2]) == 2 and found[2].name.startswith("食品经营许可")


def _apply(item, citizen, times: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yiwang.cases import services as cases

    for _ in range(times):
        cases.submit_application(actor=citizen, item=item, form_data={"name": "张三"},
                                 uploads={m.pk: SimpleUploadedFile("a.pdf", b"%PDF") for m in item.materials.all()})  # fmt: skip


def test_applying_for_an_item_lifts_it_in_the_results_after_the_boost_refresh(city):
    from yiwang.services.tasks import refresh_search_boosts

    first = factories.service_item(city["market"], name="食品经营许可甲")
    second = factories.service_item(city["market"], name="食品经营许可乙")
    assert [i.pk for i in selectors.published_items(None, q="食品经营")[:2]] == [
        first.pk,
        second.pk,
    ]
    _apply(second, factories.user(real_name="张三", id_number=factories.ric()), 2)
    assert refresh_search_boosts.call() == 1
    assert [i.pk for i in selectors.published_items(None, q="食品经营")[:2]] == [
        second.pk,
        first.pk,
    ]


def test_the_boost_refresh_leaves_items_whose_use_did_not_move(city):
    from yiwang.services.search import refresh_use_boosts

    _used(factories.service_item(city["market"], name="食品经营许可"), 7)
    assert refresh_use_boosts() == 0
