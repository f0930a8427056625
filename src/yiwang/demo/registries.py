"""The demo city's catalog and registries: published resources, the three lists, and loads
of the base registries (法人, 人口) and of department resources with deliberately dirty rows,
so that the quality pages show something real."""

from __future__ import annotations

import csv
import datetime
import random
from collections.abc import Callable
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from yiwang.catalog import services as catalog
from yiwang.catalog.models import Resource
from yiwang.core.choices import Role
from yiwang.core.jobs import JobProgress
from yiwang.core.models import Membership, Organisation
from yiwang.demo import generator
from yiwang.registry import loading
from yiwang.registry import services as registry

Progress = Callable[[str, int, int], None]

F = dict  # a field spec, for readability below
PEOPLE_FIELDS = [
    F(code="id_number", name="公民身份号码", data_type="ric", is_key=True, is_personal=True),
    F(code="name", name="姓名", data_type="string", length=50, required=True, is_personal=True),
    F(code="sex", name="性别", data_type="enum", enum_values=["M", "F"], description="M 男，F 女"),
    F(code="birth_date", name="出生日期", data_type="date"),
    F(code="region_code", name="户籍地行政区划", data_type="region", filterable=True),
    F(code="address", name="住址", data_type="string", length=200, is_personal=True),
    F(code="phone", name="联系电话", data_type="phone", is_personal=True),
]
COMPANY_FIELDS = [
    F(code="uscc", name="统一社会信用代码", data_type="uscc", is_key=True),
    F(code="name", name="企业名称", data_type="string", length=200, required=True, filterable=True),
    F(
        code="legal_representative",
        name="法定代表人",
        data_type="string",
        length=50,
        is_personal=True,
    ),
    F(
        code="representative_id_number",
        name="法定代表人身份号码",
        data_type="ric",
        is_personal=True,
    ),
    F(code="region_code", name="住所行政区划", data_type="region", filterable=True),
    F(code="registered_capital", name="注册资本（万元）", data_type="decimal"),
    F(code="established", name="成立日期", data_type="date"),
    F(code="industry", name="行业", data_type="string", length=50),
    F(code="address", name="住所", data_type="string", length=200),
]
INSURANCE_FIELDS = [
    F(code="id_number", name="公民身份号码", data_type="ric", is_key=True, is_personal=True),
    F(code="name", name="姓名", data_type="string", length=50, required=True, is_personal=True),
    F(
        code="insurance_type",
        name="险种",
        data_type="enum",
        enum_values=["企业职工基本养老保险", "城乡居民基本养老保险", "失业保险", "工伤保险"],
    ),
    F(code="employer_uscc", name="参保单位统一社会信用代码", data_type="uscc"),
    F(code="start_date", name="参保日期", data_type="date", required=True),
    F(
        code="status",
        name="参保状态",
        data_type="enum",
        enum_values=["参保缴费", "暂停缴费", "终止参保"],
    ),
]
BIRTH_FIELDS = [
    F(code="certificate_no", name="出生医学证明编号", data_type="string", length=12, is_key=True),
    F(code="child_name", name="新生儿姓名", data_type="string", length=50, is_personal=True),
    F(code="birth_date", name="出生日期", data_type="date", required=True),
    F(
        code="mother_id_number",
        name="母亲身份号码",
        data_type="ric",
        required=True,
        is_personal=True,
    ),
    F(code="hospital", name="签发机构", data_type="string", length=100, required=True),
]
FOOD_FIELDS = [
    F(code="licence_no", name="许可证编号", data_type="string", length=20, is_key=True),
    F(code="uscc", name="经营者统一社会信用代码", data_type="uscc", required=True),
    F(code="operator", name="经营者名称", data_type="string", length=200, required=True),
    F(
        code="category",
        name="主体业态",
        data_type="enum",
        enum_values=["餐饮服务经营者", "食品销售经营者", "单位食堂"],
    ),
    F(code="valid_until", name="有效期至", data_type="date", required=True),
]
FUND_FIELDS = [
    F(code="id_number", name="公民身份号码", data_type="ric", is_key=True, is_personal=True),
    F(
        code="account_status",
        name="账户状态",
        data_type="enum",
        enum_values=["正常", "封存", "销户"],
    ),
    F(code="monthly_deposit", name="月缴存额（元）", data_type="decimal"),
]
RECORD_FIELDS = [
    F(code="case_no", name="案件编号", data_type="string", length=30, is_key=True),
    F(code="id_number", name="当事人身份号码", data_type="ric", is_personal=True),
]

