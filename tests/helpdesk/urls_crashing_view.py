"""The site's URLs plus one view that fails, to see the 500 page a visitor gets."""

from django.urls import path

from helpdesk.urls import *  # noqa: F403 - the site's error handlers too
from helpdesk.urls import urlpatterns as site_urlpatterns


def crashing_view(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("crash/", crashing_view), *site_urlpatterns]
