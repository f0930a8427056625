"""Staff pages of the foundation: workbench, API clients and keys, jobs, audit log."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from yiwang.core import services, tasks
from yiwang.core.errors import ServiceError
from yiwang.core.jobs import result_rows, start_job
from yiwang.core.models import ApiClient, ApiKey, AuditEvent, Job, Organisation
from yiwang.core.nul import NUL_MESSAGE, has_nul
from yiwang.core.permissions import has_role


@login_required
def workbench(request):
    """我的工作台: the user's roles and the pages they open."""
    memberships = request.user.memberships.select_related("organisation").order_by(
        "organisation__name"
    )
    jobs = Job.objects.restrict(request.user, "view")[:10]
    return render(
        request,
        "core/workbench.html",
        {
            "memberships": memberships,
            "jobs": jobs,
            "is_supervisor": has_role(request.user, "supervisor"),
            "manages_items": Organisation.objects.restrict(request.user, "write_items").exists(),
            "manages_clients": ApiClient.objects.restrict(request.user, "view").exists()
            or Organisation.objects.restrict(request.user, "manage_clients").exists(),
        },
    )


class ClientForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="所属部门")
    subsystem_code = forms.RegexField(
        regex=r"^[a-z0-9][a-z0-9-]{1,63}$",
        label="子系统代码",
        error_messages={"invalid": "子系统代码只能包含小写字母、数字和连字符"},
    )
    name = forms.CharField(max_length=100, min_length=2, label="系统名称")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.restrict(
            actor, "manage_clients"
        )


@login_required
def client_list(request):
    """应用系统: the department systems this user manages, their keys, and registration."""
    form = ClientForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_api_client(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "应用系统已登记，请为其签发密钥。")
            return redirect("core:clients")
    clients = (
        ApiClient.objects.restrict(request.user, "view")
        .select_related("organisation")
        .prefetch_related("keys")
    )
    return render(request, "core/clients.html", {"clients": clients, "form": form})


@login_required
@require_POST
def client_issue_key(request, client_id: int):
    client = get_object_or_404(ApiClient.objects.restrict(request.user, "change"), pk=client_id)
    label = request.POST.get("label", "").strip()[:100]
    if has_nul(label):
        raise BadRequest(NUL_MESSAGE)
    issued = services.issue_api_key(actor=request.user, client=client, label=label)
    return render(request, "core/key_issued.html", {"client": client, "issued": issued})


@login_required
@require_POST
def client_revoke_key(request, client_id: int, key_id: int):
    client = get_object_or_404(ApiClient.objects.restrict(request.user, "change"), pk=client_id)
    key = get_object_or_404(ApiKey, pk=key_id, client=client)
    services.revoke_api_key(actor=request.user, key=key)
    messages.success(request, f"密钥 {key.prefix}… 已吊销。")
    return redirect("core:clients")


@login_required
def job_detail(request, job_id):
    job = get_object_or_404(Job.objects.restrict(request.user, "view"), pk=job_id)
    return render(request, "core/job.html", {"job": job, "result_rows": result_rows(job.result)})


@login_required
def job_progress(request, job_id):
    """The htmx fragment polled by the job page until the job ends."""
    job = get_object_or_404(Job.objects.restrict(request.user, "view"), pk=job_id)
    return render(
        request, "core/job_progress.html", {"job": job, "result_rows": result_rows(job.result)}
    )


@login_required
def audit_log(request):
    """审计日志 for supervisors: newest events first, sealed or not."""
    events = AuditEvent.objects.restrict(request.user, "view").order_by("-id")
    if not has_role(request.user, "supervisor"):
        return render(request, "core/forbidden.html", status=403)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page})


@login_required
@require_POST
def audit_verify(request):
    if not has_role(request.user, "supervisor"):
        return render(request, "core/forbidden.html", status=403)
    job = start_job(
        actor=request.user,
        kind="audit.verify",
        title="校验审计日志",
        job_task=tasks.verify_audit_log,
    )
    return redirect("core:job", job_id=job.pk)
