"""Service search over 25,000 published items: p95 of a search page (count + first 20, two-character words included) against a LIKE scan."""

import random
import runpy
import statistics
import time
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from yiwang.core import identifiers
from yiwang.core.models import Organisation
from yiwang.services import search as item_search
from yiwang.services import selectors
from yiwang.services.choices import CaseKind, ItemStatus
from yiwang.services.models import Material, ServiceItem

# The title vocabulary, the query shapes and the p95 of the plain index bench.
_search_bench = runpy.run_path(str(Path(__file__).with_name("search.py")))
_titles, _queries, _p95 = _search_bench["_titles"], _search_bench["_queries"], _search_bench["_p95"]
PAGE = 20
MATERIALS = ["申请书", "身份证明", "营业执照", "场所证明", "承诺书"]


class _Rollback(Exception):
    pass


def _organisations(n: int) -> list[Organisation]:
    orgs = [
        Organisation(
            name=f"基准测试部门{i}", region_code="990100", kind="department", level="city",
            uscc=identifiers.make_uscc(region="990100", org_body=f"B{i:07d}", registrar="1", kind="1"),
        )
        for i in range(n)
    ]  # fmt: skip
    return Organisation.objects.bulk_create(orgs)


def _items(titles: list[str], rng: random.Random) -> float:
    """25,000 published items with two materials each, indexed as the demo indexes them."""
    orgs, now = _organisations(40), timezone.now()
    started = time.perf_counter()
    items = ServiceItem.objects.bulk_create(
        [
            ServiceItem(
                code=f"BENCH{n:08d}", name=title, item_type="licensing", organisation=orgs[n % 40],
                audience="both", case_kind=CaseKind.PROMISED, statutory_days=20, promised_days=5,
                status=ItemStatus.PUBLISHED, published_at=now, use_count=rng.randint(0, 5000),
            )
            for n, title in enumerate(titles)
        ],
        batch_size=2000,
    )  # fmt: skip
    Material.objects.bulk_create(
        [Material(item=i, name=name) for i in items for name in rng.sample(MATERIALS, 2)],
        batch_size=5000,
    )
    item_search.index_items(
        ServiceItem.objects.filter(code__startswith="BENCH")
        .select_related("organisation")
        .prefetch_related("materials")
        .iterator(chunk_size=2000)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('core_searchdocument_vector_gin')")
            cursor.execute("ANALYZE core_searchdocument")
            cursor.execute("ANALYZE services_serviceitem")
    return time.perf_counter() - started


def _search_page(query: str) -> int:
    """What the public search page does: how many match, and the first page, best first."""
    found = selectors.items(None, q=query, status=ItemStatus.PUBLISHED)
    return len(found) + len(found[:PAGE])


def _like_page(query: str) -> int:
    qs = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    for word in query.split():
        qs = qs.filter(name__contains=word)
    return qs.count() + len(list(qs.order_by("-use_count", "code")[:PAGE]))


def _timed_ms(work, query: str) -> float:
    started = time.perf_counter()
    work(query)
    return (time.perf_counter() - started) * 1000


def run(*, quick: bool = False):
    documents = 2_000 if quick else 25_000
    rng = random.Random(2026)
    titles = _titles(documents, rng)
    queries = _queries(100 if quick else 400, rng)
    try:
        with transaction.atomic():
            build_s = _items(titles, rng)
            for query in queries[:20]:
                _search_page(query)
                _like_page(query)
            ours, like = [], []
            for _ in range(1 if quick else 3):
                for query in queries:
                    ours.append(_timed_ms(_search_page, query))
                    like.append(_timed_ms(_like_page, query))
            raise _Rollback
    except _Rollback:
        pass
    ours_p95, like_p95 = _p95(ours), _p95(like)
    yield (
        f"# {connection.vendor}, {documents:,} items built and indexed in {build_s:.1f} s, "
        f"{len(ours)} searches (count + first {PAGE}), p50 {statistics.median(ours):.2f} ms "
        f"(LIKE p50 {statistics.median(like):.2f} ms); target p95 ≤ 10 ms"
    )
    yield (
        f"services_search: p95 {ours_p95:.2f} ms | baseline {like_p95:.2f} ms p95 (LIKE scan) "
        f"| ratio {like_p95 / ours_p95:.2f}"
    )
