import csv
import gzip

import pytest
from django.core.management import call_command

from yiwang.core import identifiers
from yiwang.core.choices import Role
from yiwang.core.models import CompanyAgent, Membership, Organisation, User
from yiwang.demo import build, generator


@pytest.fixture
def small_city(db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(
        build.SCALES, "tiny", {"people": 300, "companies": 120, "citizens": 5, "agents": 3}
    )
    return build.build(scale="tiny", seed=7, registries_too=False)


@pytest.fixture
def city_with_registries(db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(
        build.SCALES, "tiny", {"people": 300, "companies": 120, "citizens": 5, "agents": 3}
    )
    return build.build(scale="tiny", seed=7)


def test_people_are_deterministic_for_a_seed_and_differ_between_seeds():
    assert generator.person(1, 42) == generator.person(1, 42)
    assert generator.person(1, 42) != generator.person(2, 42)


def test_generated_identifiers_are_valid_and_in_the_test_region():
    for i in range(500):
        p = generator.person(3, i)
        assert identifiers.validate_ric(p.id_number, allow_test_region=True) == p.id_number
        assert p.id_number.startswith("99")
        assert identifiers.ric_sex(p.id_number) == p.sex
        c = generator.company(3, i, people=1000)
        assert identifiers.validate_uscc(c.uscc, allow_test_region=True) == c.uscc
        assert c.uscc[2:4] == "99"


def test_identifiers_are_unique_by_construction():
    people = {generator.person(5, i).id_number for i in range(20_000)}
    companies = {generator.company(5, i, people=100).uscc for i in range(20_000)}
    assert len(people) == 20_000 and len(companies) == 20_000


def test_a_company_representative_is_a_person_of_the_city():
    c = generator.company(9, 17, people=5000)
    rep = generator.person(9, generator.representative_index(17, people=5000))
    assert (c.legal_representative, c.representative_id_number) == (rep.name, rep.id_number)


def test_the_demo_city_has_real_department_names_and_a_tree(small_city):
    names = set(Organisation.objects.values_list("name", flat=True))
    for department in (
        "江澜市市场监督管理局",
        "江澜市公安局",
        "江澜市人力资源和社会保障局",
        "江澜市税务局",
    ):
        assert department in names or f"国家税务总局{department}" in names
    assert Organisation.objects.filter(parent__isnull=True).count() == 1
    assert Organisation.objects.filter(level="city").count() >= 40
    assert Organisation.objects.filter(level="county", parent__level="county").exists()


def test_every_department_has_staff_for_every_role(small_city):
    departments = Organisation.objects.exclude(kind="government")
    for org in departments:
        roles = set(Membership.objects.filter(organisation=org).values_list("role", flat=True))
        assert roles == set(Role.values), org.name


def test_one_named_account_per_role_can_log_in(small_city, client):
    for username in (
        "admin",
        "clerk",
        "reviewer",
        "data_officer",
        "supervisor",
        "citizen",
        "agent",
    ):
        response = client.post(
            "/accounts/login/", {"username": username, "password": build.DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        client.logout()
    assert CompanyAgent.objects.filter(user__username="agent").exists()
    assert User.objects.get(username="citizen").id_number.startswith("99")


def test_the_city_files_stream_people_and_companies_with_valid_codes(small_city):
    with gzip.open(small_city.files["companies"], "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 120
    assert all(identifiers.validate_uscc(r["uscc"], allow_test_region=True) for r in rows)
    with gzip.open(small_city.files["people"], "rt", encoding="utf-8") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == 300


def test_the_demo_api_key_works(small_city, client):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {small_city.api_key}"})
    assert response.json()["name"] == "市场监管审批系统"


def test_the_demo_command_does_not_build_twice(small_city, capsys):
    call_command("demo", "--scale", "small")
    assert "已存在" in capsys.readouterr().out
    assert Organisation.objects.filter(parent__isnull=True).count() == 1


def test_the_demo_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(RuntimeError, match="生产环境"):
        build.build(scale="small", seed=1)


def test_writing_the_city_files_keeps_memory_flat_as_the_city_grows(tmp_path):
    import tracemalloc

    def peak(count):
        tracemalloc.start()
        build._write_csv(
            tmp_path / f"p{count}.csv.gz",
            count,
            lambda i: generator.person(1, i).row(),
            "人口",
            lambda *a: None,
        )
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(2_000), peak(40_000)
    assert large < small * 1.5 + 200_000


def test_the_demo_publishes_the_registries_and_loads_them_with_some_dirty_rows(
    city_with_registries,
):
    from yiwang.catalog.models import Demand, NegativeEntry, Resource, Responsibility
    from yiwang.registry.models import QualityReport, Record

    assert Resource.objects.filter(status="published").count() == 7
    assert NegativeEntry.objects.filter(resource__code="C0601/000001").exists()
    assert Record.objects.filter(resource__code="B0101/000001").count() == 300
    assert Record.objects.filter(resource__code="B0201/000001").count() == 120
    loads = city_with_registries.loads
    assert [load for load in loads if load.rows_invalid] and all(
        load.status == "succeeded" for load in loads
    )

    assert QualityReport.objects.filter(score__lt=100).exists()
    assert set(Demand.objects.values_list("status", flat=True)) == {"met", "pending", "unmeetable"}
    assert Responsibility.objects.count() == 5
