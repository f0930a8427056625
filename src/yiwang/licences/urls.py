from django.urls import path

from yiwang.licences import staff, views

app_name = "licences"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("issued/", staff.issued, name="issued"),
    path("issued/<int:licence_id>/status/", staff.change_status, name="change_status"),
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/<int:licence_id>/", views.wallet_detail, name="wallet_detail"),
    path("wallet/<int:licence_id>/pdf/", views.wallet_pdf, name="wallet_pdf"),
    path("wallet/<int:licence_id>/json/", views.wallet_json, name="wallet_json"),
]
