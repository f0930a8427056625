"""Background work of service items: the search ranking follows how often items are applied for."""

from django_tasks import task

from yiwang.core.jobs import periodic


@periodic(600)
@task()
def refresh_search_boosts() -> int:
    """Every ten minutes: items applied for since they were indexed are lifted in the search."""
    from yiwang.services.search import refresh_use_boosts

    return refresh_use_boosts()
