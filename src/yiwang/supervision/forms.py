"""Forms of the supervision pages: 督办, its reply, the dashboard's filters, a report's week."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from yiwang.core.models import Organisation
from yiwang.supervision.services import reply_due_error

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PERIOD_DAYS = 366
# Periods and report weeks stay within the platform's years: none of its records is older, and a
# day near date.min or date.max cannot be turned into the period's bounds at all.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATER_DAYS = 31  # a period may end later this month (those days have no figures yet)


class NoticeForm(forms.Form):
    """督办: what the department must do, and by when it must reply."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="督办对象", empty_label=None
    )
    message = forms.CharField(
        label="督办事项", min_length=4, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"min_length": "请写明督办事项（至少 4 个字）", "required": "请写明督办事项"},
    )  # fmt: skip
    reply_due = forms.DateField(
        label="回复期限", widget=DATE,
        error_messages={"required": "请填写回复期限", "invalid": "回复期限应为日期"},
    )  # fmt: skip

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_reply_due(self):
        value = self.cleaned_data["reply_due"]
        problem = reply_due_error(value, today=timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return value


class ReplyForm(forms.Form):
    """The department's answer to a 督办."""

    reply = forms.CharField(
        label="办理情况", min_length=4, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"min_length": "请写明办理情况（至少 4 个字）", "required": "请写明办理情况"},
    )  # fmt: skip


class PeriodForm(forms.Form):
    """The dashboard's filters: a period (default the last 30 days) and a department."""

    start = forms.DateField(label="开始日期", widget=DATE, required=False)
    end = forms.DateField(label="结束日期", widget=DATE, required=False)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="部门", required=False, empty_label="全部部门"
    )
    by = forms.ChoiceField(
        label="统计维度", choices=[("organisation", "按部门"), ("item", "按事项")], required=False
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        latest = today + datetime.timedelta(days=LATER_DAYS)
        chosen = [day for day in (data.get("start"), data.get("end")) if day is not None]
        if any(day < EARLIEST_DAY for day in chosen):
            raise forms.ValidationError(f"统计期间不能早于 {EARLIEST_DAY:%Y-%m-%d}")
        if any(day > latest for day in chosen):
            raise forms.ValidationError(f"统计期间不能晚于 {latest:%Y-%m-%d}")
        end = data.get("end") or today
        start = data.get("start") or max(end - datetime.timedelta(days=29), EARLIEST_DAY)
        if start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(f"统计期间最长 {MAX_PERIOD_DAYS} 天")
        data.update(start=start, end=end, by=data.get("by") or "organisation")
        return data


class WeekForm(forms.Form):
    """The week of a 周通报: any day of it; the report starts on its Monday."""

    day = forms.DateField(
        label="通报周（任选该周一天）", widget=DATE,
        error_messages={"required": "请选择通报周", "invalid": "请选择日期"},
    )  # fmt: skip

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < EARLIEST_DAY:
            raise forms.ValidationError(f"通报周不能早于 {EARLIEST_DAY:%Y-%m-%d}")
        monday = day - datetime.timedelta(days=day.weekday())
        if monday > timezone.localdate():
            raise forms.ValidationError("不能为尚未开始的一周生成通报")
        return monday
