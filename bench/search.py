"""Chinese search over 25,000 service-item titles: p95 query latency against a LIKE scan."""

import random
import statistics
import time

from django.db import connection, transaction

from yiwang.core import search

KIND = "bench.service_item"
SUBJECTS = [
    "食品", "药品", "医疗器械", "化妆品", "烟草", "建筑", "道路运输", "出租汽车", "户籍",
    "居民", "企业", "个体工商户", "农民专业合作社", "社保", "医保", "公积金", "残疾人",
    "老年人", "退役军人", "特种设备", "危险化学品", "排污", "取水", "林木", "船舶",
    "律师", "教师", "导游", "网络文化", "广播电视", "消防", "燃气", "人力资源",
]  # fmt: skip
OBJECTS = [
    "经营许可", "生产许可", "卡", "营业执照", "证", "资格", "备案", "补贴", "登记",
    "许可证", "执业证书", "身份证", "待遇", "关系转移", "信息", "年报", "施工许可",
]  # fmt: skip
ACTIONS = [
    "申领", "核发", "变更", "注销", "延续", "补办", "换领", "查询", "登记", "认定",
    "审批", "备案", "申请", "发放", "撤销", "迁移", "打印",
]  # fmt: skip
QUALIFIERS = ["", "", "", "（市级）", "（县级）", "（告知承诺）", "网上", "首次", "跨省"]


class _Rollback(Exception):
    pass


def _titles(n: int, rng: random.Random) -> list[str]:
    return [
        rng.choice(QUALIFIERS) + rng.choice(SUBJECTS) + rng.choice(OBJECTS) + rng.choice(ACTIONS)
        for _ in range(n)
    ]


def _queries(n: int, rng: random.Random) -> list[str]:
    two_characters = [w for w in SUBJECTS + OBJECTS + ACTIONS if len(w) == 2]
    shapes = [
        lambda: rng.choice(two_characters),
        lambda: rng.choice("证卡食药社保许登变"),
        lambda: rng.choice(SUBJECTS) + rng.choice(OBJECTS),
        lambda: rng.choice(SUBJECTS) + " " + rng.choice(ACTIONS),
        lambda: rng.choice(OBJECTS) + rng.choice(ACTIONS),
    ]
    return [rng.choice(shapes)() for _ in range(n)]


def _like_scan(query: str) -> list[int]:
    words = query.split()
    where = " AND ".join(["title LIKE %s"] * len(words))
    sql = (
        f"SELECT object_id FROM core_searchdocument WHERE kind = %s AND {where} "  # noqa: S608
        "ORDER BY boost DESC, object_id LIMIT 50"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [KIND, *(f"%{word}%" for word in words)])
        return [row[0] for row in cursor.fetchall()]


def _search(query: str) -> list[int]:
    return search.search(kind=KIND, query=query)


def _timed_ms(work, query: str) -> float:
    started = time.perf_counter()
    work(query)
    return (time.perf_counter() - started) * 1000


def _latencies_ms(queries: list[str], *, repeats: int) -> tuple[list[float], list[float]]:
    """Each query through the index and through a LIKE scan, back to back, so that
    load from other processes falls on both alike."""
    for query in queries[:20]:
        _search(query)
        _like_scan(query)
    ours, like = [], []
    for _ in range(repeats):
        for query in queries:
            ours.append(_timed_ms(_search, query))
            like.append(_timed_ms(_like_scan, query))
    return ours, like


def _p95(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=20)[-1]


def _index(titles: list[str], rng: random.Random) -> float:
    started = time.perf_counter()
    for object_id, title in enumerate(titles, start=1):
        search.index_document(
            kind=KIND, object_id=object_id, title=title, boost=rng.randint(0, 1000)
        )
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: merge the GIN pending list, refresh statistics.
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('core_searchdocument_vector_gin')")
            cursor.execute("ANALYZE core_searchdocument")
    return time.perf_counter() - started


def run(*, quick: bool = False):
    documents = 2_000 if quick else 25_000
    rng = random.Random(2026)
    titles = _titles(documents, rng)
    queries = _queries(100 if quick else 400, rng)
    try:
        with transaction.atomic():
            indexing_s = _index(titles, rng)
            ours, baseline = _latencies_ms(queries, repeats=1 if quick else 3)
            raise _Rollback
    except _Rollback:
        pass
    ours_p95, baseline_p95 = _p95(ours), _p95(baseline)
    yield (
        f"# {connection.vendor}, {documents:,} documents indexed in {indexing_s:.1f} s, "
        f"{len(ours)} queries, p50 {statistics.median(ours):.2f} ms "
        f"(LIKE p50 {statistics.median(baseline):.2f} ms)"
    )
    yield (
        f"search: {ours_p95:.2f} ms p95 | baseline {baseline_p95:.2f} ms p95 "
        f"| ratio {baseline_p95 / ours_p95:.2f}"
    )
