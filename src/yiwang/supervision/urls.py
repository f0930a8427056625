from django.urls import path

from yiwang.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.board, name="board"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:notice_id>/reply/", views.notice_reply, name="notice_reply"),
    path("mine/", views.mine, name="mine"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/refresh/", views.dashboard_refresh, name="dashboard_refresh"),
    path("reports/", views.reports, name="reports"),
    path("reports/build/", views.report_build, name="report_build"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/<str:kind>/", views.report_file, name="report_file"),
]
