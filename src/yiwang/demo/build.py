"""Build the demo city 江澜市 into the database and the departments' export files.

Organisations, staff for every role, demo accounts, an API client, citizens and
company agents go into the database; the people and companies of the city are
written as the CSV files that the registries load (归集) later. Everything is
deterministic for a seed.
"""

from __future__ import annotations

import csv
import datetime
import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from yiwang.core import audit, services
from yiwang.core.choices import OrganisationKind, OrganisationLevel, Role
from yiwang.core.models import CompanyAgent, Membership, Organisation, User
from yiwang.demo import generator, names

DEMO_PASSWORD = "Yiwang-demo-2026"  # noqa: S105 — printed for the demo accounts, refused in production
SCALES = {
    "small": {"people": 10_000, "companies": 5_000, "citizens": 50, "agents": 20},
    "city": {"people": 2_000_000, "companies": 1_000_000, "citizens": 1_000, "agents": 300},
}
ROOT_USCC_INDEX = 0
NAMED_USERNAMES = ("clerk", "reviewer", "reviewer2", "data_officer", "supervisor", "bureau_admin")

Progress = Callable[[str, int, int], None]


@dataclass
class DemoAccount:
    username: str
    role: str
    description: str


@dataclass
class DemoResult:
    organisations: int = 0
    staff: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    api_key: str = ""
    files: dict[str, Path] = field(default_factory=dict)
    loads: list = field(default_factory=list)
    service_items: int = 0
    themes: int = 0
    cases: dict = field(default_factory=dict)
    licences: dict = field(default_factory=dict)


def demo_dir(seed: int) -> Path:
    return Path(settings.VAR_DIR) / "demo" / f"seed-{seed}"


def already_built() -> bool:
    root_uscc = generator.organisation_uscc(
        ROOT_USCC_INDEX, region=names.CITY_REGION, kind="government"
    )
    return Organisation.objects.filter(uscc=root_uscc).exists()


def existing_accounts() -> list[DemoAccount]:
    """The named demo accounts of a city built earlier, read back from the database."""
    accounts = [DemoAccount("admin", "平台管理员", "超级用户，可进入后台管理 /admin/")]
    for m in Membership.objects.filter(user__username__in=NAMED_USERNAMES).select_related(
        "user", "organisation"
    ):
        accounts.append(DemoAccount(m.user.username, m.get_role_display(), m.organisation.name))
    accounts.append(DemoAccount("citizen", "市民", "另有 citizen0001 起的市民账号"))
    agent = CompanyAgent.objects.filter(user__username="agent").first()
    if agent:
        accounts.append(DemoAccount("agent", "企业经办人", agent.company_name))
    return accounts


def build(*, scale: str = "small", seed: int = 1, progress: Progress | None = None,
          registries_too: bool = True) -> DemoResult:  # fmt: skip
    """Generate the whole demo city at `scale`."""
    if getattr(settings, "PRODUCTION", False):
        raise RuntimeError("演示数据不能在生产环境生成")
    sizes = SCALES[scale]
    progress = progress or (lambda stage, done, total: None)
    result = DemoResult()
    with transaction.atomic():
        admin = _admin()
        orgs = _organisations(admin, result)
        _staff(admin, orgs, result)
        _accounts(admin, orgs, seed, sizes, result)
        issued = _api_client(admin, orgs)
        result.api_key = issued.secret
    from yiwang.demo import licences

    result.licences = licences.build(orgs, admin, seed=seed, sizes=sizes)
    result.files = _write_files(seed, sizes, progress)
    if registries_too:
        from yiwang.demo import registries

        resources = registries.build_catalog(orgs, admin)
        result.files.update(registries.write_department_files(demo_dir(seed), seed, sizes))
        result.loads = registries.load_all(resources, result.files, progress)
    from yiwang.demo import services as demo_services

    result.service_items, result.themes = demo_services.build(orgs, admin, scale=scale)
    from yiwang.demo import cases as demo_cases
    from yiwang.demo.licences import link_item_results

    link_item_results(admin)

    progress("办件", 0, 1)
    result.cases = demo_cases.build(seed=seed, scale=scale)
    progress("办件", 1, 1)
    return result


