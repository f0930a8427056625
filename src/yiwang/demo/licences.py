"""Demo e-licences for 江澜市: 营业执照 and 食品经营许可证 for a share of its companies, and
医师执业证书 for a share of its people, issued under the market regulator's and the health
commission's SM2 seals.

Which companies and people hold what, and every field, is a pure function of (seed, index);
the signatures differ between builds (SM2 signing is randomised). The first company's agent
(`agent`) and the first citizen (`citizen`) always hold licences, so the wallet has something
to show; one licence is revoked, one suspended and one changed (变更), to show every state.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.demo import generator
from yiwang.licences import documents, keys, services
from yiwang.licences.models import Counter, Licence
from yiwang.licences.services.issuance import add_years

FOOD_SECTORS = {"餐饮", "批发零售", "食品制造"}
BATCH = 1000
BUSINESS = dict(code_suffix="001", name="营业执照", holder_code_types=["001"], face_colour="#b22222",
                fields=[{"code": "company_type", "name": "类型", "required": True},
                        {"code": "representative", "name": "法定代表人", "required": True},
                        {"code": "capital", "name": "注册资本"}, {"code": "established", "name": "成立日期"},
                        {"code": "address", "name": "住所", "required": True},
                        {"code": "scope", "name": "经营范围", "required": True}],
                face_layout=[["holder_code", "统一社会信用代码"], ["holder_name", "名称"], ["company_type", "类型"],
                             ["representative", "法定代表人"], ["capital", "注册资本"], ["established", "成立日期"],
                             ["address", "住所"], ["scope", "经营范围"], ["number", "证照编号"]])  # fmt: skip
FOOD = dict(code_suffix="002", name="食品经营许可证", holder_code_types=["001"], validity_years=5, face_colour="#1a5fb4",
            fields=[{"code": "representative", "name": "法定代表人（负责人）", "required": True},
                    {"code": "address", "name": "经营场所", "required": True},
                    {"code": "main_business", "name": "主体业态", "required": True},
                    {"code": "items", "name": "经营项目", "required": True}],
            face_layout=[["holder_name", "经营者名称"], ["holder_code", "社会信用代码"], ["representative", "法定代表人（负责人）"],
                         ["address", "经营场所"], ["main_business", "主体业态"], ["items", "经营项目"],
                         ["number", "许可证编号"], ["validity", "有效期"]])  # fmt: skip
DOCTOR = dict(code_suffix="001", name="医师执业证书", holder_code_types=["111"], face_colour="#26a269",
              fields=[{"code": "category", "name": "执业类别", "required": True},
                      {"code": "speciality", "name": "执业范围", "required": True},
                      {"code": "practice_org", "name": "执业地点", "required": True}],
              face_layout=[["holder_name", "姓名"], ["holder_code", "身份证件号码"], ["category", "执业类别"],
                           ["speciality", "执业范围"], ["practice_org", "执业地点"], ["number", "证书编码"]])  # fmt: skip


def seals_from(today: datetime.date) -> datetime.date:
    """The demo seals' start: 1 January two years back. Demo licences are dated from then on,
    since a licence dated before its seal existed does not verify."""
    return datetime.date(today.year - 2, 1, 1)


def counts_for(sizes: dict) -> dict[str, int]:
    """How many companies get a 营业执照 (a fifth, at most 20,000) and people a 医师执业证书."""
    return {
        "companies": min(sizes["companies"] // 5, 20_000),
        "people": min(max(sizes["people"] // 100, 1), 1_000),
    }


def build(orgs: dict, admin, *, seed: int, sizes: dict) -> dict[str, int]:
    """Types, seals and licences of the demo city; returns the number issued per type."""
    market, health = orgs["市场监管局"], orgs["卫健委"]
    with transaction.atomic():
        today = timezone.localdate()
        for org in (market, health):
            services.create_seal(actor=admin, organisation=org, name=f"{org.name}电子证照专用章",
                                 valid_from=seals_from(today),
                                 valid_until=today + datetime.timedelta(days=5 * 365))  # fmt: skip
        business = services.create_licence_type(actor=admin, defining_org=market, **BUSINESS)
        food = services.create_licence_type(actor=admin, defining_org=market, **FOOD)
        doctor = services.create_licence_type(actor=admin, defining_org=health, **DOCTOR)
    share = counts_for(sizes)
    issued = {"营业执照": 0, "食品经营许可证": 0, "医师执业证书": 0}
    for kind, licence_type, holders in (("营业执照", business, _companies(seed, sizes, share, food=False)),
                                        ("食品经营许可证", food, _companies(seed, sizes, share, food=True)),
                                        ("医师执业证书", doctor, _doctors(seed, share))):  # fmt: skip
        issued[kind] = _bulk_issue(
            licence_type, licence_type.issuers.get(), holders, seals_from(today)
        )
    _show_every_state(admin, business)
    audit.record(actor=admin, action="demo.licences", target=orgs["root"], after=issued)
    return issued


def _companies(seed: int, sizes: dict, share: dict, *, food: bool):
    for n in range(share["companies"]):
        c = generator.company(seed, n * 5, people=sizes["people"])
        if food and n and c.industry not in FOOD_SECTORS:
            continue
        established = c.established
        if food:
            yield c.name, c.uscc, "001", established, {"representative": c.legal_representative, "address": c.address,
                  "main_business": "餐饮服务经营者" if c.industry == "餐饮" else "食品销售经营者",
                  "items": "预包装食品（含冷藏冷冻食品）销售；热食类食品制售"}  # fmt: skip
        else:
            yield c.name, c.uscc, "001", established, {"company_type": "个体工商户" if c.uscc[1] == "2" else "有限责任公司",
                  "representative": c.legal_representative, "capital": f"{c.registered_capital} 万元",
                  "established": established.isoformat(), "address": c.address, "scope": f"{c.industry}相关业务"}  # fmt: skip


def _doctors(seed: int, share: dict):
    for n in range(share["people"]):
        p = generator.person(seed, n * 100)
        since = datetime.date(2010, 1, 1) + datetime.timedelta(days=n * 37 % 4000)
        yield p.name, p.id_number, "111", since, {"category": "临床", "speciality": ("内科专业", "外科专业", "儿科专业")[n % 3],
              "practice_org": "江澜市第一人民医院"}  # fmt: skip


def _bulk_issue(licence_type, issuer, holders, start: datetime.date) -> int:
    """Sign and insert in batches with the same content and identifiers `issue_licence` makes."""
    seal = issuer.seals.get()
    private = keys.decrypt_private_key(seal.private_key_encrypted, seal.key_id)
    serial_name = f"serial:{licence_type.code}:{issuer.uscc}"
    index = Counter.objects.get_or_create(name="status-index")[0].value
    batch, count = [], 0
    for name, code, code_type, since, data in holders:
        count += 1
        holder = (name, code, code_type)
        batch.append(
            _licence(
                licence_type, issuer, seal, private, count, index, holder, max(since, start), data
            )
        )
        index += 1
        if len(batch) == BATCH:
            Licence.objects.bulk_create(batch)
            batch = []
    Licence.objects.bulk_create(batch)
    Counter.objects.update_or_create(name=serial_name, defaults={"value": count})
    Counter.objects.filter(name="status-index").update(value=index)
    return count


def _licence(licence_type, issuer, seal, private, n, index, holder, valid_from, data) -> Licence:
    from yiwang.core.identifiers import LicenceId

    serial = f"{n:08d}"
    identifier = str(LicenceId(licence_type.code, issuer.uscc, serial, "1"))
    valid_until = (add_years(valid_from, licence_type.validity_years) - datetime.timedelta(days=1)
                   if licence_type.validity_years else None)  # fmt: skip
    number = f"{issuer.region_code}{licence_type.code[-3:]}{serial}"
    holder_map = {"name": holder[0], "code": holder[1], "code_type": holder[2]}
    content = documents.content_for(identifier=identifier, licence_type=licence_type, issuer=issuer, number=number,
                                    holder=holder_map, region_code=issuer.region_code, issued_on=valid_from,
                                    valid_from=valid_from, valid_until=valid_until, data=data, version=1,
                                    previous=None, status_index=index)  # fmt: skip
    message = documents.signed_bytes(content)
    return Licence(identifier=identifier, licence_type=licence_type, issuer=issuer, seal=seal, serial=serial, version=1,
                   number=number, holder_name=holder[0], holder_code=holder[1], holder_code_type=holder[2],
                   region_code=issuer.region_code, issued_on=valid_from, valid_from=valid_from, valid_until=valid_until,
                   document=message.decode(), signature=keys.sign(seal.algorithm, private, message).hex(),
                   status_index=index)  # fmt: skip


def _show_every_state(admin, business) -> None:
    """Revoke, suspend and change three business licences (not the demo agent's first one)."""
    licences = list(Licence.objects.filter(licence_type=business).order_by("serial")[1:4])
    if len(licences) < 3:
        return
    with transaction.atomic():
        services.set_licence_status(actor=admin, licence=licences[0], status="revoked",
                                    reason="以欺骗手段取得登记（演示）")  # fmt: skip
        services.set_licence_status(actor=admin, licence=licences[1], status="suspended",
                                    reason="涉嫌违法经营，立案调查期间暂停（演示）")  # fmt: skip
        services.change_licence(actor=admin, licence=licences[2], reason="住所变更（演示）",
                                data={"address": "江澜市东湖区滨江路88号"})  # fmt: skip


def link_item_results(admin) -> int:
    """Point the demo items whose result is one of these licences at its type, where the item's
    department issues that type with a seal of its own (so an approved case issues it), and add
    the licence's fields to the item's form, so that the application carries its data."""
    from yiwang.licences.models import LicenceType
    from yiwang.services import services as item_services
    from yiwang.services.models import ServiceItem

    linked = 0
    for licence_type in LicenceType.objects.filter(is_active=True).prefetch_related("issuers"):
        issuers = [o.pk for o in licence_type.issuers.all() if o.seals.exists()]
        for item in ServiceItem.objects.filter(
            result_name=licence_type.name, organisation_id__in=issuers
        ):
            known = {f["code"] for f in item.form_definition}
            extra = [{"code": f["code"], "label": f["name"], "type": "text", "required": bool(f.get("required"))}
                     for f in licence_type.fields if f["code"] not in known]  # fmt: skip
            item_services.update_item(actor=admin, item=item, result_licence_type=licence_type.code,
                                      form_definition=item.form_definition + extra,
                                      note="审批结果签发电子证照")  # fmt: skip
            linked += 1
    return linked
