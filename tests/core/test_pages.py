import pytest

from yiwang.core import services
from yiwang.core.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(factory):
    root = factory.organisation("江澜市人民政府")
    return factory.organisation("江澜市市场监督管理局", parent=root)


def test_the_home_page_is_chinese_and_counts_departments(client, market):
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "一网通办" in page and 'name="viewport"' in page


def test_the_directory_finds_a_department_by_part_of_its_name(client, market, factory):
    factory.organisation("江澜市公安局", parent=market.parent)
    page = client.get("/organisations/", {"q": "市场"}).content.decode()
    assert "江澜市市场监督管理局" in page and "江澜市公安局" not in page


def test_staff_pages_require_login(client):
    response = client.get("/core/workbench/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_workbench_lists_the_users_roles(client, factory, market):
    client.force_login(factory.staff("reviewer", market))
    page = client.get("/core/workbench/").content.decode()
    assert "江澜市市场监督管理局 · 审批人员" in page
    assert "应用系统与密钥" not in page


def test_a_data_officer_registers_a_client_and_sees_the_key_only_once(client, factory, market):
    client.force_login(factory.staff("data_officer", market))
    response = client.post(
        "/core/clients/",
        {"organisation": market.pk, "subsystem_code": "food-licence", "name": "食品许可系统"},
    )
    assert response.status_code == 302
    api_client = market.api_clients.get()
    issued = client.post(
        f"/core/clients/{api_client.pk}/keys/", {"label": "生产环境"}
    ).content.decode()
    key = ApiKey.objects.get()
    secret = issued.split('id="secret">')[1].split("<")[0]
    assert secret.startswith(f"yw_{key.prefix}_")
    assert secret not in client.get("/core/clients/").content.decode()


def test_a_bad_subsystem_code_is_explained_in_chinese(client, factory, market):
    client.force_login(factory.staff("data_officer", market))
    page = client.post(
        "/core/clients/",
        {"organisation": market.pk, "subsystem_code": "Bad Code!", "name": "x系统"},
    )
    assert "子系统代码只能包含小写字母" in page.content.decode()


def test_revoking_a_key_on_the_page(client, factory, market):
    officer = factory.staff("data_officer", market)
    issued = services.issue_api_key(actor=officer, client=factory.api_client(market))
    client.force_login(officer)
    client.post(f"/core/clients/{issued.key.client_id}/keys/{issued.key.pk}/revoke/")
    issued.key.refresh_from_db()
    assert issued.key.revoked_at is not None


def test_another_departments_officer_cannot_issue_keys_for_a_client(client, factory, market):
    other = factory.organisation("江澜市卫生健康委员会", parent=market.parent)
    api_client = factory.api_client(market)
    client.force_login(factory.staff("data_officer", other))
    assert client.post(f"/core/clients/{api_client.pk}/keys/").status_code == 404
    assert not ApiKey.objects.exists()


def test_the_audit_page_is_for_supervisors_only(client, factory, market):
    client.force_login(factory.staff("clerk", market))
    assert client.get("/core/audit/").status_code == 403
    client.force_login(factory.staff("supervisor", market))
    assert "审计日志" in client.get("/core/audit/").content.decode()


def test_the_api_docs_are_served_from_our_own_static_files(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger" in page.lower()
    assert "cdn" not in page.lower() and "https://" not in page


def test_the_health_check_answers(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_admin_user_list_masks_personal_data_unless_allowed(client, factory):
    from django.contrib.auth.models import Permission

    number = factory.ric()
    factory.user("target", real_name="钱多多", id_number=number, phone="13912345678")
    viewer = factory.user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)
    page = client.get("/admin/core/user/").content.decode()
    assert "139****5678" in page and number not in page and "钱**" in page
    viewer.user_permissions.add(Permission.objects.get(codename="view_clear_personal_data"))
    client.force_login(viewer)
    page = client.get("/admin/core/user/").content.decode()
    assert number in page and "13912345678" in page


def test_roles_added_on_the_admin_user_page_are_audited(client, factory, market):
    from yiwang.core.models import AuditEvent, Membership

    target = factory.user("newstaff")
    client.force_login(factory.superuser())
    page = client.get(f"/admin/core/user/{target.pk}/change/")
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, tuple))
    }
    data.update({
        "username": "newstaff", "real_name": "", "id_number": "", "phone": "",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", "is_active": "on",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-0-organisation": market.pk, "memberships-0-role": "clerk",
    })  # fmt: skip
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/core/user/{target.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    membership = Membership.objects.get(user=target)
    assert AuditEvent.objects.filter(
        action="membership.create", target_id=str(membership.pk)
    ).exists()


def _admin_with(*codenames, **fields):
    from django.contrib.auth.models import Permission

    from tests import factories

    user = factories.user(is_staff=True, **fields)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_the_admin_user_page_masks_personal_data_unless_allowed(client, factory):
    number = factory.ric()
    target = factory.user("target", real_name="钱多多", id_number=number, phone="13912345678")
    client.force_login(_admin_with("view_user", "change_user"))
    page = client.get(f"/admin/core/user/{target.pk}/change/").content.decode()
    assert number not in page and "13912345678" not in page and "钱多多" not in page
    assert "139****5678" in page and "钱**" in page


def test_an_admin_who_is_no_superuser_cannot_grant_superuser_or_permissions(client, factory):
    admin = _admin_with("view_user", "change_user")
    client.force_login(admin)
    form = client.get(f"/admin/core/user/{admin.pk}/change/").context["adminform"].form
    assert not {"is_superuser", "groups", "user_permissions"} & set(form.fields)


def test_an_admin_who_is_no_superuser_cannot_change_a_superuser(client, factory):
    root = factory.superuser(username="root")
    client.force_login(_admin_with("view_user", "change_user"))
    assert client.post(f"/admin/core/user/{root.pk}/password/", {
        "password1": "Taken-over-42", "password2": "Taken-over-42",
    }).status_code == 403  # fmt: skip
    root.refresh_from_db()
    assert not root.check_password("Taken-over-42")


def test_an_agency_ending_before_it_begins_is_refused_on_the_admin_page(client, factory):
    from yiwang.core.models import CompanyAgent

    agent = factory.user("agent")
    client.force_login(factory.superuser())
    response = client.post("/admin/core/companyagent/add/", {
        "user": agent.pk, "company_uscc": factory.uscc(), "company_name": "江澜测试有限公司",
        "valid_from": "2026-06-01", "valid_until": "2026-05-31",
    })  # fmt: skip
    assert response.status_code == 200
    assert "授权截止日期不能早于授权起始日期" in response.content.decode()
    assert not CompanyAgent.objects.exists()


def test_admin_lists_of_roles_agencies_and_jobs_mask_the_persons_name_unless_allowed(
    client, factory, market
):
    import datetime

    from yiwang.core.models import CompanyAgent, Job

    person = factory.staff("clerk", market, username="qian", real_name="钱多多")
    CompanyAgent.objects.create(user=person, company_uscc=factory.uscc(), company_name="测试公司",
                                valid_from=datetime.date(2026, 1, 1))  # fmt: skip
    Job.objects.create(kind="x", title="导出", created_by=person)
    viewer = _admin_with("view_membership", "view_companyagent", "view_job")
    client.force_login(viewer)
    for path in ("/admin/core/membership/", "/admin/core/companyagent/", "/admin/core/job/"):
        page = client.get(path).content.decode()
        assert "qian（钱**）" in page and "钱多多" not in page, path


def test_an_organisation_cannot_become_its_own_ancestor_on_the_admin_page(client, factory, market):
    root = market.parent
    client.force_login(factory.superuser())
    response = client.post(f"/admin/core/organisation/{root.pk}/change/", {
        "name": root.name, "short_name": "", "uscc": root.uscc, "region_code": root.region_code,
        "kind": root.kind, "level": root.level, "parent": market.pk, "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 200
    assert "上级单位不能是自身或其下级" in response.content.decode()
    root.refresh_from_db()
    assert root.parent is None


def test_a_key_of_a_deactivated_client_is_not_called_expired(client, factory, market):
    officer = factory.staff("data_officer", market)
    api_client = factory.api_client(market)
    services.issue_api_key(actor=officer, client=api_client)
    api_client.is_active = False
    api_client.save()
    client.force_login(officer)
    page = client.get("/core/clients/").content.decode()
    assert "已停用" in page and "已过期" not in page


def test_an_admin_page_user_gives_roles_only_in_the_bodies_they_administer(client, factory, market):
    from yiwang.core.models import Membership

    admin = _admin_with("view_membership", "add_membership", "view_user", "view_organisation")
    Membership.objects.create(user=admin, organisation=market, role="admin")
    client.force_login(admin)
    for organisation, allowed in ((market.parent, False), (market, True)):
        client.post("/admin/core/membership/add/", {
            "user": admin.pk, "organisation": organisation.pk, "role": "supervisor",
        })  # fmt: skip
        granted = Membership.objects.filter(
            user=admin, organisation=organisation, role="supervisor"
        )
        assert granted.exists() is allowed, organisation


def test_roles_added_on_the_admin_user_page_are_limited_to_administered_bodies(
    client, factory, market
):
    from yiwang.core.models import Membership

    admin = _admin_with("view_user", "change_user", "view_membership", "add_membership",
                        "change_membership")  # fmt: skip
    Membership.objects.create(user=admin, organisation=market, role="admin")
    target = factory.user("newstaff", real_name="")
    client.force_login(admin)
    response = client.post(f"/admin/core/user/{target.pk}/change/", {
        "username": "newstaff", "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-0-organisation": market.parent.pk, "memberships-0-role": "admin",
    })  # fmt: skip
    assert response.status_code == 200
    assert "无权在该单位分配岗位" in response.content.decode()
    assert not Membership.objects.filter(user=target).exists()


def test_an_admin_page_user_changes_only_the_bodies_and_systems_they_administer(
    client, factory, market
):
    from yiwang.core.models import Membership

    health = factory.organisation("江澜市卫生健康委员会", parent=market.parent)
    health_system = factory.api_client(health, "his")
    admin = _admin_with("view_organisation", "change_organisation", "view_apiclient",
                        "change_apiclient")  # fmt: skip
    Membership.objects.create(user=admin, organisation=market, role="admin")
    client.force_login(admin)
    assert client.get(f"/admin/core/organisation/{market.pk}/change/").status_code == 200
    client.post(f"/admin/core/organisation/{market.pk}/change/", {
        "name": market.name, "short_name": "", "uscc": market.uscc, "region_code": market.region_code,
        "kind": market.kind, "level": market.level, "parent": health.pk, "is_active": "on",
    })  # fmt: skip
    market.refresh_from_db()
    assert market.parent_id == health.parent_id  # not moved under a body they do not run
    client.post(f"/admin/core/organisation/{health.pk}/change/", {
        "name": "改名", "short_name": "", "uscc": health.uscc, "region_code": health.region_code,
        "kind": health.kind, "level": health.level, "parent": health.parent_id, "is_active": "on",
    })  # fmt: skip
    client.post(f"/admin/core/apiclient/{health_system.pk}/change/", {
        "organisation": health.pk, "subsystem_code": "his", "name": "改名", "is_active": "",
        "quota_per_minute": 600, "quota_per_day": 200000,
        "keys-TOTAL_FORMS": "0", "keys-INITIAL_FORMS": "0",
    })  # fmt: skip
    health.refresh_from_db()
    health_system.refresh_from_db()
    assert health.name == "江澜市卫生健康委员会" and health_system.is_active
    assert "卫生健康" not in client.get("/admin/core/organisation/").content.decode()


def test_the_admin_user_history_page_masks_the_name_unless_allowed(client, factory):
    target = factory.user("target", real_name="钱多多")
    client.force_login(_admin_with("view_user"))
    page = client.get(f"/admin/core/user/{target.pk}/history/").content.decode()
    assert "钱多多" not in page and "target（钱**）" in page
