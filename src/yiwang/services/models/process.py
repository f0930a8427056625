from django.db import models


class ProcessModel(models.Model):
    """审批流程: a BPMN 2.0 process an item runs after acceptance, drawn in bpmn.io or Camunda Modeler.

    The parsed specification is kept once here (not in every case); cases store
    only their own task states and point to this row.
    """

    name = models.CharField("流程名称", max_length=100)
    process_id = models.CharField("流程标识", max_length=100)
    bpmn_xml = models.TextField("BPMN 文件")
    digest = models.CharField("SHA-256", max_length=64, unique=True)
    user_tasks = models.JSONField(
        "人工任务", default=list, help_text="[{id, name, role, department}]"
    )
    is_default = models.BooleanField("默认流程", default=False)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审批流程"
        verbose_name_plural = "审批流程"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
