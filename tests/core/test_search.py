import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.core import search
from yiwang.core.models import SearchDocument

ITEM = "services.item"
RESOURCE = "catalog.resource"


def index(object_id, title, body="", *, kind=ITEM, boost=0):
    search.index_document(kind=kind, object_id=object_id, title=title, body=body, boost=boost)


def test_a_chinese_run_is_split_into_every_unigram_and_bigram():
    assert search.tokenize("社保卡") == ["社", "社保", "保", "保卡", "卡"]


def test_letters_are_lower_cased_words_and_a_credit_code_is_one_token():
    assert search.tokenize("USCC 91350100M000100Y43 的 PDF") == [
        "uscc",
        "91350100m000100y43",
        "的",
        "pdf",
    ]


def test_full_width_letters_and_digits_are_tokenized_as_ascii():
    assert search.tokenize("ＡＢＣ１２３") == ["abc123"]


def test_a_chinese_query_becomes_bigrams_and_a_lone_character_stays_a_unigram():
    assert search.query_tokens("食品许可 证") == ["食品", "品许", "许可", "证"]


def test_punctuation_only_query_has_no_tokens():
    assert search.query_tokens(" ，。！？\"'*^-:() ") == []


@pytest.mark.django_db
def test_a_two_character_word_is_found_at_the_start_of_a_title():
    index(1, "社保卡申领")
    index(2, "社会保险登记")

    assert search.search(kind=ITEM, query="社保") == [1]


@pytest.mark.django_db
def test_a_two_character_word_is_found_inside_a_title():
    index(1, "食品经营许可")
    index(2, "食品经营备案")

    assert search.search(kind=ITEM, query="许可") == [1]


@pytest.mark.django_db
def test_a_single_character_query_finds_every_document_with_that_character():
    index(1, "社保卡申领")
    index(2, "居民身份证补领")
    index(3, "营业执照变更")

    assert sorted(search.search(kind=ITEM, query="领")) == [1, 2]


@pytest.mark.django_db
def test_a_mixed_chinese_and_ascii_query_matches_both_parts():
    index(1, "ICP许可证申请")
    index(2, "食品经营许可证申请")
    index(3, "ICP备案")

    assert search.search(kind=ITEM, query="icp许可") == [1]


@pytest.mark.django_db
def test_a_credit_code_is_found_whole_and_case_insensitively():
    index(1, "某某食品有限公司", "统一社会信用代码 91350100M000100Y43")

    assert search.search(kind=ITEM, query="91350100m000100y43") == [1]


@pytest.mark.django_db
def test_every_query_word_must_match():
    index(1, "食品经营许可")
    index(2, "药品经营许可")
    index(3, "食品生产备案")

    assert search.search(kind=ITEM, query="食品 许可") == [1]


@pytest.mark.django_db
def test_a_title_match_outranks_a_body_match():
    index(1, "营业执照变更登记", "办理时需提交社保缴费证明")
    index(2, "社保缴费证明打印", "营业执照变更后可打印")

    assert search.search(kind=ITEM, query="社保") == [2, 1]


@pytest.mark.django_db
def test_a_document_mentioning_the_word_more_often_ranks_higher():
    index(1, "事项甲", "食品许可，药品经营")
    index(2, "事项乙", "食品许可，药品许可")

    assert search.search(kind=ITEM, query="许可") == [2, 1]


@pytest.mark.django_db
def test_boost_breaks_ties_between_equally_relevant_documents():
    index(1, "社保卡申领", boost=3)
    index(2, "社保卡申领", boost=40)
    index(3, "社保卡申领", boost=3)

    assert search.search(kind=ITEM, query="社保卡") == [2, 1, 3]


@pytest.mark.django_db
def test_reindexing_a_document_replaces_its_words():
    index(1, "社保卡申领")
    index(1, "营业执照注销")

    assert search.search(kind=ITEM, query="社保") == []
    assert search.search(kind=ITEM, query="注销") == [1]
    assert SearchDocument.objects.count() == 1


@pytest.mark.django_db
def test_changing_only_the_boost_keeps_the_document_findable():
    index(1, "社保卡申领", boost=1)
    index(2, "社保卡申领", boost=2)
    index(1, "社保卡申领", boost=5)

    assert search.search(kind=ITEM, query="社保") == [1, 2]