def _admin() -> User:
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser(
            "admin", password=DEMO_PASSWORD, real_name="平台管理员"
        )
        audit.record(
            actor=None,
            action="user.create",
            target=admin,
            after={"username": "admin", "superuser": True},
        )
    return admin


def _organisations(admin: User, result: DemoResult) -> dict[str, Organisation]:
    """The city government, its departments, and each county with its departments."""
    index = iter(range(10_000))

    def make(name, short, kind, level, region, parent):
        uscc = generator.organisation_uscc(next(index), region=region, kind=kind)
        return services.create_organisation(
            actor=admin,
            parent=parent,
            name=name,
            short_name=short,
            uscc=uscc,
            region_code=region,
            kind=kind,
            level=level,
        )

    root = make(
        f"{names.CITY_NAME}人民政府",
        names.CITY_NAME,
        OrganisationKind.GOVERNMENT,
        OrganisationLevel.CITY,
        names.CITY_REGION,
        None,
    )
    orgs = {"root": root}
    for name, short, kind in names.CITY_DEPARTMENTS:
        orgs[short] = make(name, short, kind, OrganisationLevel.CITY, names.CITY_REGION, root)
    # 一窗受理: the service centre's clerks accept applications for every department.
    Organisation.objects.filter(pk=orgs["政务服务中心"].pk).update(hosts_window=True)
    for region, county in {**names.DISTRICTS, **names.COUNTIES}.items():
        government = make(
            f"{names.CITY_NAME}{county}人民政府",
            county,
            OrganisationKind.GOVERNMENT,
            OrganisationLevel.COUNTY,
            region,
            root,
        )
        if region in names.COUNTIES:
            for name, kind in names.COUNTY_DEPARTMENTS:
                orgs[f"{county}{name}"] = make(
                    f"{names.CITY_NAME}{county}{name}",
                    "",
                    kind,
                    OrganisationLevel.COUNTY,
                    region,
                    government,
                )
    result.organisations = Organisation.objects.count()
    return orgs


def _staff(admin: User, orgs: dict[str, Organisation], result: DemoResult) -> None:
    """One staff account per role in every department (same demo password, hashed once)."""
    password = make_password(DEMO_PASSWORD)
    departments = [
        o for key, o in orgs.items() if key != "root" and o.kind != OrganisationKind.GOVERNMENT
    ]
    users, memberships = [], []
    for number, org in enumerate(departments, start=1):
        for role in Role:
            users.append(
                User(
                    username=f"d{number:03d}-{role.value}",
                    password=password,
                    real_name=f"{org.short_name or org.name[-6:]}{role.label}",
                    is_staff=False,
                )
            )
    User.objects.bulk_create(users)
    created = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    for number, org in enumerate(departments, start=1):
        for role in Role:
            memberships.append(
                Membership(
                    user=created[f"d{number:03d}-{role.value}"], organisation=org, role=role.value
                )
            )
    Membership.objects.bulk_create(memberships)
    audit.record(
        actor=admin,
        action="demo.staff",
        target=orgs["root"],
        after={"accounts": len(users), "memberships": len(memberships)},
    )
    result.staff = len(users)


ADMIN_MODELS = (
    "organisation",
    "user",
    "membership",
    "companyagent",
    "apiclient",
    "calendaroverride",
)


def _admin_group() -> Group:
    """系统管理员 group: the back-office permissions a bureau admin needs in /admin/."""
    group, _ = Group.objects.get_or_create(name="系统管理员")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="core", content_type__model__in=ADMIN_MODELS
        ).exclude(codename__startswith="delete_")
        | Permission.objects.filter(codename__in=["view_auditevent", "view_auditseal", "view_job"])
    )
    return group


def _person_user(username: str, person: generator.Person, password: str) -> User:
    return User.objects.create(
        username=username,
        password=password,
        real_name=person.name,
        id_number=person.id_number,
        phone=person.phone,
    )


