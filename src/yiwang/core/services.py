"""Every write of the foundation: keyword-only, atomic, permission-checked, audited."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yiwang.core import audit, hotsql
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import ApiClient, ApiKey, CalendarOverride, Membership, Organisation, User
from yiwang.core.permissions import can, has_role, is_superuser

API_KEY_PREFIX = "yw_"


def full_clean(instance, exclude: list[str] | None = None) -> None:
    """Model validation turned into a ServiceError naming each bad field in Chinese."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        first = next(iter(fields.values()))[0]
        raise ServiceError("validation_failed", first, detail={"fields": fields}) from exc


def _save_new(instance, *, actor, action: str):
    full_clean(instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ServiceError("conflict", "与已有记录冲突（重复）", status=409) from exc
    audit.record(actor=actor, action=action, target=instance, after=audit.snapshot(instance))
    return instance


# --- organisations -----------------------------------------------------------


ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "uscc",
    "region_code",
    "kind",
    "level",
    "parent",
    "is_active",
)


@transaction.atomic
def create_organisation(*, actor, parent: Organisation | None, **fields) -> Organisation:
    """Add a 部门/单位 under `parent` (a root only for a superuser)."""
    if parent is None and not is_superuser(actor):
        raise PermissionDenied("只有平台管理员可以创建顶级单位")
    if (
        parent is not None
        and not Organisation.objects.restrict(actor, "add").filter(pk=parent.pk).exists()
    ):
        raise PermissionDenied("无权在该单位下创建下级单位")
    return _save_new(
        Organisation(parent=parent, **fields), actor=actor, action="organisation.create"
    )


@transaction.atomic
def update_organisation(*, actor, organisation: Organisation, **changes) -> Organisation:
    """Change an organisation's fields; the admin of it or of an ancestor may."""
    if not can(actor, "change", organisation):
        raise NotFound("单位")
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ServiceError("validation_failed", f"不能修改字段：{', '.join(sorted(unknown))}")
    if "parent" in changes and changes["parent"] is not None:
        parent = changes["parent"]
        if parent.pk == organisation.pk or organisation in parent.ancestors():
            raise ServiceError("organisation.cycle", "上级单位不能是自身或其下级")
    if "parent" in changes:
        _check_new_parent(actor, organisation, changes["parent"])
    before = audit.snapshot(organisation)
    for name, value in changes.items():
        setattr(organisation, name, value)
    full_clean(organisation)
    organisation.save(update_fields=list(changes))
    audit.record(
        actor=actor,
        action="organisation.update",
        target=organisation,
        before=before,
        after=audit.snapshot(organisation),
    )
    return organisation


def _check_new_parent(actor, organisation: Organisation, parent: Organisation | None) -> None:
    """Moving a body in the tree is creating it there: a root only for a superuser, else under a
    body the actor may add to (so no admin takes their body out of their superiors' reach)."""
    if (parent.pk if parent else None) == organisation.parent_id:
        return
    if parent is None and not is_superuser(actor):
        raise PermissionDenied("只有平台管理员可以设置顶级单位")
    if (
        parent is not None
        and not Organisation.objects.restrict(actor, "add").filter(pk=parent.pk).exists()
    ):
        raise PermissionDenied("无权将单位移到该上级单位下")


# --- people ------------------------------------------------------------------


@transaction.atomic
def register_user(
    *,
    actor,
    username: str,
    password: str,
    real_name: str = "",
    id_number: str | None = None,
    phone: str = "",
    email: str = "",
) -> User:
    """Create a sign-in account with real-name fields; the password is argon2-hashed."""
    user = User(
        username=username,
        real_name=real_name,
        id_number=id_number or None,
        phone=phone,
        email=email,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(
            "validation_failed",
            "；".join(exc.messages),
            detail={"fields": {"password": exc.messages}},
        ) from exc
    user.set_password(password)
    full_clean(user)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ServiceError("conflict", "用户名或身份号码已被使用", status=409) from exc
    audit.record(
        actor=actor,
        action="user.create",
        target=user,
        after=audit.snapshot(user, ["username", "real_name"]),
    )
    return user


@transaction.atomic
def grant_role(*, actor, user: User, organisation: Organisation, role: str) -> Membership:
    """Give `user` a role in `organisation`; an admin of that organisation (or above) may."""
    if not can(actor, "change", organisation):
        raise PermissionDenied("无权为该单位分配岗位")
    membership = Membership(user=user, organisation=organisation, role=role)
    return _save_new(membership, actor=actor, action="membership.grant")


@transaction.atomic
def revoke_role(*, actor, membership: Membership) -> None:
    if not can(actor, "change", membership.organisation):
        raise PermissionDenied("无权撤销该岗位")
    before = audit.snapshot(membership)
    audit.record(actor=actor, action="membership.revoke", target=membership, before=before)
    membership.delete()


# --- API clients and keys ----------------------------------------------------


@transaction.atomic
def create_api_client(
    *, actor, organisation: Organisation, subsystem_code: str, name: str
) -> ApiClient:
    """Register a department system (应用系统) as `ORG-USCC/subsystem-code`."""
    if not can(actor, "manage_clients", organisation):
        raise PermissionDenied("无权为该单位登记应用系统")
    client = ApiClient(organisation=organisation, subsystem_code=subsystem_code, name=name)
    return _save_new(client, actor=actor, action="api_client.create")


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once; only its digest is stored


def key_digest(secret: str) -> str:
    # Keys are 256-bit random: a fast hash is safe here and keeps every API call cheap.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_api_key(
    *, actor, client: ApiClient, label: str = "", days: int | None = None
) -> IssuedKey:
    """Make a new key for `client`; the clear key is returned once and never stored."""
    if not can(actor, "change", client):
        raise NotFound("应用系统")
    days = days or settings.API_KEY_DAYS
    if not 1 <= days <= 3 * 366:
        raise ServiceError("validation_failed", "密钥有效期应在 1 至 1098 天之间")
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        client=client,
        prefix=prefix,
        digest=key_digest(secret),
        label=label,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    audit.record(
        actor=actor,
        action="api_key.issue",
        target=key,
        after={"client": client.identity, "prefix": prefix, "expires_at": key.expires_at},
    )
    return IssuedKey(key=key, secret=secret)


