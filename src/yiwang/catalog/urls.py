from django.urls import path

from yiwang.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("resources/new/", views.resource_edit, name="resource_new"),
    path("resources/<int:resource_id>/", views.resource_detail, name="resource"),
    path("resources/<int:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:resource_id>/publish/", views.resource_publish, name="resource_publish"),
    path("resources/<int:resource_id>/retire/", views.resource_retire, name="resource_retire"),
    path(
        "resources/<int:resource_id>/negative/", views.resource_negative, name="resource_negative"
    ),
    path(
        "resources/<int:resource_id>/negative/remove/",
        views.resource_negative_remove,
        name="resource_negative_remove",
    ),
    path("departments/<int:org_id>/", views.department, name="department"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:demand_id>/decide/", views.demand_decide, name="demand_decide"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import/", views.import_xlsx, name="import"),
]
