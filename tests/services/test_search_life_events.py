"""A search for a life event's name (主题分类: 社保, 婚姻 …) finds the items filed under it, and
every word the search page suggests finds items in a city shaped like the demo's."""

import importlib
import re

import pytest
from django.apps import apps

from tests import factories
from yiwang.core.models import SearchDocument
from yiwang.services import selectors
from yiwang.services import services as item_services
from yiwang.services.search import ITEM_KIND

pytestmark = pytest.mark.django_db


def _found(q: str) -> list[str]:
    return [item.name for item in selectors.published_items(None, q=q)]


@pytest.fixture
def social_security_card(city):
    return factories.service_item(city["market"], name="社会保障卡申领", life_event="social_security",
                                  summary="办理社会保障卡的申领和补换。")  # fmt: skip


def test_a_search_for_a_life_event_finds_the_items_filed_under_it(city, social_security_card):
    factories.service_item(city["market"], name="婚姻登记", life_event="marriage")
    assert _found("社保") == ["社会保障卡申领"]
    assert _found("婚姻") == ["婚姻登记"]


def test_the_search_page_lists_the_items_of_a_life_event_searched_by_name(
    client, social_security_card
):
    page = client.get("/services/", {"q": "社保"}).content.decode()
    assert "社会保障卡申领" in page and "没有找到事项" not in page


def test_an_item_filed_under_another_life_event_is_found_under_the_new_one(
    social_security_card,
):
    item_services.update_item(actor=factories.superuser(), item=social_security_card,
                              life_event="employment")  # fmt: skip
    assert _found("社保") == []
    assert _found("就业") == ["社会保障卡申领"]


def test_the_migration_indexes_the_life_events_of_items_stored_before(social_security_card):
    # As an installation stored it before: the document without the life event.
    SearchDocument.objects.filter(kind=ITEM_KIND, object_id=social_security_card.pk).update(
        body="办理社会保障卡的申领和补换。", tokens="社 会 社会 保 会保 障 保障 卡 障卡"
    )
    assert _found("社保") == []
    migration = importlib.import_module("yiwang.services.migrations.0003_index_life_events")
    assert migration.index_published_items(apps) == 1
    assert _found("社保") == ["社会保障卡申领"]
    assert SearchDocument.objects.filter(kind=ITEM_KIND).count() == 1


def test_the_migration_leaves_draft_items_out_of_the_index(city):
    draft = factories.service_item(city["market"], name="社会保障卡申领", life_event="social_security",
                                   publish=False)  # fmt: skip
    migration = importlib.import_module("yiwang.services.migrations.0003_index_life_events")
    assert migration.index_published_items(apps) == 0
    assert not SearchDocument.objects.filter(kind=ITEM_KIND, object_id=draft.pk).exists()


# --- the words the search page suggests, in a city shaped like the demo's ----------------


@pytest.fixture
def demo_city(factory):
    """One published item per basic item of the demo city, named, filed and described as the
    demo describes them (first 办理项 only)."""
    from yiwang.demo import names
    from yiwang.demo.services import basic_items

    root = factory.organisation("江澜市人民政府", kind="government")
    full_names = {short: name for name, short, _kind in names.CITY_DEPARTMENTS}
    departments = {}
    for base in basic_items():
        if base.department not in departments:
            departments[base.department] = factory.organisation(
                full_names[base.department], parent=root
            )
        org = departments[base.department]
        name = base.name + (f"（{base.variants[0]}）" if base.variants else "")
        factories.service_item(org, name=name, item_type=base.item_type, audience=base.audience,
                               life_event=base.life_event, summary=f"{org.name}办理的{name}。",
                               result_name=base.result)  # fmt: skip


def _suggested_words(page: str) -> list[str]:
    hint = re.search(r"例如两个字的词：(.+?)。", page).group(1)
    placeholder = re.search(r'placeholder="搜索办事事项，例如：(.+?)"', page).group(1)
    return [*hint.split("、"), *placeholder.split("、")]


def test_every_word_the_search_page_suggests_finds_items_in_the_demo_city(client, demo_city):
    page = client.get("/services/", {"q": "不存在的词语"}).content.decode()
    assert "没有找到事项" in page
    words = _suggested_words(page)
    assert "社保" in words
    assert {word: len(_found(word)) >= 1 for word in words} == dict.fromkeys(words, True)
