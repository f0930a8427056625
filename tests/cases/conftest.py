import pytest

from tests import factories


@pytest.fixture
def city():
    """An item of 市场监管 reviewed in parallel with 消防 and 城管, a clerk, reviewers, a citizen."""
    market = factories.organisation("江澜市市场监督管理局")
    fire = factories.organisation("江澜市消防救援支队")
    urban = factories.organisation("江澜市城市管理局")
    item = factories.service_item(market, participants=[fire, urban], name="食品经营许可（新办）")
    citizen = factories.user(real_name="张三", id_number=factories.ric(), phone="13900000001")
    return {
        "item": item, "market": market, "fire": fire, "urban": urban, "citizen": citizen,
        "clerk": factories.staff("clerk", market),
        "reviewers": {
            "market": factories.staff("reviewer", market),
            "fire": factories.staff("reviewer", fire),
            "urban": factories.staff("reviewer", urban),
        },
    }  # fmt: skip
