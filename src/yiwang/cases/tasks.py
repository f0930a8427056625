"""Background work of cases: SMS and email to applicants."""

from django_tasks import task


@task()
def send_notification(*, phone: str, email: str, subject: str, body: str) -> None:
    """Send one SMS/email through the configured sender (queued after the case's change commits)."""
    from yiwang.cases.notify import deliver

    deliver(phone=phone, email=email, subject=subject, body=body)
