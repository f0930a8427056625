import pytest

from tests.exchange.conftest import a_year, person
from yiwang.catalog import services as catalog
from yiwang.exchange import services
from yiwang.exchange.models import AccessRequest, Grant

pytestmark = pytest.mark.django_db(transaction=True)

PURPOSE = "医疗机构执业登记核验"


def ask(health, resource, **extra):
    return services.request_access(actor=health["officer"], client=health["client"], resource=resource,
                                   purpose=PURPOSE, legal_basis="《医疗机构管理条例》", **{**a_year(), **extra})  # fmt: skip


def form_for(health, resource, **extra):
    period = {k: v.isoformat() for k, v in a_year().items()}
    return {"client": health["client"].pk, "resource": resource.pk, "purpose": PURPOSE,
            "legal_basis": "《医疗机构管理条例》", "expected_volume": "200", **period, **extra}  # fmt: skip


def decide(client, access, **data):
    return client.post(f"/exchange/requests/{access.pk}/decide/", data, follow=True)


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/exchange/requests/",
        "/exchange/requests/new/",
        "/exchange/grants/",
        "/exchange/my-data/",
        "/exchange/statistics/",
        "/exchange/log/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_the_new_request_page_preselects_the_resource_and_offers_its_fields(client, health, people):
    client.force_login(health["officer"])
    page = text(client.get(f"/exchange/requests/new/?resource={people.pk}"))
    assert f'<option value="{people.pk}" selected>' in page
    assert 'name="field_codes" value="address"' in page and "住址" in page
    assert f'<option value="{health["client"].pk}">' in page


def test_asking_for_a_conditional_resource_leaves_it_waiting_for_the_owner(client, health, people):
    client.force_login(health["officer"])
    response = client.post("/exchange/requests/new/", form_for(health, people, field_codes=["id_number", "name"]),
                           follow=True)  # fmt: skip
    assert "申请结果：待审核" in text(response) and "江澜市市场监督管理局审核" in text(response)
    access = AccessRequest.objects.get()
    assert access.status == "pending" and access.field_codes == ["id_number", "name"]
    assert access.expected_volume == 200


def test_asking_for_an_unconditional_resource_is_approved_at_once(client, health, companies):
    client.force_login(health["officer"])
    response = client.post("/exchange/requests/new/", form_for(health, companies), follow=True)
    assert "申请结果：已批准" in text(response)
    assert Grant.objects.get().field_codes == list(companies.fields.values_list("code", flat=True))


def test_asking_for_a_resource_on_the_negative_list_is_refused_with_its_reason(
    client, health, officer, city
):
    from tests.catalog.conftest import make_resource

    secret = make_resource(officer, city["market"], code="C0601/000001", name="内部记录", category="department",
                           base_registry="", share_type="none")  # fmt: skip
    catalog.set_negative_entry(
        actor=officer, resource=secret, legal_basis="《保守国家秘密法》第九条"
    )
    catalog.publish_resource(actor=officer, resource=secret)
    client.force_login(health["officer"])
    page = text(client.post("/exchange/requests/new/", form_for(health, secret), follow=True))
    assert "申请结果：不予共享" in page and "保守国家秘密法" in page
    assert not Grant.objects.exists()


def test_a_request_with_an_inverted_period_shows_the_services_message(client, health, people):
    client.force_login(health["officer"])
    data = form_for(health, people, valid_from="2030-01-02", valid_until="2030-01-01")
    page = text(client.post("/exchange/requests/new/", data))
    assert "截止日期不早于起始日期" in page and not AccessRequest.objects.exists()


def test_the_owner_sees_the_pending_request_and_approves_fewer_fields_one_in_clear(
    client, health, officer, people
):
    access = ask(health, people, field_codes=["id_number", "name", "address"])
    client.force_login(officer)
    page = text(client.get("/exchange/requests/"))
    assert "待我审核（1）" in page and "江澜市卫生健康委员会" in page and PURPOSE in page
    assert (
        health["client"].identity in page
        and "公民身份号码" in page
        and "《医疗机构管理条例》" in page
    )
    assert (
        'name="clear_fields" value="name"' in page
        and 'name="clear_fields" value="region_code"' not in page
    )
    response = decide(
        client, access, decision="approve", field_codes=["id_number", "name"], clear_fields=["name"]
    )
    assert "已批准，授权已生效" in text(response)
    grant = Grant.objects.get()
    assert grant.field_codes == ["id_number", "name"] and grant.clear_fields == ["name"]