@pytest.mark.django_db
def test_a_removed_document_is_no_longer_found():
    index(1, "社保卡申领")
    index(2, "社保卡挂失")

    search.remove_document(kind=ITEM, object_id=1)

    assert search.search(kind=ITEM, query="社保") == [2]


@pytest.mark.django_db
def test_removing_a_document_that_is_not_indexed_does_nothing():
    search.remove_document(kind=ITEM, object_id=404)

    assert search.count(kind=ITEM, query="社保") == 0


@pytest.mark.django_db
def test_documents_of_another_kind_are_not_found():
    index(1, "食品经营许可", kind=ITEM)
    index(1, "食品经营许可数据", kind=RESOURCE)
    index(2, "药品经营许可数据", kind=RESOURCE)

    assert search.search(kind=ITEM, query="许可") == [1]
    assert search.count(kind=RESOURCE, query="许可") == 2


@pytest.mark.django_db
def test_limit_and_offset_page_through_the_results():
    for object_id in range(1, 6):
        index(object_id, "社保卡申领", boost=-object_id)

    assert search.search(kind=ITEM, query="社保", limit=2, offset=2) == [3, 4]


@pytest.mark.django_db
def test_count_counts_every_match_beyond_the_limit():
    for object_id in range(1, 61):
        index(object_id, f"社保卡申领{object_id}")

    assert len(search.search(kind=ITEM, query="社保")) == 50
    assert search.count(kind=ITEM, query="社保") == 60


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "   ", "\t\n", "，。！？", "***"])
def test_an_empty_or_punctuation_only_query_finds_nothing(query):
    index(1, "社保卡申领")

    assert search.search(kind=ITEM, query=query) == []
    assert search.count(kind=ITEM, query=query) == 0


@pytest.mark.django_db
def test_a_query_is_cut_at_200_characters():
    index(1, "社保卡申领")

    assert search.search(kind=ITEM, query="社保" + " " * 198 + "注销") == [1]


HOSTILE_QUERIES = [
    '"',
    '社保"',
    "'",
    "社保' OR 1=1 --",
    "AND",
    "社保 AND",
    "OR 社保",
    "NOT",
    "NEAR(",
    "NEAR(社保 卡, 2)",
    "*",
    "社*",
    "^社保",
    "-社保",
    "title_tokens:社保",
    ":",
    "{tokens}: 社",
    "a & b | !c <-> d",
    "\\",
    "社保" * 500,
    "a" * 5000,
    "😀",
    "社保😀卡",
    "\x00",
    "社保\x00卡",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_a_hostile_query_returns_a_list_and_never_raises(query):
    index(1, "社保卡申领", "AND OR NOT NEAR title tokens")

    assert isinstance(search.search(kind=ITEM, query=query), list)
    assert isinstance(search.count(kind=ITEM, query=query), int)


@pytest.mark.django_db
def test_query_operators_are_searched_as_words():
    index(1, "AND 与 OR 说明", "NEAR")
    index(2, "社保卡申领")

    assert search.search(kind=ITEM, query="and or near") == [1]


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=60))
def test_any_text_as_a_query_returns_a_list(query):
    assert isinstance(search.search(kind=ITEM, query=query), list)


# Characters whose classes every backend agrees on (a database's Unicode tables
# may be older than Python's): Han, kana, Latin and full-width letters and digits,
# punctuation, spaces, emoji, NUL.
TITLE_CHARACTERS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),
    st.characters(min_codepoint=0x20, max_codepoint=0x24F),
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
    st.sampled_from(list("，。、；：？！“”‘’（）《》【】·・—… \t\n\x00😀🇨🇳")),
)


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(TITLE_CHARACTERS, max_size=60))
def test_any_title_is_found_by_a_query_of_the_whole_title(title):
    with transaction.atomic():
        index(1, title)
        expected = [1] if search.query_tokens(title) else []

        assert search.search(kind=ITEM, query=title) == expected
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_title_with_a_null_byte_is_stored_and_found_without_it():
    index(1, "社保卡\x00申领")

    assert SearchDocument.objects.get().title == "社保卡申领"
    assert search.search(kind=ITEM, query="社保") == [1]
