"""Background work of supervision: the deadline sweep every five minutes."""

from django_tasks import task

from yiwang.core.jobs import periodic


@periodic(300)
@task()
def sweep_deadlines() -> dict:
    """Cards for cases and tasks nearing or past their deadlines; late 督办 escalated."""
    from yiwang.supervision.sweep import sweep_deadlines as sweep

    return sweep().as_dict()
