import re

from django.core.exceptions import ValidationError
from django.db import models

from yiwang.core.permissions import RestrictedQuerySet
from yiwang.licences.choices import HolderCodeType

MAX_VALIDITY_YEARS = 100
FIELD_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# What a 照面 row may show besides the type's own fields: the GB/T 36903 core metadata.
CORE_FACE_KEYS = {
    "number": "证照编号",
    "holder_name": "持证主体",
    "holder_code": "持证主体代码",
    "issuer_name": "颁发机构",
    "issued_on": "颁发日期",
    "validity": "有效期",
    "region_name": "所属管辖属地",
    "identifier": "电子证照标识",
}


def default_face_layout() -> list:
    return [["holder_name", "持证主体"], ["holder_code", "持证主体代码"], ["validity", "有效期"]]


class LicenceType(models.Model):
    """证照类型: a kind of licence (营业执照, 食品经营许可证 …) defined by one body.

    Its 证照类型代码 is the defining body's 统一社会信用代码 followed by 3 digits. `fields` are
    the type's own data items (beyond the GB/T 36903 core metadata every licence has);
    `validity_years` is the validity rule (empty: 长期有效 allowed); `face_layout` is the
    照面 template: the rows, in order, that both the HTML face and the PDF print.
    """

    code = models.CharField("证照类型代码", max_length=21, unique=True)
    name = models.CharField("证照名称", max_length=100)
    defining_org = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="defined_licence_types",
                                     verbose_name="定义机构")  # fmt: skip
    issuers = models.ManyToManyField("core.Organisation", blank=True, related_name="issued_licence_types",
                                     verbose_name="颁发机构")  # fmt: skip
    holder_code_types = models.JSONField("持证主体代码类型", default=list,
                                         help_text='["111"] 自然人, ["001"] 法人, 或两者')  # fmt: skip
    fields = models.JSONField("信息项", default=list, blank=True,
                              help_text='[{"code": "scope", "name": "经营范围", "required": true}]')  # fmt: skip
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True,
                                                      help_text="留空表示可长期有效")  # fmt: skip
    face_layout = models.JSONField("照面布局", default=default_face_layout,
                                   help_text='[["信息项代码", "显示名称"], ...]，HTML 与 PDF 共用')  # fmt: skip
    face_colour = models.CharField("照面主色", max_length=7, default="#b22222")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        errors = {}
        if self.defining_org_id and not (
            len(self.code) == 21
            and self.code[:18] == self.defining_org.uscc
            and self.code[18:].isdigit()
        ):
            errors["code"] = "证照类型代码应为定义机构的统一社会信用代码加 3 位数字"
        if not self.holder_code_types or not set(self.holder_code_types) <= set(
            HolderCodeType.values
        ):
            errors["holder_code_types"] = (
                "持证主体代码类型只能是 111（公民身份号码）或 001（统一社会信用代码）"
            )
        if self.validity_years is not None and not 1 <= self.validity_years <= MAX_VALIDITY_YEARS:
            # beyond a century the end date leaves the calendar (issuing then failed with a 500)
            errors["validity_years"] = f"有效期应为 1–{MAX_VALIDITY_YEARS} 年；留空表示可长期有效"
        errors.update(self._field_errors())
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", self.face_colour or ""):
            errors["face_colour"] = "照面主色应为 #RRGGBB"
        if errors:
            raise ValidationError(errors)

    def _field_errors(self) -> dict:
        fields = self.fields if isinstance(self.fields, list) else None
        if fields is None or not all(
            isinstance(f, dict) and FIELD_CODE.match(str(f.get("code", ""))) and f.get("name")
            for f in fields
        ):
            return {"fields": "信息项应为列表，每项有小写英文代码（code）和名称（name）"}
        codes = [f["code"] for f in fields]
        if len(set(codes)) != len(codes) or set(codes) & set(CORE_FACE_KEYS):
            return {"fields": "信息项代码不能重复，也不能与核心元数据同名"}
        layout = self.face_layout if isinstance(self.face_layout, list) else None
        known = set(codes) | set(CORE_FACE_KEYS)
        if layout is None or not all(
            isinstance(r, list | tuple) and len(r) == 2 and r[0] in known for r in layout
        ):
            return {
                "face_layout": "照面布局的每一行应为 [信息项代码, 显示名称]，代码须为已定义的信息项"
            }
        return {}

    @property
    def required_codes(self) -> set[str]:
        return {f["code"] for f in self.fields if f.get("required")}

    @property
    def field_names(self) -> dict[str, str]:
        return {f["code"]: f["name"] for f in self.fields}
