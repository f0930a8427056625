"""A load run inside a caller's transaction (the demo build, a test): on PostgreSQL a first load
takes the direct path with no second connection, and must still finish with its job."""

import pytest

from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.core.models import Job
from yiwang.registry import services
from yiwang.registry.models import Record

pytestmark = pytest.mark.django_db  # the test's own transaction is open while the load runs


def test_a_first_load_with_a_job_inside_a_transaction_finishes(
    officer, published, django_capture_on_commit_callbacks
):
    rows = [company_row(i) for i in range(12_000)]  # more than one batch of the direct path
    with django_capture_on_commit_callbacks(execute=True):  # the job starts as if committed
        load = services.receive_file(
            actor=officer, resource=published, upload=upload(csv_bytes(rows))
        )
    load.refresh_from_db()
    assert load.status == "succeeded" and load.rows_written == 12_000
    assert Record.objects.filter(resource=published).count() == 12_000
    job = Job.objects.get(pk=load.job_id)
    assert job.status == "succeeded" and job.done == job.total == 12_000
