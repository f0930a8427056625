from django.urls import path

from yiwang.licences import views

app_name = "licences"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/<int:licence_id>/", views.wallet_detail, name="wallet_detail"),
    path("wallet/<int:licence_id>/pdf/", views.wallet_pdf, name="wallet_pdf"),
    path("wallet/<int:licence_id>/json/", views.wallet_json, name="wallet_json"),
]
