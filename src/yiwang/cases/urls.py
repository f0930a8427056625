from django.urls import path

from yiwang.cases import views

app_name = "cases"
urlpatterns = [
    path("apply/<int:item_id>/", views.apply, name="apply"),
    path("apply/theme/<slug:code>/", views.apply_theme, name="apply_theme"),
    path("mine/", views.mine, name="mine"),
    path("mine/messages/read/", views.messages_read, name="messages_read"),
    path("window/", views.window, name="window"),
    path("window/register/<int:item_id>/", views.walk_in, name="walk_in"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:task_id>/complete/", views.complete, name="complete"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/accept/", views.accept, name="accept"),
    path("<str:number>/correction/", views.correction, name="correction"),
    path("<str:number>/refuse/", views.refuse, name="refuse"),
    path("<str:number>/review-correction/", views.review_correction, name="review_correction"),
    path("<str:number>/materials/<int:material_id>/", views.material_file, name="material_file"),
    path("<str:number>/corrected/", views.corrected, name="corrected"),
    path("<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:number>/special/", views.special, name="special"),
    path("<str:number>/special/end/", views.special_end, name="special_end"),
]
