"""The search's pages under /search/ (/search/ itself is the top bar's ticket search): the
agents' search, suggestions and the usage figures."""

from django.urls import path

from kb.search import views

app_name = "search"
urlpatterns = [
    path("all/", views.search_page, name="all"),
    path("usage/", views.usage_page, name="usage"),
    path("suggest/tickets/<str:key>/", views.suggest_composer, name="suggest_composer"),
    path("suggest/new-ticket/", views.suggest_portal, name="suggest_portal"),
    path("suggested/<slug:slug>/", views.open_suggested, name="open_suggested"),
]
