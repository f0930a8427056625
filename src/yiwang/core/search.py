"""Chinese full-text search (中文全文检索) for catalogs: resources, service items, ….

Chinese has no spaces, and a dictionary-based segmenter would need a download,
so documents are split into every CJK unigram and bigram: a 2-character word
such as 社保 or 许可 is then a token of any document that contains it, and a
1-character query is a token too. Runs of letters and digits become lower-cased
words (a code such as 91350100M000100Y43 is one token). A query's CJK runs
become bigrams (a lone character stays a unigram) and every query token must
match.

The tokens are stored space-joined on `SearchDocument`; the database indexes
them as they are (SQLite FTS5, PostgreSQL tsvector — see the `search_index`
migration). User input never reaches the database as query syntax: only tokens
do, and tokens hold letters and digits only, each quoted.

Ranking: matches in the title and repeated matches rank higher (bm25 on SQLite,
ts_rank on PostgreSQL), then the caller's `boost` (e.g. how often the thing is
used), then the object id.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator

from django.db import connection

from yiwang.core.models import SearchDocument

MAX_QUERY_CHARS = 200
# Only this much of a body is indexed: more than any catalog description, and it
# keeps a document's tsvector far below PostgreSQL's 1 MB limit.
MAX_BODY_CHARS = 10_000
# Title matches count this many times a body match in SQLite's bm25.
TITLE_WEIGHT = 10.0

# Han ideographs (with 〇) and kana, scripts written without spaces between words;
# not the katakana middle dot ・ that separates the parts of foreign names.
_CJK = (
    "\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U000323af"
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
_RUN = re.compile(f"[{_CJK}]+|[^\\W_{_CJK}]+")


def _runs(text: str) -> Iterator[str]:
    # NFKC turns full-width letters and digits (ＡＢＣ１２３) into ASCII ones.
    normal = unicodedata.normalize("NFKC", text).lower()
    for match in _RUN.finditer(normal):
        yield match.group()


def _is_cjk(run: str) -> bool:
    return _CJK_RUN.fullmatch(run) is not None


def tokenize(text: str) -> list[str]:
    """A document's tokens: every CJK unigram and bigram, and lower-cased words."""
    tokens: list[str] = []
    for run in _runs(text):
        if not _is_cjk(run):
            tokens.append(run)
            continue
        for i, char in enumerate(run):
            tokens.append(char)
            if i + 1 < len(run):
                tokens.append(run[i : i + 2])
    return tokens


def query_tokens(query: str) -> list[str]:
    """A query's tokens, all of which must match: CJK bigrams (or a lone unigram) and words."""
    tokens: list[str] = []
    for run in _runs(query[:MAX_QUERY_CHARS]):
        if _is_cjk(run) and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return list(dict.fromkeys(tokens))


def index_document(
    *, kind: str, object_id: int, title: str, body: str = "", boost: float = 0
) -> None:
    """Add a document to the index or replace it; runs in the caller's transaction.

    An index entry is derived data, not a government record: it is not audited.
    """
    index_documents(kind=kind, documents=[(object_id, title, body, boost)])


def index_documents(
    *, kind: str, documents: Iterable[tuple[int, str, str, float]], batch_size: int = 1000
) -> None:
    """Add or replace many (object_id, title, body, boost) documents, in batches."""
    batch = []
    for object_id, title, body, boost in documents:
        title_tokens = tokenize(title)
        batch.append(SearchDocument(
            kind=kind,
            object_id=object_id,
            # PostgreSQL text cannot hold NUL; to the tokenizer it was a separator.
            title=title.replace("\x00", ""),
            body=body.replace("\x00", ""),
            title_tokens=" ".join(title_tokens),
            tokens=" ".join(title_tokens + tokenize(body[:MAX_BODY_CHARS])),
            boost=boost,
        ))  # fmt: skip
        if len(batch) >= batch_size:
            _upsert(batch)
            batch = []
    if batch:
        _upsert(batch)


def _upsert(documents: list[SearchDocument]) -> None:
    # One INSERT … ON CONFLICT DO UPDATE: no race between two writers of the same document.
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["title", "body", "title_tokens", "tokens", "boost"],
    )


def remove_document(*, kind: str, object_id: int) -> None:
    """Take a document out of the index; removing one that is not there does nothing."""
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def search(
    *, kind: str, query: str, limit: int = 50, offset: int = 0, broad: bool = False
) -> list[int]:
    """Object ids of the documents of `kind` that match every token of `query`, best first.

    A caller that knows the query is *broad* (a lone character, 登记 among thousands of
    items — see `count(at_most=…)`) says so: ranking every match by bm25 / ts_rank costs
    time in proportion to the matches and the differences mean little, so a broad query
    ranks title matches first, then by boost, then by id.
    """
    tokens = query_tokens(query)
    if not tokens or limit <= 0:
        return []
    sql, params = (_BROAD if broad else _SEARCH)[connection.vendor](tokens)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, kind, limit, max(offset, 0)])
        return [row[0] for row in cursor.fetchall()]


