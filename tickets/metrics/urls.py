from django.urls import path

from .mywork import my_work
from .panels import PANELS, panel_view

app_name = "metrics"

urlpatterns = [
    path("my-work/", my_work, name="my_work"),
    *(
        path(f"{name.replace('_', '-')}/", panel_view(build), name=name)
        for name, _, build in PANELS
    ),
]
