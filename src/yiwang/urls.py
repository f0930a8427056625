from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from yiwang.api import api
from yiwang.core.forms import LoginForm
from yiwang.exchange import govstack

admin.site.site_header = "一网 · 后台管理"
admin.site.site_title = "一网"
admin.site.index_title = "平台管理"

urlpatterns = [
    path("", include("yiwang.portal.urls")),
    path("core/", include("yiwang.core.urls")),
    path("catalog/", include("yiwang.catalog.urls")),
    path("registry/", include("yiwang.registry.urls")),
    path("exchange/", include("yiwang.exchange.urls")),
    path("licences/", include("yiwang.licences.urls")),
    path("services/", include("yiwang.services.urls")),
    path("cases/", include("yiwang.cases.urls")),
    path("supervision/", include("yiwang.supervision.urls")),
    path("", include("yiwang.reviews.urls")),  # /reviews/… and the public /satisfaction/
    path(
        "accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path(settings.GOVSTACK_PREFIX.lstrip("/"), include(govstack.urlpatterns)),  # last: may be "/"
]

# Refusals as Chinese pages (core.error_pages); 500.html is a template Django renders itself.
handler400 = "yiwang.core.error_pages.bad_request"
handler403 = "yiwang.core.error_pages.permission_denied"
handler404 = "yiwang.core.error_pages.page_not_found"
