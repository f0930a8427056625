"""Background work of cases: SMS and email to applicants, and the timers of their processes."""

from django_tasks import task

from yiwang.core.jobs import periodic


@task()
def send_notification(*, phone: str, email: str, subject: str, body: str) -> None:
    """Send one SMS/email through the configured sender (queued after the case's change commits)."""
    from yiwang.cases.notify import deliver

    deliver(phone=phone, email=email, subject=subject, body=body)


@periodic(60)
@task()
def fire_due_timers() -> dict:
    """Each minute: the cases whose BPMN timer (定时事件) is due move on."""
    from yiwang.cases.timers import fire_due_timers as fire

    return fire().as_dict()