@transaction.atomic
def revoke_api_key(*, actor, key: ApiKey) -> ApiKey:
    if not can(actor, "change", key.client):
        raise NotFound("API 密钥")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor, action="api_key.revoke", target=key, after={"revoked_at": key.revoked_at}
        )
    return key


# The key, its client and organisation, as every API call reads them (`authenticate_api_key`,
# and the gateway's lookup, which reads its grant and record in the same statement).
KEY_COLUMNS = (
    "k.id, k.digest, k.expires_at, k.revoked_at, k.last_used_at, c.id, c.subsystem_code, c.name, "
    "c.is_active, c.quota_per_minute, c.quota_per_day, o.id, o.uscc, o.name"
)
KEY_TABLES = (
    "core_apikey k JOIN core_apiclient c ON c.id = k.client_id "
    "JOIN core_organisation o ON o.id = c.organisation_id"
)
_KEY_LOOKUP = f"SELECT {KEY_COLUMNS} FROM {KEY_TABLES} WHERE k.prefix = %s"  # noqa: S608 (constants)


def _aware(value):
    """A timestamp from a raw query: SQLite gives text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def key_prefix(secret: str) -> str | None:
    """The public part of an API key (what it is looked up by), or None if not a key's shape."""
    if not secret.startswith(API_KEY_PREFIX):
        return None
    return secret[len(API_KEY_PREFIX) :].split("_", 1)[0]


def authenticate_api_key(secret: str) -> ApiClient | None:
    """The client owning a usable key, or None. Constant-time digest comparison.

    Every API call passes here, so it is one prepared join rather than an ORM query.
    """
    prefix = key_prefix(secret)
    if prefix is None:
        return None
    with hotsql.cursor() as cursor:
        cursor.execute(_KEY_LOOKUP, [prefix])
        row = cursor.fetchone()
    return client_of_key(secret, row)


def client_of_key(secret: str, row) -> ApiClient | None:
    """The client of a usable key from a row starting with `KEY_COLUMNS` (None: no such key, or
    revoked, expired, of an inactive client, or not this secret)."""
    if row is None or not hmac.compare_digest(row[1], key_digest(secret)):
        return None
    key_id, (expires_at, revoked_at, last_used_at) = row[0], map(_aware, row[2:5])
    now = timezone.now()
    if revoked_at is not None or expires_at <= now or not row[8]:
        return None
    if last_used_at is None or now - last_used_at > datetime.timedelta(minutes=5):
        ApiKey.objects.filter(pk=key_id).update(last_used_at=now)  # throttled: no write per call
    client = ApiClient(id=row[5], subsystem_code=row[6], name=row[7], is_active=row[8], quota_per_minute=row[9],
                       quota_per_day=row[10], organisation_id=row[11])  # fmt: skip
    client.organisation = Organisation(id=row[11], uscc=row[12], name=row[13])
    return client


# --- calendar ----------------------------------------------------------------


@transaction.atomic
def set_calendar_override(
    *, actor, date: datetime.date, is_working_day: bool, reason: str
) -> CalendarOverride:
    """Declare a local holiday or working day (admins only)."""
    if not has_role(actor, "admin"):
        raise PermissionDenied("只有管理员可以调整工作日历")
    existing = CalendarOverride.objects.filter(date=date).first()
    before = audit.snapshot(existing) if existing else None
    override = existing or CalendarOverride(date=date)
    override.is_working_day, override.reason = is_working_day, reason.strip()
    full_clean(override)
    override.save()
    audit.record(
        actor=actor,
        action="calendar.override",
        target=override,
        before=before,
        after=audit.snapshot(override),
    )
    return override