# (owner short name, code, name, category, base registry, cycle, share type, condition, fields, summary)
RESOURCES = [
    (
        "公安局",
        "B0101/000001",
        "人口基本信息",
        "base",
        "population",
        "daily",
        "conditional",
        "用于政务服务身份核验和信息复用，按最小必要原则授权信息项",
        PEOPLE_FIELDS,
        "全市户籍人口的身份号码、姓名、性别、出生日期、户籍地和联系方式。",
    ),
    (
        "市场监管局",
        "B0201/000001",
        "法人基本信息",
        "base",
        "legal_person",
        "daily",
        "unconditional",
        "",
        COMPANY_FIELDS,
        "全市市场主体登记信息：统一社会信用代码、名称、法定代表人、注册资本、成立日期。",
    ),
    (
        "人社局",
        "C1001/000001",
        "社会保险参保信息",
        "department",
        "",
        "monthly",
        "conditional",
        "用于社保、就业、救助类事项办理",
        INSURANCE_FIELDS,
        "社保参保人员的险种、参保单位、参保日期和状态。",
    ),
    (
        "卫健委",
        "C1801/000001",
        "出生医学证明信息",
        "department",
        "",
        "weekly",
        "conditional",
        "用于出生一件事联办",
        BIRTH_FIELDS,
        "出生医学证明签发信息，用于户口登记、医保参保等一件事办理。",
    ),
    (
        "市场监管局",
        "C2301/000001",
        "食品经营许可证信息",
        "department",
        "",
        "daily",
        "unconditional",
        "",
        FOOD_FIELDS,
        "食品经营许可证核发信息。",
    ),
    (
        "公积金中心",
        "C3501/000001",
        "住房公积金缴存信息",
        "department",
        "",
        "monthly",
        "conditional",
        "用于住房保障与贷款审批",
        FUND_FIELDS,
        "职工住房公积金账户状态与缴存额。",
    ),
    (
        "公安局",
        "C0601/000001",
        "违法犯罪记录信息",
        "department",
        "",
        "irregular",
        "none",
        "",
        RECORD_FIELDS,
        "公安机关办理案件的当事人记录。",
    ),
]
NEGATIVE = {"C0601/000001": "《中华人民共和国刑事诉讼法》第一百五十二条及公安机关保密规定"}


def officer_of(org: Organisation):
    return (
        Membership.objects.filter(organisation=org, role=Role.DATA_OFFICER)
        .select_related("user")
        .first()
        .user
    )


def build_catalog(orgs: dict[str, Organisation], admin) -> dict[str, Resource]:
    """Publish the demo resources, the negative list entry, responsibilities and demands."""
    resources = {}
    with transaction.atomic():
        for (
            short,
            code,
            name,
            category,
            base,
            cycle,
            share,
            condition,
            fields,
            summary,
        ) in RESOURCES:
            owner = orgs[short]
            officer = officer_of(owner)
            resource = catalog.create_resource(
                actor=officer, owner=owner, code=code, name=name, category=category, base_registry=base,
                update_cycle=cycle, share_type=share if share != "none" else "unconditional",
                share_condition=condition, summary=summary, fields=fields,
            )  # fmt: skip
            if code in NEGATIVE:
                catalog.set_negative_entry(
                    actor=officer, resource=resource, legal_basis=NEGATIVE[code]
                )
            resources[code] = catalog.publish_resource(actor=officer, resource=resource)
        for code in (
            "B0101/000001",
            "B0201/000001",
            "C1001/000001",
            "C1801/000001",
            "C3501/000001",
        ):
            resource = resources[code]
            catalog.assign_responsibility(actor=admin, organisation=resource.owner, resource=resource,
                                          cadence=resource.update_cycle)  # fmt: skip
        health, hr, civil, education = (
            orgs["卫健委"],
            orgs["人社局"],
            orgs["民政局"],
            orgs["教育局"],
        )
        met = catalog.create_demand(actor=officer_of(health), requester=health, resource=resources["B0201/000001"],
                                    purpose="医疗机构执业登记时核验申请单位信息", field_codes=["uscc", "name"])  # fmt: skip
        catalog.decide_demand(actor=officer_of(orgs["市场监管局"]), demand=met, status="met")
        catalog.create_demand(actor=officer_of(hr), requester=hr, resource=resources["B0101/000001"],
                              purpose="社保参保登记时复用户籍信息", field_codes=["id_number", "name", "birth_date"])  # fmt: skip
        catalog.create_demand(actor=officer_of(civil), requester=civil, purpose="婚姻登记核验",
                              description="婚姻登记信息（目录中暂无）")  # fmt: skip
        refused = catalog.create_demand(actor=officer_of(education), requester=education,
                                        resource=resources["C1801/000001"], purpose="入学登记")  # fmt: skip
        catalog.decide_demand(actor=officer_of(health), demand=refused, status="unmeetable",
                              reason="出生医学证明含新生儿健康信息，入学请使用户籍信息")  # fmt: skip
    return resources


