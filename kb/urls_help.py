"""The customers' help centre (/help/)."""

from django.urls import path

from kb.views import help_centre

app_name = "help"
urlpatterns = [
    path("", help_centre.help_home, name="home"),
    path("category/<slug:category>/", help_centre.help_category, name="category"),
    path("articles/<slug:slug>/", help_centre.help_article, name="article"),
    path("articles/<slug:slug>/vote/", help_centre.help_vote, name="vote"),
]
