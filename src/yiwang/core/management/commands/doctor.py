"""yiwang doctor: what is configured, what is missing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from yiwang import config
from yiwang.core import platform_keys, workdays


class Command(BaseCommand):
    help = (
        "检查配置：数据库、后台任务、密钥、日历等，并列出全部环境变量；有必须解决的问题时退出码非零"
    )

    def handle(self, *args, **options):
        failures = 0
        for state, label, detail in self.checks():
            state = {True: "ok", False: "fail"}.get(state, state)
            mark = {
                "ok": self.style.SUCCESS("✔"),
                "warn": self.style.WARNING("!"),
                "fail": self.style.ERROR("✘"),
            }[state]
            failures += state == "fail"
            self.stdout.write(f"{mark} {label}：{detail}")
        self.stdout.write("\n环境变量（YIWANG_*）：")
        for var in config.VARS:
            value = settings.YIWANG[var.name]
            shown = ("已设置" if value else "未设置") if var.secret else repr(value)
            self.stdout.write(f"  {var.env_name:<28} {shown:<30} {var.description}")
        if failures:
            raise CommandError(f"发现 {failures} 个必须解决的问题（✘）。")

    def checks(self):
        yield True, "运行环境", settings.ENV
        try:
            connection.ensure_connection()
            vendor = f"{connection.vendor} {connection.settings_dict['NAME']}"
            pending = MigrationExecutor(connection).migration_plan(
                MigrationExecutor(connection).loader.graph.leaf_nodes()
            )
            yield True, "数据库", vendor
            yield (
                not pending,
                "数据库迁移",
                "已是最新" if not pending else f"{len(pending)} 个迁移待执行（yiwang migrate）",
            )
        except Exception as exc:
            yield False, "数据库", f"无法连接：{exc}"
        backend = settings.TASKS["default"]["BACKEND"]
        yield "Immediate" not in backend or settings.ENV == "test", "后台任务", backend
        secret_ok = not config.check_production(
            {**settings.YIWANG, "DEBUG": False, "PLATFORM_SM2_KEY": "x"}
        )
        yield (
            secret_ok or not settings.PRODUCTION,
            "密钥 YIWANG_SECRET_KEY",
            (
                "已配置"
                if secret_ok
                else "未配置或为占位值（开发环境使用临时密钥；生产环境必须配置）"
            ),
        )
        key_set = bool(settings.YIWANG["PLATFORM_SM2_KEY"])
        yield (
            key_set or not settings.PRODUCTION,
            "平台 SM2 签名密钥",
            (
                "由环境变量提供"
                if key_set
                else f"未配置（开发环境使用 {settings.VAR_DIR}/keys/platform_sm2.key）"
            ),
        )
        yield from self.platform_key_check()
        yield self.subject_hash_key()
        years = workdays.official_years()
        from django.utils import timezone

        this_year = timezone.localdate().year
        covered = this_year + 1 in years
        yield (
            "ok" if covered else "warn",
            "法定节假日数据",
            (
                f"{years.start}–{years.stop - 1} 年"
                + (
                    ""
                    if covered
                    else f"；{this_year + 1} 年尚无官方数据，请在后台录入工作日调整或升级 chinesecalendar"
                )
            ),
        )
        yield True, "测试区划（99）", "允许" if settings.ALLOW_TEST_REGION else "拒绝"
        yield self.theme_forms()
        yield self.items_within_limits()

    def theme_forms(self):
        """Published 一件事 whose items' forms no longer make one form (a theme published before
        conflicts were refused, or items changed in the database): applicants cannot apply."""
        from yiwang.services.choices import ItemStatus
        from yiwang.services.models import Theme
        from yiwang.services.selectors import theme_form_conflicts

        label = "一件事联合申请表"
        try:
            themes = list(Theme.objects.filter(status=ItemStatus.PUBLISHED))
        except DatabaseError:
            return "warn", label, "无法读取（数据库未就绪）"
        broken = [theme for theme in themes if theme_form_conflicts(theme)]
        if not broken:
            return True, label, f"{len(themes)} 个已发布主题的表单均可合并"
        named = "、".join(f"{t.name}（{t.code}）" for t in broken)
        return (
            "warn",
            label,
            (
                f"{len(broken)} 个已发布主题的事项表单字段冲突，暂不受理在线申请：{named}。"
                "请在主题编辑页查看冲突并调整事项表单"
            ),
        )

    def platform_key_check(self):
        """Whether sealing will accept the configured key: a key changed without
        `yiwang keys rotate` leaves every new audit event unsealed."""
        label = "平台密钥登记"
        try:
            configured = platform_keys.ConfiguredKey.check()
            problem = not configured.registered and platform_keys.unregistered_change(
                configured.public_key
            )
        except RuntimeError:
            return  # no key configured in production: the line above reports it
        except DatabaseError as exc:
            yield "warn", label, f"无法读取登记的平台密钥：{exc}"
            return
        shown = f"SM3:{configured.fingerprint}"
        if problem:
            yield False, label, problem
        elif not configured.registered:
            yield True, label, f"尚未登记，首次封存时登记配置的密钥（指纹 {shown}）"
        elif configured.is_current:
            yield True, label, f"配置的私钥是当前平台密钥（指纹 {shown}）"
        else:
            current = configured.current.fingerprint if configured.current else "无"
            yield False, label, (
                f"配置的私钥（指纹 {shown}）不是登记的当前平台密钥（当前平台密钥指纹 SM3:{current}），"
                "封存已停止：运行 yiwang keys rotate，或恢复原私钥"
            )  # fmt: skip

    def subject_hash_key(self):
        """Warn, not fail, when production derives the subject-hash key from SECRET_KEY: that is
        how every installation ran before the setting existed, and refusing it would stop them at
        upgrade — but rotating SECRET_KEY would then detach citizens' data-usage history."""
        previous = len(settings.YIWANG["SUBJECT_HASH_PREVIOUS_KEYS"])
        history = f"；另有 {previous} 个旧密钥用于查询历史记录" if previous else ""
        if settings.YIWANG["SUBJECT_HASH_KEY"]:
            return "ok", "主体摘要密钥", "专用密钥（YIWANG_SUBJECT_HASH_KEY）" + history
        return (
            "warn" if settings.PRODUCTION else "ok",
            "主体摘要密钥",
            "由 YIWANG_SECRET_KEY 派生：更换 SECRET_KEY 会使此前的数据使用记录查不到本人。"
            "请设置 YIWANG_SUBJECT_HASH_KEY，并把现用的 SECRET_KEY 列入 YIWANG_SUBJECT_HASH_PREVIOUS_KEYS"
            + history,
        )

    def items_within_limits(self):
        """Items or themes saved, before the limits held on every path, beyond what the API
        declares it answers: their guide, to the public too, answers 500 until they are edited."""
        import re

        from django.core.exceptions import ValidationError

        from yiwang.core.errors import ServiceError
        from yiwang.services import formdef
        from yiwang.services.models import Material, ServiceItem, Theme
        from yiwang.services.models.theme import THEME_CODE

        label = "事项要素是否超出接口限制"
        try:
            over = set()
            for item in ServiceItem.objects.iterator(chunk_size=500):
                try:
                    formdef.check_definition(item.form_definition)
                    broken = bool(item.beyond_limits())
                except ServiceError:
                    broken = True
                if broken:
                    over.add(item.code)
            for material in Material.objects.select_related("item").iterator(chunk_size=500):
                try:
                    material.clean()
                except ValidationError:
                    over.add(material.item.code)
            themes = [t.code for t in Theme.objects.all() if not re.match(THEME_CODE, t.code)]
        except DatabaseError:
            return "warn", label, "无法读取（数据库未就绪）"
        if not over and not themes:
            return True, label, "全部事项和一件事均在接口限制之内"
        named = "、".join(sorted(over)[:10]) + ("等" if len(over) > 10 else "")
        parts = [f"{len(over)} 个事项（{named}）" if over else "",
                 f"{len(themes)} 个一件事编码（{'、'.join(themes[:10])}）" if themes else ""]  # fmt: skip
        return (
            "warn",
            label,
            "、".join(p for p in parts if p) + " 超出接口限制，其办事指南和接口会出错；"
            "请在事项或一件事管理页修改（页面会指出超出的要素）",
        )
