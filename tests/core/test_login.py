import pytest
from django.contrib.auth.hashers import identify_hasher

from yiwang.core import services

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"


@pytest.fixture
def person(factory):
    return factory.user("zhangsan", password=PASSWORD, real_name="张三")


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_the_login_page_is_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "用户名" in response.content.decode() and "密码" in response.content.decode()


def test_a_person_logs_in_and_reaches_the_home_page(client, person):
    response = login(client, "zhangsan", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").context["user"] == person


def test_a_wrong_password_shows_a_chinese_error(client, person):
    response = login(client, "zhangsan", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_login_is_locked_after_repeated_failures_even_with_the_right_password(
    client, person, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "zhangsan", "wrong-password")
    response = login(client, "zhangsan", PASSWORD)
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_out_page_says_in_minutes_how_long_to_wait(client, person, settings):
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "zhangsan", "wrong-password")
    page = login(client, "zhangsan", PASSWORD).content.decode()
    assert "请在 15 分钟后再试" in page and "0:15:00" not in page


def test_a_lock_out_of_one_user_does_not_lock_another(client, person, factory, settings):
    factory.user("lisi", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "zhangsan", "wrong-password")
    assert login(client, "lisi", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = services.register_user(
        actor=None, username="wangwu", password=PASSWORD, real_name="王五"
    )
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)


def test_registration_validates_the_id_number_and_phone():
    with pytest.raises(services.ServiceError) as caught:
        services.register_user(
            actor=None,
            username="bad",
            password=PASSWORD,
            id_number="110105194912310021",
            phone="123",
        )
    fields = caught.value.detail["fields"]
    assert "id_number" in fields and "phone" in fields


def test_an_id_number_can_belong_to_one_account_only(factory):
    number = factory.ric()
    services.register_user(actor=None, username="a1", password=PASSWORD, id_number=number)
    with pytest.raises(services.ServiceError):
        services.register_user(actor=None, username="a2", password=PASSWORD, id_number=number)


def test_logout_needs_a_post(client, person):
    client.force_login(person)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302


def test_registration_refuses_a_weak_password():
    with pytest.raises(services.ServiceError) as caught:
        services.register_user(actor=None, username="weak", password="12345678")
    assert "password" in caught.value.detail["fields"]


def test_behind_a_proxy_the_lock_out_follows_the_forwarded_client_address(client, person, settings):
    settings.PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "zhangsan", "password": "bad"},
                    headers={"X-Forwarded-For": "203.0.113.7"})  # fmt: skip
    other = client.post("/accounts/login/", {"username": "zhangsan", "password": PASSWORD},
                        headers={"X-Forwarded-For": "198.51.100.9"})  # fmt: skip
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [(0, "203.0.113.7", "127.0.0.1"), (1, "203.0.113.7", "203.0.113.7"), (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
     (2, "203.0.113.7, 10.0.0.2", "203.0.113.7"), (1, "", "127.0.0.1")],
)  # fmt: skip
def test_the_client_address_cannot_be_forged_past_the_trusted_proxies(
    rf, settings, proxies, forwarded, expected
):
    from yiwang.core.middleware import client_ip

    settings.PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
