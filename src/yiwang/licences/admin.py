"""Back office for e-licences: types (audited), seals through their services (the private key is
never a field here), issued licences and uses read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.safestring import mark_safe

from yiwang.core.admin import AuditedAdmin, ReadOnlyAdmin, masked_column
from yiwang.core.choices import MaskKind
from yiwang.core.errors import ServiceError
from yiwang.licences import services
from yiwang.licences.models import IssuingSeal, Licence, LicenceType, LicenceUse
from yiwang.licences.services.setup import administers, check_seal_input


@admin.register(LicenceType)
class LicenceTypeAdmin(AuditedAdmin):
    list_display = ["code", "name", "defining_org", "validity_years", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["defining_org"]
    filter_horizontal = ["issuers"]

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "change")

    def save_model(self, request, obj, form, change):
        if not administers(request.user, obj.defining_org):
            raise DjangoPermissionDenied("只有定义机构的管理员可以定义或修改证照类型")
        super().save_model(request, obj, form, change)


class SealForm(forms.ModelForm):
    inscription = forms.CharField(label="印文", max_length=40, required=False,
                                  help_text="印章上环绕的文字；留空为单位名称。制作后不能修改")  # fmt: skip

    class Meta:
        model = IssuingSeal
        fields = ["organisation", "name", "inscription", "algorithm", "valid_from", "valid_until"]

    def clean(self):
        """The service's own checks, shown on the form rather than as a refusal page."""
        data = super().clean()
        if self.errors or not data.get("organisation"):
            return data
        try:
            check_seal_input(name=data.get("name", ""), algorithm=data.get("algorithm", ""),
                             inscription=data.get("inscription") or data["organisation"].name,
                             valid_from=data["valid_from"], valid_until=data["valid_until"])  # fmt: skip
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(IssuingSeal)
class IssuingSealAdmin(admin.ModelAdmin):
    """Seals are made and rotated by the services; the admin shows only public parts."""

    form = SealForm
    list_display = [
        "name",
        "organisation",
        "algorithm",
        "key_id",
        "valid_from",
        "valid_until",
        "status",
    ]
    list_filter = ["algorithm", "status"]
    search_fields = ["name", "organisation__name", "key_id"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["image", "key_id", "public_key", "status", "replaced_by", "created_at"]
    actions = ["rotate"]

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    @admin.display(description="印章图像")
    def image(self, obj):
        return mark_safe(obj.appearance)  # noqa: S308 — drawn by seal_svg when made, the text escaped

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            seal = services.create_seal(actor=request.user, organisation=data["organisation"], name=data["name"],
                                        valid_from=data["valid_from"], valid_until=data["valid_until"],
                                        algorithm=data["algorithm"], inscription=data.get("inscription") or None)  # fmt: skip
        except ServiceError as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        obj.pk, obj.key_id = seal.pk, seal.key_id

    @admin.action(description="轮换所选印章（旧印章只用于核验）")
    def rotate(self, request, queryset):
        for seal in queryset:
            try:
                new = services.rotate_seal(actor=request.user, seal=seal)
            except ServiceError as exc:
                self.message_user(request, f"{seal.name}：{exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{seal.name} 已轮换，新密钥标识 {new.key_id}")


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    search_fields = ["identifier", "number", "holder_code"]
    list_filter = ["status", "licence_type"]
    exclude = ["document", "signature"]

    def get_list_display(self, request):
        viewer = request.user
        return ["identifier", "licence_type", "issuer", masked_column(viewer, MaskKind.NAME, "holder_name", "持证主体"),
                masked_column(viewer, MaskKind.RIC, "holder_code", "持证主体代码"), "status", "created_at"]  # fmt: skip


@admin.register(LicenceUse)
class LicenceUseAdmin(ReadOnlyAdmin):
    list_display = ["used_at", "licence", "used_by", "purpose", "case_number", "consent"]
    search_fields = ["case_number", "licence__identifier"]
