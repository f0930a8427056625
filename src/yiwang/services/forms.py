"""Forms of the service-item pages: the item with its materials, themes, BPMN upload, XLSX import,
and the applicant's form built from an item's declarative definition."""

from __future__ import annotations

import json
from pathlib import Path

from django import forms
from django.db.models import Q
from django.forms import formset_factory

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Resource
from yiwang.core.errors import ServiceError
from yiwang.core.models import Organisation
from yiwang.services import formdef
from yiwang.services.choices import FormFieldType, ItemStatus, MaterialForm
from yiwang.services.models import ServiceItem, Theme
from yiwang.services.services import ITEM_FIELDS, THEME_FIELDS

EXAMPLE_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".doc", ".xls"}
MAX_EXAMPLE_BYTES = 5 * 1024 * 1024


class ItemForm(forms.ModelForm):
    """事项的实施清单要素; the form definition is edited as JSON and checked by the service."""

    form_json = forms.CharField(
        label="申请表定义（JSON）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "code"}),
        help_text='字段列表，例如 [{"code": "shop_name", "label": "店铺名称", "type": "text", '
        '"required": true, "prefill": "company.name"}]',
    )

    class Meta:
        model = ServiceItem
        fields = ["organisation", *ITEM_FIELDS, "participants"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("summary", "legal_basis", "conditions", "fee")
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.restrict(actor, "write_items")
        self.fields["participants"].queryset = Organisation.objects.restrict(actor, "view")
        self.fields["participants"].required = False
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["organisation"].disabled = True
            self.fields["form_json"].initial = json.dumps(
                self.instance.form_definition, ensure_ascii=False, indent=2
            )

    def validate_unique(self):
        """The service checks uniqueness and answers in the domain's words."""

    def _post_clean(self):
        """Model validation happens in the service, which names each bad field in Chinese."""

    def clean_form_json(self):
        text = self.cleaned_data["form_json"].strip() or "[]"
        try:
            definition = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"申请表定义不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列"
            ) from exc
        try:
            return formdef.check_definition(definition)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc


class MaterialRowForm(forms.Form):
    # Not required: the empty rows offered for new materials are skipped when saved.
    name = forms.CharField(label="材料名称", max_length=200, required=False)
    required = forms.BooleanField(label="必要", required=False, initial=True)
    form = forms.ChoiceField(label="形式", choices=MaterialForm.choices, initial="electronic")
    copies = forms.IntegerField(label="份数", min_value=1, max_value=99, initial=1)
    description = forms.CharField(label="填报须知", required=False, max_length=2000)
    licence_type = forms.RegexField(
        label="可由电子证照替代（证照类型代码）",
        regex=r"^[0-9A-Z]{18}\d{3}$",
        required=False,
        error_messages={"invalid": "证照类型代码应为颁发机构统一社会信用代码 + 3 位数字"},
    )
    resource = forms.ModelChoiceField(
        label="可由共享数据替代", queryset=Resource.objects.none(), required=False
    )
    example = forms.FileField(label="示例样表", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(
            status=ResourceStatus.PUBLISHED
        ).order_by("code")

    def clean_example(self):
        upload = self.cleaned_data.get("example")
        if not upload:
            return None
        if Path(upload.name).suffix.lower() not in EXAMPLE_SUFFIXES:
            raise forms.ValidationError("示例样表只能是 PDF、图片、Word 或 Excel 文件")
        if upload.size > MAX_EXAMPLE_BYTES:
            raise forms.ValidationError("示例样表不能超过 5 MB")
        return upload


MaterialFormSet = formset_factory(
    MaterialRowForm, extra=2, can_delete=True, max_num=100, validate_max=True
)


def material_rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = dict(form.cleaned_data or {})
        if not data or data.pop("DELETE", False) or not data.get("name"):
            continue
        if not data.get("example"):
            data.pop("example", None)
        rows.append(data)
    return rows


def material_initial(item: ServiceItem) -> list[dict]:
    return [
        {"name": m.name, "required": m.required, "form": m.form, "copies": m.copies,
         "description": m.description, "licence_type": m.licence_type, "resource": m.resource_id}
        for m in item.materials.all()
    ]  # fmt: skip


class ThemeForm(forms.ModelForm):
    items = forms.ModelMultipleChoiceField(
        label="包含的事项（至少两个，已发布）",
        queryset=ServiceItem.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    class Meta:
        model = Theme
        fields = [*THEME_FIELDS, "lead"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Organisation.objects.restrict(actor, "write_items")
        offered = Q(status=ItemStatus.PUBLISHED)
        if self.instance.pk:  # a theme being changed: its code stays, its items stay offered
            self.fields["code"].disabled = True
            self.initial.setdefault("items", list(self.instance.items.all()))
            offered |= Q(themes=self.instance)
        self.fields["items"].queryset = (
            ServiceItem.objects.filter(offered).distinct().select_related("organisation")
        )

    def validate_unique(self):
        """The service checks uniqueness and answers in the domain's words."""


class ProcessUploadForm(forms.Form):
    name = forms.CharField(label="流程名称", max_length=100, required=False)
    file = forms.FileField(label="BPMN 文件（.bpmn，bpmn.io 或 Camunda Modeler 绘制）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("BPMN 文件过大（上限 2 MB）")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("BPMN 文件应为 UTF-8 编码的 XML") from exc


class ImportForm(forms.Form):
    file = forms.FileField(label="事项模板（XLSX）")


# --- the applicant's form, built from a declarative definition ------------------

_WIDGETS = {
    FormFieldType.TEXTAREA: (forms.Textarea, {"rows": 3}),
    FormFieldType.DATE: (forms.DateInput, {"type": "date"}),
    FormFieldType.INTEGER: (forms.TextInput, {"inputmode": "numeric"}),
    FormFieldType.DECIMAL: (forms.TextInput, {"inputmode": "decimal"}),
    FormFieldType.PHONE: (forms.TextInput, {"type": "tel", "inputmode": "tel"}),
}


class ApplicationForm(forms.Form):
    """申请表 as a page form: one field per definition entry, validated by `formdef`."""

    def __init__(self, *args, definition: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        for spec in definition:
            self.fields[spec["code"]] = self._field(spec)

    @staticmethod
    def _field(spec: dict) -> forms.Field:
        common = {"label": spec["label"], "required": False, "help_text": spec.get("help", "")}
        if spec["type"] == FormFieldType.BOOLEAN:
            return forms.BooleanField(**common)
        if spec["type"] == FormFieldType.SELECT:
            choices = [("", "请选择"), *((o, o) for o in spec["options"])]
            return forms.ChoiceField(choices=choices, **common)
        widget_class, attrs = _WIDGETS.get(spec["type"], (forms.TextInput, {}))
        attrs = {**attrs, "maxlength": spec["max_length"]}
        if spec["required"]:
            attrs["aria-required"] = "true"
        return forms.CharField(widget=widget_class(attrs=attrs), **common)

    def clean(self):
        raw = {code: self.data.get(self.add_prefix(code)) for code in self.fields}
        values, errors = formdef.clean_submission(self.definition, raw)
        for code, message in errors.items():
            self.add_error(code, message)
        self.values = values
        return self.cleaned_data
