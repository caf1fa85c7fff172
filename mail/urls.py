from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("held/", views.held_list, name="held"),
    path("held/<int:pk>/", views.held_detail, name="held_detail"),
    path("held/<int:pk>/raw/", views.held_raw, name="held_raw"),
    path("held/<int:pk>/retry/", views.held_retry, name="held_retry"),
    path("held/<int:pk>/discard/", views.held_discard, name="held_discard"),
]
