"""The platform's own reads of shared data for an applicant (申请预填), logged like any exchange.

When a citizen or company opens an application form, the platform reads the
applicant's own record from a base registry to pre-fill it. No grant is
involved: the subject asked for the service and the record is theirs. The read
is made in the name of the department that handles the item, through its
"一网通办平台" system, and lands in the exchange log — so the applicant sees it
in 我的数据使用记录 like every other use of their data.
"""

from __future__ import annotations

from yiwang.catalog.choices import DataType, ResourceStatus
from yiwang.catalog.models import Resource
from yiwang.core.models import ApiClient, Organisation
from yiwang.exchange.choices import ExchangeOperation
from yiwang.exchange.gateway import Call, record_by_key, record_subjects, subject_hash

PLATFORM_SUBSYSTEM = "yiwang-one-stop"
SUBJECT_KEYS = {DataType.RIC, DataType.USCC}


def platform_client(organisation: Organisation) -> ApiClient:
    """The department's 一网通办 system, created the first time the platform reads for it."""
    client, _ = ApiClient.objects.get_or_create(
        organisation=organisation,
        subsystem_code=PLATFORM_SUBSYSTEM,
        defaults={"name": "一网通办平台（申请预填）"},
    )
    return client


def read_own_record(
    *, organisation: Organisation, resource_code: str, subject_code: str, field_codes: list[str],
    purpose: str, case_number: str = "",
) -> dict:  # fmt: skip
    """The applicant's own record's `field_codes`, or {} when the registry has none; logged."""
    resource = (
        Resource.objects.filter(code=resource_code, status=ResourceStatus.PUBLISHED)
        .prefetch_related("fields")
        .first()
    )
    if resource is None or not subject_code:
        return {}
    keys = [f for f in resource.fields.all() if f.is_key]
    if len(keys) != 1 or keys[0].data_type not in SUBJECT_KEYS:
        return {}  # only a record keyed by the applicant's own identifier is theirs
    known = {f.code for f in resource.fields.all()}
    wanted = tuple(c for c in field_codes if c in known)
    call = Call(client=platform_client(organisation), operation=ExchangeOperation.LOOKUP,
                purpose=purpose, case_number=case_number, resource=resource, field_codes=wanted)  # fmt: skip
    record = record_by_key(resource.pk, subject_code)
    if record is None:
        call.log(status=404, keys=[subject_code], error_code="exchange.not_found")
        return {}
    subjects = record_subjects(resource, record.data)
    call.log(
        status=200, keys=[subject_code], subjects=[subject_hash(subject_code), *subjects], count=1
    )
    return {code: record.data.get(code) for code in wanted}
