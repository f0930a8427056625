from django.urls import path

from yiwang.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_directory, name="organisations"),
    path("healthz", views.healthz, name="healthz"),
]
