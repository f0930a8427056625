from django.apps import AppConfig, apps


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self):
        from yiwang.cases import permissions  # noqa: F401  (registers the rules)

        if apps.is_installed("yiwang.exchange"):
            from yiwang.cases.selectors import departments_of_case
            from yiwang.exchange.selectors import register_case_departments

            register_case_departments(departments_of_case)
