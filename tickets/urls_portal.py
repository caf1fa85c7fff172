from django.urls import path

from tickets.views import followers, followup, portal

urlpatterns = [
    path("", portal.portal, name="portal"),
    path("new/", portal.portal_new, name="portal_new"),
    path("tickets/<str:key>/", portal.portal_ticket, name="portal_ticket"),
    path("tickets/<str:key>/reply/", portal.portal_reply, name="portal_reply"),
    path("tickets/<str:key>/confirm/", portal.portal_confirm, name="portal_confirm"),
    path("tickets/<str:key>/reopen/", portal.portal_reopen, name="portal_reopen"),
    path("tickets/<str:key>/follow-up/", followup.portal_follow_up, name="portal_follow_up"),
    path("tickets/<str:key>/cc/", followers.portal_cc_search, name="portal_cc_search"),
    path("tickets/<str:key>/cc/add/", followers.portal_cc_add, name="portal_cc_add"),
    path("tickets/<str:key>/cc/remove/", followers.portal_cc_remove, name="portal_cc_remove"),
]
