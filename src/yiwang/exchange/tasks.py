"""Background work of the exchange."""

from django_tasks import task

from yiwang.core.jobs import periodic
from yiwang.exchange.sealing import EXCHANGE_LOG, SEAL_BATCH


@periodic(30)
@task()
def seal_exchange_log() -> int:
    """Seal whatever exchange log rows wait."""
    return EXCHANGE_LOG.seal_all(limit=SEAL_BATCH)
