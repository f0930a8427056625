import pytest

from tests import factories
from yiwang.cases import selectors
from yiwang.exchange.models import ExchangeLog
from yiwang.exchange.selectors import usage_for

pytestmark = pytest.mark.django_db(transaction=True)

FORM = [
    {"code": "name", "label": "姓名", "type": "text", "prefill": "applicant.name"},
    {
        "code": "address",
        "label": "住址",
        "type": "text",
        "prefill": "registry:B0101/000001.address",
    },
]


def test_the_form_is_prefilled_from_the_applicants_own_registry_record(city, population):
    item = factories.service_item(city["market"], form_definition=FORM)
    values = selectors.prefill(item, city["citizen"])
    assert values == {"name": "张三", "address": "江澜市东湖区滨江路8号"}


def test_the_registry_read_is_logged_and_shown_to_the_citizen(city, population):
    item = factories.service_item(city["market"], form_definition=FORM, name="居住登记")
    selectors.prefill(item, city["citizen"])
    log = ExchangeLog.objects.get()
    assert (log.status, log.field_codes, log.purpose) == (200, ["address"], "申请预填：居住登记")
    assert log.client.subsystem_code == "yiwang-one-stop"
    assert [u["purpose"] for u in usage_for(city["citizen"])] == ["申请预填：居住登记"]


def test_a_citizen_without_a_record_gets_an_empty_field_and_a_logged_miss(city, population):
    item = factories.service_item(city["market"], form_definition=FORM)
    stranger = factories.user(real_name="王五", id_number=factories.ric())
    assert selectors.prefill(item, stranger) == {"name": "王五"}
    assert ExchangeLog.objects.get().status == 404


def test_an_unknown_resource_in_a_prefill_source_fills_nothing(city):
    form = [{"code": "x", "label": "某项", "type": "text", "prefill": "registry:B9999/000001.x"}]
    item = factories.service_item(city["market"], form_definition=form)
    assert selectors.prefill(item, city["citizen"]) == {}
    assert not ExchangeLog.objects.exists()
