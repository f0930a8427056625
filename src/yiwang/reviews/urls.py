from django.urls import path

from yiwang.reviews import views

app_name = "reviews"
urlpatterns = [
    path("reviews/cases/<str:number>/rate/", views.rate, name="rate"),
    path("reviews/cases/<str:number>/rating-code/", views.send_code, name="send_code"),
    path("reviews/rectifications/", views.rectifications, name="rectifications"),
    path("reviews/rectifications/<int:rectification_id>/reply/", views.reply, name="reply"),
    path("reviews/rectifications/<int:rectification_id>/confirm/", views.confirm, name="confirm"),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
]
