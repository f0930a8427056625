from django.urls import path

from yiwang.exchange import views

app_name = "exchange"
urlpatterns = [
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:request_id>/decide/", views.request_decide, name="request_decide"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:grant_id>/status/", views.grant_status, name="grant_status"),
    path("my-data/", views.my_data, name="my_data"),
    path("statistics/", views.statistics, name="statistics"),
    path("log/", views.exchange_log, name="log"),
]
