"""Refused pages are Chinese pages: what the platform said, never Django's English texts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from yiwang.core import error_pages

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_chinese_404_with_a_way_back(client):
    response = client.get("/services/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "返回首页" in page
    assert "Not Found" not in page


def test_a_404_says_what_the_view_said_in_chinese(client, factory):
    client.force_login(factory.user())
    page = client.get("/cases/999999999/").content.decode()
    assert "办件不存在或无权访问" in page


def test_djangos_english_404_texts_are_not_shown(client, factory):
    market = factory.organisation("江澜市市场监督管理局")
    other = factory.organisation("江澜市卫生健康委员会")
    api_client = factory.api_client(market)
    client.force_login(factory.staff("data_officer", other))
    response = client.post(f"/core/clients/{api_client.pk}/keys/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "matches the given query" not in page


def test_a_403_is_chinese_and_keeps_the_reason_given_in_chinese():
    request = RequestFactory().get("/x/")
    request.user = AnonymousUser()
    said = error_pages.permission_denied(request, PermissionDenied("只有窗口工作人员可以登记"))
    plain = error_pages.permission_denied(request, PermissionDenied())
    assert said.status_code == plain.status_code == 403
    assert "只有窗口工作人员可以登记" in said.content.decode()
    assert "您没有查看或办理此项内容的权限" in plain.content.decode()
    assert "登录" in plain.content.decode()


def test_an_expired_form_is_explained_not_djangos_csrf_page():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page and "CSRF verification failed" not in page


def test_the_500_page_is_chinese_and_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in page and "Server Error" not in page
