"""Every page is in Chinese, whatever language the browser prefers."""

import pytest

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_django_pages_stay_in_chinese_for_an_english_browser(client):
    page = client.get("/admin/login/", **ENGLISH_BROWSER)
    text = page.content.decode()
    assert page.status_code == 200
    assert page.headers.get("Content-Language", "zh-hans") == "zh-hans"
    assert "用户名" in text and "登录" in text
    assert "Username" not in text and "Log in" not in text


def test_form_errors_from_django_stay_in_chinese(client, settings):
    from django import forms

    class Dated(forms.Form):
        day = forms.DateField()

    client.get("/", **ENGLISH_BROWSER)  # a request in English leaves no language behind
    form = Dated({"day": "not a date"})
    assert not form.is_valid()
    assert form.errors["day"] == ["输入一个有效的日期。"]
