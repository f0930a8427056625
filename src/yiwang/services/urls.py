from django.urls import path

from yiwang.services import manage_views, views

app_name = "services"
urlpatterns = [
    path("", views.search, name="search"),
    path("departments/", views.departments, name="departments"),
    path("departments/<int:org_id>/", views.department, name="department"),
    path("life-events/<str:event>/", views.life_event, name="life_event"),
    path("items/<int:item_id>/", views.guide, name="guide"),
    path("items/<int:item_id>/form/", views.application_form, name="application_form"),
    path("materials/<int:material_id>/example/", views.material_example, name="material_example"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<slug:code>/", views.theme_detail, name="theme"),
    path("manage/", manage_views.item_list, name="manage"),
    path("manage/items/new/", manage_views.item_edit, name="manage_item_new"),
    path("manage/items/<int:item_id>/", manage_views.item_detail, name="manage_item"),
    path("manage/items/<int:item_id>/edit/", manage_views.item_edit, name="manage_item_edit"),
    path("manage/items/<int:item_id>/publish/", manage_views.item_publish, name="item_publish"),
    path("manage/items/<int:item_id>/suspend/", manage_views.item_suspend, name="item_suspend"),
    path("manage/items/<int:item_id>/process/", manage_views.item_process, name="item_process"),
    path("manage/themes/new/", manage_views.theme_new, name="theme_new"),
    path("manage/themes/<slug:code>/edit/", manage_views.theme_edit, name="theme_edit"),
    path("manage/themes/<slug:code>/publish/", manage_views.theme_publish, name="theme_publish"),
    path("manage/completeness/", manage_views.completeness, name="completeness"),
    path("manage/export.xlsx", manage_views.export_xlsx, name="export"),
    path("manage/import/", manage_views.import_xlsx, name="import"),
]
