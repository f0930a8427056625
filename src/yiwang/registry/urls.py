from django.urls import path

from yiwang.registry import views

app_name = "registry"
urlpatterns = [
    path("resources/<int:resource_id>/loads/", views.resource_loads, name="loads"),
    path("resources/<int:resource_id>/records/", views.records, name="records"),
    path("loads/<uuid:load_id>/", views.load_detail, name="load"),
    path("loads/<uuid:load_id>/status/", views.load_status, name="load_status"),
    path("loads/<uuid:load_id>/errors.csv", views.load_errors_csv, name="load_errors"),
    path("loads/<uuid:load_id>/rerun/", views.load_rerun, name="load_rerun"),
    path("quality/", views.quality_overview, name="quality"),
]
