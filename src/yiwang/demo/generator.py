"""Deterministic generators of fictional people and companies in the test region.

Each record is a pure function of (seed, index), so a city of millions streams
in constant memory and any record can be regenerated on its own (a company's
legal representative is person number k). Identifiers are unique by
construction: the index goes through a bijection onto (region, birth day,
order code) for people and onto the 组织机构代码 body for companies.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import asdict, dataclass

from yiwang.core import identifiers
from yiwang.demo import names

PERSON_REGIONS = tuple(names.DISTRICTS) + tuple(names.COUNTIES) + (names.CITY_REGION,)
BIRTH_START = datetime.date(1940, 1, 1)
BIRTH_DAYS = 30_000
PERSON_SPACE = len(PERSON_REGIONS) * BIRTH_DAYS * 1000  # region × day × order code
COMPANY_SPACE = 10**8
_PERSON_STEP = 1_000_003  # coprime with PERSON_SPACE: i ↦ i·step mod space is a bijection
_COMPANY_STEP = 48_271


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    sex: str
    birth_date: datetime.date
    region_code: str
    address: str
    phone: str

    def row(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Company:
    uscc: str
    name: str
    legal_representative: str
    representative_id_number: str
    region_code: str
    registered_capital: int  # 万元
    established: datetime.date
    industry: str
    address: str

    def row(self) -> dict:
        return asdict(self)


def _rng(seed: int, stream: int, index: int) -> random.Random:
    return random.Random((seed * 1_000_003 + stream) * 10_000_019 + index)


def person_name(rng: random.Random) -> str:
    surname = (
        rng.choice(names.COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choice(names.SURNAMES)
    )
    given = "".join(rng.choice(names.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return surname + given


def region_label(code: str) -> str:
    return names.CITY_NAME + (names.DISTRICTS.get(code) or names.COUNTIES.get(code) or "")


def person(seed: int, index: int) -> Person:
    """Person number `index` of the demo city with this seed."""
    if not 0 <= index < PERSON_SPACE:
        raise ValueError("index out of the person space")
    slot = (index * _PERSON_STEP + seed) % PERSON_SPACE
    region = PERSON_REGIONS[slot % len(PERSON_REGIONS)]
    day = slot // len(PERSON_REGIONS) % BIRTH_DAYS
    order = slot // (len(PERSON_REGIONS) * BIRTH_DAYS)
    born = BIRTH_START + datetime.timedelta(days=day)
    body = f"{region}{born:%Y%m%d}{order:03d}"
    rng = _rng(seed, 1, index)
    return Person(
        id_number=body + identifiers.ric_check_char(body),
        name=person_name(rng),
        sex="M" if order % 2 else "F",
        birth_date=born,
        region_code=region,
        address=f"{region_label(region)}{rng.choice(names.STREETS)}{rng.randrange(1, 999)}号",
        phone=identifiers.random_mobile(rng),
    )


def company(seed: int, index: int, *, people: int) -> Company:
    """Company number `index`; its legal representative is one of the first `people` persons."""
    if not 0 <= index < COMPANY_SPACE:
        raise ValueError("index out of the company space")
    rng = _rng(seed, 2, index)
    body = f"{(index * _COMPANY_STEP + seed) % COMPANY_SPACE:08d}"
    form = rng.choices(names.COMPANY_FORMS, weights=(60, 20, 3, 15, 2))[0]
    kind = {"个体工商户": "2", "合作社": "3"}.get(form, "1")
    region = rng.choice(PERSON_REGIONS)
    industry, sector = rng.choice(names.INDUSTRIES)
    representative = person(seed, representative_index(index, people=people))
    word = rng.choice(names.COMPANY_WORDS) + rng.choice(names.GIVEN_CHARS)
    return Company(
        uscc=identifiers.make_uscc(region=region, org_body=body, registrar="9", kind=kind),
        name=f"{names.CITY_NAME[:2]}{word}{industry}{form}",
        legal_representative=representative.name,
        representative_id_number=representative.id_number,
        region_code=region,
        registered_capital=rng.choice((3, 5, 10, 50, 100, 200, 500, 1000, 5000)),
        established=datetime.date(1995, 1, 1) + datetime.timedelta(days=rng.randrange(11_000)),
        industry=sector,
        address=f"{region_label(region)}{rng.choice(names.STREETS)}{rng.randrange(1, 999)}号",
    )


def representative_index(company_index: int, *, people: int) -> int:
    """Which person represents company `company_index` (citizen accounts come first, so skip them)."""
    return (company_index * 7919 + 104_729) % max(people, 1)


def organisation_uscc(index: int, *, region: str, kind: str) -> str:
    """USCC of a government body: registrar 1 (机构编制), kind 1 机关 / 2 事业单位."""
    body = f"Y{index:07d}"
    return identifiers.make_uscc(
        region=region,
        org_body=body,
        registrar="1",
        kind="2" if kind == "public_institution" else "1",
    )
