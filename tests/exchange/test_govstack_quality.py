"""A record deleted through the GovStack API changes the registry as a load does, so the
registry's quality figures (资源数据质量) follow it under the same rule as a load's."""

import datetime

import pytest
from django.utils import timezone

from tests.exchange.test_govstack import COMPANIES, PEOPLE, ric, url
from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.registry import services as registry
from yiwang.registry.models import ResourceQuality

pytestmark = pytest.mark.django_db(transaction=True)


def figures(resource) -> ResourceQuality:
    return ResourceQuality.objects.get(resource=resource)


def test_a_delete_in_a_small_registry_updates_its_record_count(client, people, market_system):
    assert figures(people).records == 5
    response = client.delete(url(f"{PEOPLE}/{ric(2)}/delete"), headers=market_system["headers"])
    assert response.status_code == 204
    assert figures(people).records == 4


def test_a_refused_delete_leaves_the_figures_as_they_were(client, people, market_system, hospital):
    measured_at = figures(people).measured_at
    assert client.delete(url(f"{PEOPLE}/{ric(2)}/delete"), headers=hospital).status_code == 403
    missing = client.delete(url(f"{PEOPLE}/{ric(40)}/delete"), headers=market_system["headers"])
    assert missing.status_code == 404
    assert (figures(people).records, figures(people).measured_at) == (5, measured_at)


def test_a_delete_keeps_the_load_the_figures_name(client, people, market_system):
    last_load = figures(people).last_load
    client.delete(url(f"{PEOPLE}/{ric(2)}/delete"), headers=market_system["headers"])
    assert last_load is not None and figures(people).last_load == last_load


def test_a_delete_of_a_small_share_soon_after_a_measurement_waits_like_a_small_load(
    client, officer, companies, market_system, time_machine
):
    """One record of 1,200 is under 0.1 %: within ten minutes no re-scan, after them the next
    delete re-measures and takes the first in."""
    time_machine.move_to(timezone.now())
    rows = [company_row(i) for i in range(5, 1200)]
    registry.receive_file(actor=officer, resource=companies, upload=upload(csv_bytes(rows)))
    assert figures(companies).records == 1200
    first = client.delete(url(f"{COMPANIES}/{company_row(5)['uscc']}/delete"),
                          headers=market_system["headers"])  # fmt: skip
    assert first.status_code == 204 and figures(companies).records == 1200
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=11))
    client.delete(url(f"{COMPANIES}/{company_row(6)['uscc']}/delete"),
                  headers=market_system["headers"])  # fmt: skip
    assert figures(companies).records == 1198