def _dirty(rng: random.Random, value: str, kind: str) -> str:
    """One deliberate mistake of the kind departments make."""
    if kind == "check":
        last = value[-1]
        return value[:-1] + ("0" if last != "0" else "1")
    if kind == "empty":
        return ""
    if kind == "date":
        return value.replace("-", "/")[:5] + "13/45"
    return value


def write_department_files(folder: Path, seed: int, scale: dict) -> dict[str, Path]:
    rng = random.Random(seed * 7 + 3)
    people, companies = scale["people"], scale["companies"]
    n = max(scale["companies"] // 4, 100)
    files = {}

    def write(name, header, rows):
        path = folder / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        files[name] = path

    def insurance():
        previous = None
        for i in range(n):
            p = generator.person(seed, i * 3 % people)
            c = generator.company(seed, i % companies, people=people)
            row = [p.id_number, p.name, rng.choice(INSURANCE_FIELDS[2]["enum_values"]), c.uscc,
                   (datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(7000))).isoformat(),
                   rng.choice(["参保缴费"] * 8 + ["暂停缴费", "终止参保"])]  # fmt: skip
            roll = rng.random()
            if roll < 0.02:
                row[0] = _dirty(rng, row[0], "check")
            elif roll < 0.04:
                row[1] = ""
            elif roll < 0.055 and previous:
                row = previous[:]
            elif roll < 0.065:
                row[3] = _dirty(rng, row[3], "check")
            elif roll < 0.075:
                row[4] = _dirty(rng, row[4], "date")
            previous = row
            yield row

    def births():
        today = timezone.localdate()
        for i in range(n // 2):
            mother = generator.person(seed, (i * 11 + 5) % people)
            row = [f"Q{990000000 + i:09d}", generator.person_name(rng), (today - datetime.timedelta(days=rng.randrange(700))).isoformat(),
                   mother.id_number, rng.choice(["江澜市妇幼保健院", "江澜市第一人民医院", "青山县人民医院"])]  # fmt: skip
            roll = rng.random()
            if roll < 0.03:
                row[3] = _dirty(rng, row[3], "check")
            elif roll < 0.05:
                row[4] = ""
            yield row

    def food():
        for i in range(n):
            c = generator.company(seed, (i * 5) % companies, people=people)
            row = [f"JY1990100{i:08d}", c.uscc, c.name, rng.choice(FOOD_FIELDS[3]["enum_values"]),
                   (datetime.date(2027, 1, 1) + datetime.timedelta(days=rng.randrange(1500))).isoformat()]  # fmt: skip
            roll = rng.random()
            if roll < 0.02:
                row[3] = "饭店"
            elif roll < 0.04:
                row[1] = _dirty(rng, row[1], "check")
            elif roll < 0.05:
                row[0] = f"JY1990100{max(i - 1, 0):08d}"
            yield row

    write("insurance.csv", [f["code"] for f in INSURANCE_FIELDS], insurance())
    write(
        "births.csv", [f["name"] for f in BIRTH_FIELDS], births()
    )  # Chinese headers, as departments send them
    write("food-licences.csv", [f["code"] for f in FOOD_FIELDS], food())
    return files


def load_all(resources: dict[str, Resource], files: dict[str, Path], progress: Progress) -> list:
    """Load each file through the real pipeline, as the owner's data officer, showing progress."""
    plan = [("B0101/000001", files["people"]), ("B0201/000001", files["companies"]),
            ("C1001/000001", files["insurance.csv"]), ("C1801/000001", files["births.csv"]),
            ("C2301/000001", files["food-licences.csv"])]  # fmt: skip
    loads = []
    for code, path in plan:
        resource = resources[code]
        mode = (
            "replace" if resource.base_registry else "upsert"
        )  # base registries arrive as full snapshots
        with open(path, "rb") as handle:
            load = registry.receive_file(actor=officer_of(resource.owner), resource=resource,
                                         upload=File(handle, name=path.name), mode=mode, background=False)  # fmt: skip
        stage = f"归集 {resource.name}"
        bar = JobProgress(
            on_change=lambda done, total, stage=stage: progress(stage, done, total), interval=0.3
        )
        loads.append(loading.run_load(load, bar))
    return loads