def count(*, kind: str, query: str, at_most: int = 0) -> int:
    """How many documents of `kind` match every token of `query`; with `at_most`, counting
    stops there (cheap for a query that matches thousands)."""
    tokens = query_tokens(query)
    if not tokens:
        return 0
    sql, params = _COUNT[connection.vendor](tokens)
    if at_most > 0:
        sql = sql.replace("SELECT count(*)", "SELECT 1", 1)
        sql = f"SELECT count(*) FROM ({sql} LIMIT {int(at_most)}) AS bounded"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, kind])
        return cursor.fetchone()[0]


# --- SQLite: FTS5 table core_searchdocument_fts over (title_tokens, tokens) ---


def _fts5_match(tokens: list[str]) -> str:
    # Each token as an FTS5 string; juxtaposed strings are ANDed.
    return " ".join('"' + token.replace('"', '""') + '"' for token in tokens)


# CROSS JOIN makes SQLite loop over the full-text matches; left to itself it may
# loop over every document of the kind and run the MATCH once per document.
_SQLITE_MATCHES = """
    FROM core_searchdocument_fts AS f
    CROSS JOIN core_searchdocument AS d ON d.id = f.rowid
    WHERE core_searchdocument_fts MATCH %s AND d.kind = %s
"""


def _sqlite_search(tokens: list[str]) -> tuple[str, list]:
    sql = f"""
        SELECT d.object_id {_SQLITE_MATCHES}
        ORDER BY bm25(core_searchdocument_fts, {TITLE_WEIGHT}, 1.0), d.boost DESC, d.object_id
        LIMIT %s OFFSET %s
    """
    return sql, [_fts5_match(tokens)]


def _sqlite_broad(tokens: list[str]) -> tuple[str, list]:
    # Title matches, found once through the column filter, sort first; no bm25 per match.
    title_match = "{title_tokens} : (" + _fts5_match(tokens) + ")"
    sql = f"""
        WITH titled AS (
            SELECT rowid FROM core_searchdocument_fts WHERE core_searchdocument_fts MATCH %s
        )
        SELECT d.object_id {_SQLITE_MATCHES}
        ORDER BY f.rowid IN (SELECT rowid FROM titled) DESC, d.boost DESC, d.object_id
        LIMIT %s OFFSET %s
    """  # noqa: S608 — only constant SQL is interpolated; the tokens are parameters
    return sql, [title_match, _fts5_match(tokens)]


def _sqlite_count(tokens: list[str]) -> tuple[str, list]:
    return f"SELECT count(*) {_SQLITE_MATCHES}", [_fts5_match(tokens)]


# --- PostgreSQL: generated tsvector column search_vector with a GIN index ---


def _tsquery(tokens: list[str]) -> str:
    # Each token quoted as a tsquery lexeme; & ANDs them. to_tsquery('simple', …)
    # parses each lexeme as to_tsvector('simple', …) parsed the document's.
    quoted = ("'" + token.replace("\\", "\\\\").replace("'", "''") + "'" for token in tokens)
    return " & ".join(quoted)


def _postgresql_search(tokens: list[str]) -> tuple[str, list]:
    sql = """
        SELECT d.object_id
        FROM core_searchdocument AS d, to_tsquery('simple', %s) AS q
        WHERE d.search_vector @@ q AND d.kind = %s
        ORDER BY ts_rank(d.search_vector, q) DESC, d.boost DESC, d.object_id
        LIMIT %s OFFSET %s
    """
    return sql, [_tsquery(tokens)]


def _postgresql_broad(tokens: list[str]) -> tuple[str, list]:
    # A title match is a token found in the space-joined title tokens: a string search per
    # match, cheaper than ts_filter or ts_rank over thousands of matches.
    needles = ", ".join(f"%s::text AS n{i}" for i in range(len(tokens)))
    titled = " AND ".join(
        f"position(t.n{i} in ' ' || d.title_tokens || ' ') > 0" for i in range(len(tokens))
    )
    sql = f"""
        SELECT d.object_id
        FROM core_searchdocument AS d, to_tsquery('simple', %s) AS q, (SELECT {needles}) AS t
        WHERE d.search_vector @@ q AND d.kind = %s
        ORDER BY ({titled}) DESC, d.boost DESC, d.object_id
        LIMIT %s OFFSET %s
    """  # noqa: S608 — only constant SQL is interpolated; the tokens are parameters
    return sql, [_tsquery(tokens), *(f" {token} " for token in tokens)]


def _postgresql_count(tokens: list[str]) -> tuple[str, list]:
    sql = """
        SELECT count(*) FROM core_searchdocument AS d
        WHERE d.search_vector @@ to_tsquery('simple', %s) AND d.kind = %s
    """
    return sql, [_tsquery(tokens)]


_SEARCH = {"sqlite": _sqlite_search, "postgresql": _postgresql_search}
_COUNT = {"sqlite": _sqlite_count, "postgresql": _postgresql_count}
_BROAD = {"sqlite": _sqlite_broad, "postgresql": _postgresql_broad}
