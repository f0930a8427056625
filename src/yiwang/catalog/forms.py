from django import forms
from django.forms import formset_factory

from yiwang.catalog.choices import DataType, DemandStatus, ShareType
from yiwang.catalog.models import Resource
from yiwang.core.models import Organisation

RESOURCE_FORM_FIELDS = [
    "code", "name", "summary", "owner", "category", "base_registry", "format", "update_cycle", "share_type",
    "share_condition", "share_method", "open_type", "open_condition",
]  # fmt: skip


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = RESOURCE_FORM_FIELDS
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "share_condition": forms.Textarea(attrs={"rows": 2}),
                   "open_condition": forms.Textarea(attrs={"rows": 2})}  # fmt: skip

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.restrict(actor, "write_catalog")
        if self.instance.pk:
            self.fields["code"].disabled = True

    def validate_unique(self):
        """The service checks uniqueness and answers in the domain's words."""


class FieldForm(forms.Form):
    code = forms.CharField(label="代码", max_length=63)
    name = forms.CharField(label="名称", max_length=100)
    data_type = forms.ChoiceField(label="类型", choices=DataType.choices, initial=DataType.STRING)

    length = forms.IntegerField(label="长度", required=False, min_value=1, max_value=100_000)
    required = forms.BooleanField(label="必填", required=False)
    is_key = forms.BooleanField(label="主键", required=False)
    is_personal = forms.BooleanField(
        label="个人信息", required=False, help_text="身份号码、电话号码类信息项始终按个人信息脱敏"
    )
    filterable = forms.BooleanField(label="可查询", required=False)
    enum_values = forms.CharField(label="枚举值（、分隔）", required=False, max_length=2000)
    description = forms.CharField(label="说明", required=False, max_length=2000)

    def clean_enum_values(self):
        text = self.cleaned_data["enum_values"].replace(",", "、")
        return [v.strip() for v in text.split("、") if v.strip()]


FieldFormSet = formset_factory(FieldForm, extra=2, can_delete=True, max_num=500, validate_max=True)


class DemandForm(forms.Form):
    requester = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="需求部门")
    resource = forms.ModelChoiceField(
        queryset=Resource.objects.none(), label="所需资源", required=False
    )
    description = forms.CharField(
        label="需求描述（目录中无对应资源时填写）", required=False, max_length=300
    )
    field_codes = forms.CharField(
        label="所需信息项代码（、分隔，可空）", required=False, max_length=2000
    )
    purpose = forms.CharField(label="用途", max_length=300, min_length=2)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = Organisation.objects.restrict(actor, "write_catalog")
        self.fields["resource"].queryset = Resource.objects.restrict(actor, "view")

    def clean_field_codes(self):
        text = self.cleaned_data["field_codes"].replace(",", "、")
        return [v.strip() for v in text.split("、") if v.strip()]


class DecisionForm(forms.Form):
    status = forms.ChoiceField(choices=DemandStatus.choices, label="答复")
    reason = forms.CharField(label="说明", required=False, max_length=300)


class ImportForm(forms.Form):
    file = forms.FileField(label="目录模板（XLSX）")


class NegativeRemoveForm(forms.Form):
    share_type = forms.ChoiceField(
        label="恢复后的共享类型",
        choices=[(ShareType.UNCONDITIONAL, ShareType.UNCONDITIONAL.label),
                 (ShareType.CONDITIONAL, ShareType.CONDITIONAL.label)],
    )  # fmt: skip
    share_condition = forms.CharField(label="共享条件", required=False, max_length=2000)
    reason = forms.CharField(label="移出理由", max_length=300, min_length=2)
