from django.urls import path

from yiwang.core import views

app_name = "core"
urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("clients/", views.client_list, name="clients"),
    path("clients/<int:client_id>/keys/", views.client_issue_key, name="client_issue_key"),
    path(
        "clients/<int:client_id>/keys/<int:key_id>/revoke/",
        views.client_revoke_key,
        name="client_revoke_key",
    ),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/progress/", views.job_progress, name="job_progress"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
]