def test_approving_with_no_field_checked_shows_an_error(client, health, officer, people):
    access = ask(health, people)
    client.force_login(officer)
    response = decide(client, access, decision="approve")
    assert "请至少勾选一个批准的信息项" in text(response)
    assert AccessRequest.objects.get().status == "pending" and not Grant.objects.exists()


def test_rejecting_without_a_reason_shows_the_chinese_error(client, health, officer, people):
    access = ask(health, people)
    client.force_login(officer)
    assert "驳回须说明理由" in text(decide(client, access, decision="reject", reason="  "))
    assert AccessRequest.objects.get().status == "pending"


def test_a_rejection_with_a_reason_is_shown_to_the_requester(client, health, officer, people):
    access = ask(health, people)
    client.force_login(officer)
    assert "已驳回" in text(decide(client, access, decision="reject", reason="用途超出职责范围"))
    client.force_login(health["officer"])
    page = text(client.get("/exchange/requests/"))
    assert "已驳回" in page and "用途超出职责范围" in page and "待我审核（0）" in page


def test_another_departments_officer_cannot_decide(client, factory, city, health, people):
    access = ask(health, people)
    client.force_login(factory.staff("data_officer", city["police"]))
    assert "待我审核（0）" in text(client.get("/exchange/requests/"))
    assert decide(client, access, decision="approve", field_codes=["name"]).status_code == 404
    assert AccessRequest.objects.get().status == "pending"


def test_the_requesting_officer_cannot_decide_their_own_request(client, health, people):
    access = ask(health, people)
    client.force_login(health["officer"])
    assert decide(client, access, decision="approve", field_codes=["name"]).status_code == 404


def test_a_reviewer_of_the_owning_department_sees_no_decide_forms(
    client, factory, city, health, people
):
    access = ask(health, people)
    client.force_login(factory.staff("reviewer", city["market"]))
    page = text(client.get("/exchange/requests/"))
    assert "待我审核（0）" in page and f"/exchange/requests/{access.pk}/decide/" not in page
    assert decide(client, access, decision="reject", reason="不同意").status_code == 404


def test_both_sides_see_the_grant_and_only_the_owner_gets_the_buttons(
    client, health, officer, people
):
    services.decide_request(actor=officer, request=ask(health, people, field_codes=["id_number", "name"]),
                            approve=True, clear_fields=["name"])  # fmt: skip
    grant = Grant.objects.get()
    client.force_login(officer)
    page = text(client.get("/exchange/grants/"))
    assert (
        "生效中" in page
        and "公民身份号码、姓名" in page
        and f"/exchange/grants/{grant.pk}/status/" in page
    )
    client.force_login(health["officer"])
    page = text(client.get("/exchange/grants/"))
    assert (
        "人口基本信息" in page
        and "生效中" in page
        and f"/exchange/grants/{grant.pk}/status/" not in page
    )


def test_the_owner_suspends_resumes_and_revokes_a_grant_with_reasons(
    client, health, officer, companies
):
    ask(health, companies)
    grant = Grant.objects.get()
    url = f"/exchange/grants/{grant.pk}/status/"
    client.force_login(officer)
    assert "请说明原因" in text(
        client.post(url, {"status": "suspended", "reason": ""}, follow=True)
    )
    assert "授权已暂停" in text(
        client.post(url, {"status": "suspended", "reason": "核查中"}, follow=True)
    )
    page = text(client.post(url, {"status": "active"}, follow=True))
    assert "授权已恢复" in page and "生效中" in page
    assert "请勾选“确认撤销”" in text(
        client.post(url, {"status": "revoked", "reason": "系统下线"}, follow=True)
    )
    grant.refresh_from_db()
    assert grant.status == "active"
    client.post(url, {"status": "revoked", "reason": "系统下线", "confirm": "1"})
    grant.refresh_from_db()
    assert (grant.status, grant.status_reason) == ("revoked", "系统下线")


