"""Forms of the exchange pages: asking for access, deciding, and changing a grant."""

import datetime

from django import forms
from django.urls import reverse
from django.utils import timezone

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Resource
from yiwang.core.models import ApiClient
from yiwang.exchange.choices import GrantStatus
from yiwang.exchange.inputs import ascii_int

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.identity}）"


class ResourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.owner.name} · {obj.get_share_type_display()}）"


class AccessRequestForm(forms.Form):
    """申请共享: one of the department's systems asks for fields of a published resource."""

    client = ClientChoiceField(queryset=ApiClient.objects.none(), label="应用系统")
    resource = ResourceChoiceField(queryset=Resource.objects.none(), label="信息资源")
    field_codes = forms.MultipleChoiceField(
        label="申请的信息项（不勾选表示全部）", required=False, widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label="用途", max_length=300, min_length=2)
    legal_basis = forms.CharField(
        label="依据（法律法规或“三定”职责）", max_length=500, min_length=2
    )
    valid_from = forms.DateField(label="起始日期", widget=DATE)
    valid_until = forms.DateField(label="截止日期", widget=DATE)
    expected_volume = forms.IntegerField(
        label="预计日调用量", min_value=0, max_value=100_000_000, required=False
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_until"].initial = today + datetime.timedelta(days=365)
        self.fields["client"].queryset = ApiClient.objects.restrict(actor, "view").select_related(
            "organisation"
        )
        self.fields["resource"].queryset = (Resource.objects.restrict(actor, "view")
                                            .filter(status=ResourceStatus.PUBLISHED).select_related("owner"))  # fmt: skip
        # Choosing a resource reloads only its field checkboxes (htmx); without script, submit and choose.
        self.fields["resource"].widget.attrs.update({"hx-get": reverse("exchange:request_new"), "hx-trigger": "change",
                                                     "hx-target": "#fields", "hx-select": "#fields",
                                                     "hx-swap": "outerHTML"})  # fmt: skip
        self.chosen = self._chosen_resource()
        if self.chosen is not None:
            self.fields["field_codes"].choices = [
                (f.code, f.name) for f in self.chosen.fields.all()
            ]

    def _chosen_resource(self) -> Resource | None:
        """The resource picked so far (posted, or preselected by ?resource=), whose fields are offered."""
        raw = self.data.get("resource") if self.is_bound else self.initial.get("resource")
        pk = ascii_int(raw, high=2**63 - 1)
        return None if pk is None else self.fields["resource"].queryset.filter(pk=pk).first()


class ApproveForm(forms.Form):
    """批准: the fields granted (no more than asked) and the personal ones to be returned in clear."""

    field_codes = forms.MultipleChoiceField(
        label="批准的信息项", error_messages={"required": "请至少勾选一个批准的信息项"}
    )
    clear_fields = forms.MultipleChoiceField(label="明文", required=False)
    reason = forms.CharField(label="审核意见", required=False, max_length=500)

    def __init__(self, *args, requested, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_codes"].choices = [(f.code, f.name) for f in requested]
        self.fields["clear_fields"].choices = [(f.code, f.name) for f in requested if f.is_personal]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="驳回理由", max_length=500, error_messages={"required": "驳回须说明理由"}
    )


class GrantStatusForm(forms.Form):
    """暂停 / 恢复 / 撤销 an authorisation; revoking must be confirmed."""

    status = forms.ChoiceField(choices=GrantStatus.choices, label="状态")
    reason = forms.CharField(label="原因", required=False, max_length=300)
    confirm = forms.BooleanField(label="确认撤销", required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == GrantStatus.REVOKED and not data.get("confirm"):
            raise forms.ValidationError("撤销后不能恢复，请勾选“确认撤销”")
        return data
