"""Back-office pages. Writes that matter go through services (audited);
audit events and seals are read-only here."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from yiwang.core import audit
from yiwang.core.choices import MaskKind
from yiwang.core.masking import mask, reveal_or_mask
from yiwang.core.models import (
    ApiClient,
    ApiKey,
    AuditEvent,
    AuditSeal,
    CalendarOverride,
    CompanyAgent,
    Job,
    Membership,
    Organisation,
    PlatformKey,
    User,
)
from yiwang.core.permissions import can, can_see_clear, is_superuser


class AuditedAdmin(admin.ModelAdmin):
    """Admin whose saves and deletes write audit events in the same transaction."""

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'update' if change else 'create'}"
        audit.record(
            actor=request.user, action=action, target=obj, before=before, after=audit.snapshot(obj)
        )

    def delete_model(self, request, obj):
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.delete",
            target=obj,
            before=audit.snapshot(obj),
        )
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows (a user's 岗位, say) are audited like the parent."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit.record(actor=request.user, action=f"{obj._meta.model_name}.delete", target=obj,
                         before=audit.snapshot(obj))  # fmt: skip
            obj.delete()
        for obj in instances:
            created = obj.pk is None
            obj.save()
            action = f"{obj._meta.model_name}.{'create' if created else 'update'}"
            audit.record(actor=request.user, action=action, target=obj, after=audit.snapshot(obj))
        formset.save_m2m()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class MembershipForm(forms.ModelForm):
    """A 岗位 given or changed here, only in a body the signed-in admin administers (as
    `services.grant_role` demands); rows left as they are pass."""

    actor = None  # the signed-in user, set per request by `for_actor`

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation")
        if (
            organisation is not None
            and self.has_changed()
            and not can(self.actor, "change", organisation)
        ):
            self.add_error("organisation", "无权在该单位分配岗位")
        return data


def for_actor(form_class, actor):
    return type(form_class.__name__, (form_class,), {"actor": actor})


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["organisation"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = for_actor(formset.form, request.user)
        return formset


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "uscc", "region_code", "kind", "level", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        # As in the API: an admin changes the bodies they administer (and picks parents there).
        return super().get_queryset(request).restrict(request.user, "change")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not is_superuser(request.user):
            form.base_fields["parent"].required = True  # a root only for a superuser
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Organisation.objects.restrict(request.user, "add")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def masked_column(viewer, kind: str, attr: str, label: str):
    """A list column showing `attr` masked unless `viewer` may see it clear (per request: thread-safe)."""

    def column(obj):
        return reveal_or_mask(viewer, kind, getattr(obj, attr))

    column.short_description = label
    return column


def user_column(viewer, attr: str, label: str):
    """A list column naming the account of `attr`: its name masked unless `viewer` may see it."""
    clear = can_see_clear(viewer, MaskKind.NAME)

    def column(obj):
        user = getattr(obj, attr)
        if user is None:
            return "—"
        return str(user) if clear else user.audit_label

    column.short_description = label
    return column


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    def get_list_display(self, request):
        viewer = request.user
        return [
            "username",
            masked_column(viewer, MaskKind.NAME, "real_name", "姓名"),
            masked_column(viewer, MaskKind.RIC, "id_number", "公民身份号码"),
            masked_column(viewer, MaskKind.PHONE, "phone", "手机号码"),
            "is_staff",
            "is_active",
        ]

    search_fields = ["username", "real_name", "id_number", "phone"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("实名信息", {"fields": ("real_name", "id_number", "phone")}),
    )
    inlines = [MembershipInline]
    # Who may make superusers or hand out permissions could give themselves anything.
    SUPERUSER_ONLY = ("is_superuser", "groups", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or can_see_clear(request.user, MaskKind.RIC):
            return fieldsets
        # Shown masked and read-only, as in the list, to a viewer who may not see them clear.
        masked = {name: f"masked_{name}" for name in User.PERSONAL_FIELDS}
        return [
            (title, {**opts, "fields": [masked.get(f, f) for f in opts["fields"]]})
            for title, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        if not is_superuser(request.user):
            readonly += self.SUPERUSER_ONLY
        return [*readonly, *(f"masked_{name}" for name in User.PERSONAL_FIELDS)]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not is_superuser(request.user):
            return False
        return super().has_change_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not can_see_clear(request.user, MaskKind.NAME):
            context["subtitle"] = obj.audit_label  # the page's title and heading: name masked
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not can_see_clear(request.user, MaskKind.NAME):
            label = obj.audit_label
            extra_context = {
                **(extra_context or {}),
                "title": f"变更历史：{label}",
                "object_label": label,
            }
        return super().history_view(request, object_id, extra_context)

    @admin.display(description="姓名")
    def masked_real_name(self, obj):
        return mask(MaskKind.NAME, obj.real_name)

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj):
        return mask(MaskKind.RIC, obj.id_number)

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return mask(MaskKind.PHONE, obj.phone)


@admin.register(CompanyAgent)
class CompanyAgentAdmin(AuditedAdmin):
    list_select_related = ["user"]

    def get_list_display(self, request):
        user = user_column(request.user, "user", "代理人")
        return [user, "company_name", "company_uscc", "valid_from", "valid_until"]

    search_fields = ["company_name", "company_uscc", "user__username"]
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    form = MembershipForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        return for_actor(super().get_form(request, obj, change, **kwargs), request.user)

    list_select_related = ["user", "organisation"]

    def get_list_display(self, request):
        return [user_column(request.user, "user", "用户"), "organisation", "role"]

    list_filter = ["role"]
    autocomplete_fields = ["user", "organisation"]


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ["prefix", "label", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # keys are issued on the 应用系统 page, which shows the secret once


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdmin):
    list_display = ["name", "identity", "is_active"]
    search_fields = ["name", "subsystem_code", "organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [ApiKeyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "change")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin):
    list_display = ["date", "is_working_day", "reason"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "actor_label", "action", "target_label", "seal"]
    list_filter = ["action", "actor_kind"]
    search_fields = ["target_id", "actor_label", "request_id"]


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "count", "root"]
    exclude = ["entries"]


@admin.register(PlatformKey)
class PlatformKeyAdmin(ReadOnlyAdmin):
    """Shown, never edited here: keys change only through `yiwang keys`, which audits it."""

    list_display = ["fingerprint", "status", "valid_from", "valid_until", "compromised_at"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_select_related = ["created_by"]

    def get_list_display(self, request):
        created_by = user_column(request.user, "created_by", "发起人")
        return ["title", "kind", "status", "done", "total", created_by, "created_at"]

    list_filter = ["status", "kind"]