def test_the_grantee_cannot_change_its_grant(client, health, companies):
    ask(health, companies)
    grant = Grant.objects.get()
    client.force_login(health["officer"])
    response = client.post(
        f"/exchange/grants/{grant.pk}/status/", {"status": "suspended", "reason": "试试"}
    )
    assert response.status_code == 404 and Grant.objects.get().status == "active"


def test_a_citizen_sees_which_department_read_their_record_and_why(
    client, factory, health, officer, people
):
    services.decide_request(actor=officer, request=ask(health, people), approve=True)
    ric = person(1)["id_number"]
    headers = {**health["headers"], "X-Case-Number": "9901001234567890202611220001"}
    assert (
        client.get(
            f"/api/v1/exchange/resources/{people.pk}/records/{ric}", headers=headers
        ).status_code
        == 200
    )
    client.force_login(factory.user("citizen1", id_number=ric))
    page = text(client.get("/exchange/my-data/"))
    assert (
        "江澜市卫生健康委员会" in page
        and PURPOSE in page
        and "9901001234567890202611220001" in page
    )
    assert "公民身份号码、姓名、住址" in page and "暂无记录" not in page


def test_a_citizen_whose_record_was_never_read_sees_the_empty_state(client, factory):
    client.force_login(factory.user("citizen0", id_number=person(0)["id_number"]))
    page = text(client.get("/exchange/my-data/"))
    assert "暂无记录" in page and 'href="/exchange/my-data/"' in page


def test_the_workbench_offers_the_exchange_pages_to_staff_only(client, factory, health):
    client.force_login(health["officer"])
    assert 'href="/exchange/requests/"' in text(client.get("/core/workbench/"))
    client.force_login(factory.user("citizen9"))
    assert 'href="/exchange/requests/"' not in text(client.get("/core/workbench/"))


def test_asking_for_a_period_that_has_already_ended_is_refused_on_the_page(
    client, health, companies
):
    client.force_login(health["officer"])
    data = form_for(health, companies, valid_from="2021-01-01", valid_until="2021-06-30")
    page = text(client.post("/exchange/requests/new/", data))
    assert "截止日期 2021-06-30 已过" in page and "申请结果" not in page
    assert not AccessRequest.objects.exists() and not Grant.objects.exists()


def test_a_grant_on_a_retired_resource_shows_so_and_offers_only_revoking(
    client, health, officer, companies
):
    ask(health, companies)
    grant = Grant.objects.get()
    catalog.retire_resource(actor=officer, resource=companies, reason="数据并入新资源")
    client.force_login(officer)
    page = text(client.get("/exchange/grants/"))
    assert "资源已停用" in page and "生效中" not in page
    assert ">暂停</button>" not in page and ">恢复</button>" not in page
    assert ">撤销</button>" in page
    page = text(client.post(f"/exchange/grants/{grant.pk}/status/", {"status": "suspended", "reason": "核查"},
                            follow=True))  # fmt: skip
    assert "资源已停用，其授权只能撤销" in page and Grant.objects.get().status == "active"


def test_the_grants_page_reaches_every_grant_a_page_at_a_time(
    client, factory, health, officer, companies
):
    import datetime

    today = datetime.date.today()
    Grant.objects.bulk_create(
        Grant(client=health["client"], resource=companies, field_codes=["uscc"], purpose=f"用途{i}",
              valid_from=today, valid_until=today + datetime.timedelta(days=i + 1))
        for i in range(620)
    )  # fmt: skip
    client.force_login(officer)
    first = text(client.get("/exchange/grants/"))
    assert "下一页" in first and "用途619" in first  # newest first
    pages = [text(client.get("/exchange/grants/", {"page": n})) for n in range(2, 8)]
    assert any("用途0<" in page for page in pages)


def test_the_requests_page_reaches_every_request_of_the_department(client, health, officer, people):
    import datetime

    today = datetime.date.today()
    AccessRequest.objects.bulk_create(
        AccessRequest(requester=health["client"].organisation, client=health["client"], resource=people,
                      field_codes=["name"], purpose=f"用途{i}", legal_basis="依据", valid_from=today,
                      valid_until=today, status="rejected", decision_reason="不需要")
        for i in range(230)
    )  # fmt: skip
    client.force_login(health["officer"])
    first = text(client.get("/exchange/requests/"))
    assert "下一页" in first and "用途229" in first
    assert "用途0<" in text(client.get("/exchange/requests/", {"page": 3}))
