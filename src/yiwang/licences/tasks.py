"""Background work of e-licences."""

from django_tasks import task

from yiwang.core.jobs import periodic
from yiwang.licences import services


@periodic(3600)
@task()
def expire_licences() -> int:
    """Mark licences past their end date as expired (hourly, by `yiwang worker`)."""
    return services.expire_licences(actor=None)
