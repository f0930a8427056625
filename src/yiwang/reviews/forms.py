"""Forms of the 好差评 pages: a rating, a rectification's reply, the applicant's confirmation."""

from __future__ import annotations

import re

from django import forms

from yiwang.reviews.choices import DIMENSIONS, Level, ReplyKind

LEVELS = [(str(value), label) for value, label in Level.choices]
OPTIONAL_LEVELS = [("", "不评"), *LEVELS]
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class RatingForm(forms.Form):
    """评价: five levels, the four dimensions (optional), a comment, anonymous or in one's name."""

    level = forms.TypedChoiceField(
        label="总体评价", choices=LEVELS, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "请选择评价等级", "invalid_choice": "评价等级无效"},
    )  # fmt: skip
    comment = forms.CharField(
        label="评价内容（差评请写明原因）", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "评价内容不能超过 1000 字"},
    )  # fmt: skip
    anonymous = forms.BooleanField(label="匿名评价（部门看不到您的姓名）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in DIMENSIONS.items():
            self.fields[f"dim_{code}"] = forms.TypedChoiceField(
                label=label, choices=OPTIONAL_LEVELS, coerce=int, empty_value=None, required=False,
                error_messages={"invalid_choice": f"{label}的评价无效"},
            )  # fmt: skip

    def dimension_fields(self):
        return [self[f"dim_{code}"] for code in DIMENSIONS]

    def dimensions(self) -> dict:
        found = {code: self.cleaned_data.get(f"dim_{code}") for code in DIMENSIONS}
        return {code: value for code, value in found.items() if value is not None}


class WindowRatingForm(RatingForm):
    """窗口评价器: the same rating, and the one-time code the applicant received (评价码)."""

    code = forms.CharField(
        label="评价码（申请人手机短信或站内消息中的 6 位数字）",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "maxlength": "6"}),
        error_messages={"required": "请申请人输入评价码"},
    )  # fmt: skip

    field_order = ["code"]

    def clean_code(self) -> str:
        # A Chinese input method types fullwidth digits; other digits ("²", "١") are no code.
        code = self.cleaned_data["code"].translate(FULLWIDTH_DIGITS)
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError("评价码应为 6 位数字")
        return code


class RectificationReplyForm(forms.Form):
    """整改回复: fixed (已整改) or explained (已解释说明), and what was done."""

    kind = forms.ChoiceField(
        label="整改方式", choices=ReplyKind.choices, widget=forms.RadioSelect,
        error_messages={"required": "请选择整改方式", "invalid_choice": "整改方式无效"},
    )  # fmt: skip
    reply = forms.CharField(
        label="整改情况", min_length=4, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明整改情况", "min_length": "请写明整改情况（至少 4 个字）"},
    )  # fmt: skip


class ConfirmForm(forms.Form):
    """The applicant's answer to the department's reply: satisfied, or not (with the reason)."""

    satisfied = forms.TypedChoiceField(
        choices=[("1", "满意"), ("0", "有异议")], coerce=lambda v: v == "1",
        error_messages={"required": "请选择是否满意", "invalid_choice": "请选择是否满意"},
    )  # fmt: skip
    note = forms.CharField(label="意见", required=False, max_length=1000)
