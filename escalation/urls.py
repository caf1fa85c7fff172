from django.urls import path

from escalation import views

urlpatterns = [
    path("", views.oncall_list, name="oncall"),
    path("<int:pk>/", views.oncall_schedule, name="oncall_schedule"),
    path("<int:pk>/cover/", views.override_form, name="oncall_override_form"),
    path("<int:pk>/overrides/", views.override_add, name="oncall_override_add"),
    path(
        "<int:pk>/overrides/<int:override_id>/delete/",
        views.override_remove,
        name="oncall_override_delete",
    ),
    path("<int:pk>/notes/", views.note_add, name="oncall_note_add"),
    path("<int:pk>/feed/rotate/", views.schedule_feed_rotate, name="oncall_feed_rotate"),
    path("me/feed/rotate/", views.personal_feed_rotate, name="oncall_my_feed_rotate"),
    path("feed/<str:token>.ics", views.schedule_feed, name="oncall_feed"),
    path("me/feed/<str:token>.ics", views.personal_feed, name="oncall_my_feed"),
]