def _accounts(admin, orgs, seed: int, sizes: dict, result: DemoResult) -> None:
    """The named demo accounts (one per role) plus generated citizens and company agents."""
    password = make_password(DEMO_PASSWORD)
    bureau, market, health = orgs["数据局"], orgs["市场监管局"], orgs["卫健委"]
    named = [
        ("clerk", "综合窗口人员", orgs["政务服务中心"], Role.CLERK, "王窗口"),
        ("reviewer", "审批人员（市场监管局）", market, Role.REVIEWER, "李审批"),
        ("reviewer2", "审批人员（卫健委）", health, Role.REVIEWER, "赵审批"),
        ("data_officer", "数据管理员（市场监管局）", market, Role.DATA_OFFICER, "陈数据"),
        ("supervisor", "监察人员（数据局）", bureau, Role.SUPERVISOR, "周监察"),
        ("bureau_admin", "系统管理员（全市，数据局）", orgs["root"], Role.ADMIN, "吴管理"),
    ]
    result.accounts.append(DemoAccount("admin", "平台管理员", "超级用户，可进入后台管理 /admin/"))
    admins = _admin_group()
    for username, label, org, role, real_name in named:
        user = User.objects.create(
            username=username, password=password, real_name=real_name, is_staff=role == Role.ADMIN
        )
        Membership.objects.create(user=user, organisation=org, role=role)
        if role == Role.ADMIN:
            user.groups.add(admins)
        result.accounts.append(DemoAccount(username, label, org.name))
    for i in range(sizes["citizens"]):
        _person_user(
            "citizen" if i == 0 else f"citizen{i:04d}", generator.person(seed, i), password
        )
    result.accounts.append(
        DemoAccount("citizen", "市民", f"另有 citizen0001 … citizen{sizes['citizens'] - 1:04d}")
    )
    today = timezone.localdate()
    for i in range(sizes["agents"]):
        company = generator.company(seed, i, people=sizes["people"])
        representative = generator.person(
            seed, generator.representative_index(i, people=sizes["people"])
        )
        username = "agent" if i == 0 else f"agent{i:04d}"
        user = User.objects.filter(id_number=representative.id_number).first()
        if user is None:
            user = _person_user(username, representative, password)
        CompanyAgent.objects.create(
            user=user,
            company_uscc=company.uscc,
            company_name=company.name,
            valid_from=today - datetime.timedelta(days=2 * 365),  # before the year of cases
        )
    first_agent = CompanyAgent.objects.select_related("user").order_by("id").first()
    result.accounts.append(
        DemoAccount(first_agent.user.username, "企业经办人", first_agent.company_name)
    )
    audit.record(
        actor=admin,
        action="demo.accounts",
        target=orgs["root"],
        after={"citizens": sizes["citizens"], "agents": sizes["agents"]},
    )


def _api_client(admin, orgs):
    client = services.create_api_client(
        actor=admin,
        organisation=orgs["市场监管局"],
        subsystem_code="market-approval",
        name="市场监管审批系统",
    )
    return services.issue_api_key(actor=admin, client=client, label="演示密钥", days=365)


def _write_files(seed: int, sizes: dict, progress: Progress) -> dict[str, Path]:
    """Stream the city's people and companies to gzip CSV, in constant memory."""
    folder = demo_dir(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people_count, company_count = sizes["people"], sizes["companies"]
    files = {
        "people": folder / f"people-{people_count}.csv.gz",
        "companies": folder / f"companies-{company_count}.csv.gz",
    }
    _write_csv(
        files["people"], people_count, lambda i: generator.person(seed, i).row(), "人口", progress
    )
    _write_csv(
        files["companies"],
        company_count,
        lambda i: generator.company(seed, i, people=people_count).row(),
        "法人",
        progress,
    )
    return files


def _write_csv(path: Path, count: int, make_row, stage: str, progress: Progress) -> None:
    if path.exists():
        progress(stage, count, count)
        return
    partial = path.with_suffix(".partial")
    with gzip.open(partial, "wt", encoding="utf-8", newline="", compresslevel=3) as handle:
        writer = None
        for i in range(count):
            row = make_row(i)
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            if i % 10_000 == 0 or i == count - 1:
                progress(stage, i + 1, count)
    partial.rename(path)
