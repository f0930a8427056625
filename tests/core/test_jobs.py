import pytest

from yiwang.core import audit, services, tasks
from yiwang.core.choices import JobStatus
from yiwang.core.jobs import JobProgress, job_task, start_job
from yiwang.core.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


@job_task
def count_to(progress: JobProgress, *, n: int) -> dict:
    progress.start(n)
    for _ in range(n):
        progress.advance()
    progress.log("数完了")
    return {"counted": n}


@job_task
def explode(progress: JobProgress) -> dict:
    progress.start(3)
    progress.advance()
    raise ValueError("文件格式错误")


def test_a_job_runs_after_commit_and_records_progress_and_result(factory):
    user = factory.user()
    job = start_job(actor=user, kind="test.count", title="数数", job_task=count_to, n=5)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.result == {"counted": 5}
    assert "数完了" in job.log
    assert job.created_by == user and job.finished_at is not None


def test_a_failing_job_is_marked_failed_with_its_error_in_the_log(factory):
    job = start_job(actor=factory.user(), kind="test.explode", title="失败的任务", job_task=explode)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "文件格式错误" in job.log
    assert job.done == 1


def test_a_failed_jobs_page_shows_its_error_but_not_the_servers_traceback(factory, client):
    user = factory.user()
    job = start_job(actor=user, kind="test.explode", title="失败的任务", job_task=explode)
    client.force_login(user)
    page = client.get(f"/core/jobs/{job.pk}/").content.decode()
    assert "失败：文件格式错误" in page
    assert "Traceback" not in page and ".py" not in page


def test_progress_reports_to_a_cli_callback_without_a_job():
    seen = []
    progress = JobProgress(on_change=lambda done, total: seen.append((done, total)), interval=0)
    progress.start(2)
    progress.advance()
    progress.advance()
    assert seen[-1] == (2, 2)


def test_a_user_sees_only_their_own_jobs(factory, client):
    owner, other = factory.user(), factory.user()
    job = start_job(actor=owner, kind="test.count", title="数数", job_task=count_to, n=1)
    client.force_login(other)
    assert client.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert client.get(f"/core/jobs/{job.pk}/").status_code == 404
    client.force_login(owner)
    assert client.get(f"/api/v1/jobs/{job.pk}").json()["status"] == "succeeded"


def test_a_supervisor_verifies_the_audit_log_as_a_job_and_sees_the_result(factory, client):
    root = factory.organisation("江澜市人民政府")
    services.update_organisation(actor=factory.superuser(), organisation=root, short_name="江澜")
    audit.seal_all()
    supervisor = factory.staff("supervisor", root)
    client.force_login(supervisor)
    response = client.post("/core/audit/verify/")
    job = Job.objects.get(kind="audit.verify")
    assert response.status_code == 302 and response["Location"].endswith(f"/core/jobs/{job.pk}/")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["ok"] is True
    fragment = client.get(f"/core/jobs/{job.pk}/progress/").content.decode()
    assert "已完成" in fragment and "hx-get" not in fragment


def test_the_audit_verification_result_is_shown_in_chinese(factory, client):
    supervisor = factory.staff("supervisor", factory.organisation())
    audit.seal_all()
    client.force_login(supervisor)
    client.post("/core/audit/verify/")
    job = Job.objects.get(kind="audit.verify")
    fragment = client.get(f"/core/jobs/{job.pk}/progress/").content.decode()
    assert "校验结果：通过" in fragment and "发现的问题：无" in fragment
    for english in ("ok：", "seals：", "events：", "True", "problems："):
        assert english not in fragment


def test_a_running_job_page_polls_for_progress(factory, client):
    user = factory.user()
    job = Job.objects.create(
        kind="x", title="进行中", created_by=user, status=JobStatus.RUNNING, done=3, total=10
    )
    client.force_login(user)
    page = client.get(f"/core/jobs/{job.pk}/").content.decode()
    assert 'hx-get="/core/jobs/' in page and 'value="30"' in page


def test_the_seal_task_seals_waiting_events(factory):
    services.update_organisation(
        actor=factory.superuser(), organisation=factory.organisation(), short_name="x"
    )
    result = tasks.seal_audit_events.enqueue()
    assert result.return_value == 1


def test_the_worker_command_runs_queued_jobs_from_the_database_queue(factory, settings):
    from django.core.management import call_command

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"}
    }  # django-tasks resets on change
    job = start_job(actor=factory.user(), kind="test.count", title="数数", job_task=count_to, n=4)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"counted": 4}
