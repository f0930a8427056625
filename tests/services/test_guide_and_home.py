"""The printable guide (办事指南) and the home page's ways in: search and life events."""

import pytest

from tests import factories
from yiwang.services import services
from yiwang.services.choices import COMPANY_EVENTS, PERSON_EVENTS

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_guide_carries_every_element_an_applicant_needs_on_paper(client, food_item):
    page = text(client.get(f"/services/items/{food_item.pk}/"))
    for element in (food_item.name, food_item.legal_basis, food_item.conditions, food_item.window_address,
                    food_item.office_hours, food_item.phone, "食品经营许可申请书", "法定代表人身份证明",
                    "承诺件"):  # fmt: skip
        assert element in page, element


def test_the_guide_prints_without_its_buttons(client, food_item):
    page = text(client.get(f"/services/items/{food_item.pk}/"))
    assert '<p class="actions no-print">' in page and "data-print" in page
    assert "在线申请" in page.split('<p class="actions no-print">')[1].split("</p>")[0]


def test_the_guide_of_a_suspended_item_says_it_takes_no_applications(client, city, food_item):
    services.suspend_item(actor=factories.superuser(), item=food_item, reason="法规修订，暂停受理")
    client.force_login(factories.staff("reviewer", city["market"]))  # staff still read it
    page = text(client.get(f"/services/items/{food_item.pk}/"))
    assert "本事项已暂停，暂不受理申请。" in page and "在线申请" not in page


def test_the_home_page_links_every_life_event_of_people_and_companies(client):
    page = text(client.get("/"))
    for event in (*PERSON_EVENTS, *COMPANY_EVENTS):
        assert f'href="/services/life-events/{event.value}/"' in page, event.label


def test_a_life_event_link_from_the_home_page_lists_its_items(client, food_item):
    page = text(client.get("/"))
    assert 'href="/services/life-events/startup/"' in page
    assert food_item.name in text(client.get("/services/life-events/startup/"))
