from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from helpdesk import clock
from helpdesk.models import Notification

NOTIFICATIONS_SHOWN = 100


@require_GET
@login_required
def home(request):
    """Agents land on their queue, customers on their organization's tickets."""
    return redirect("queue" if request.user.is_agent_side else "portal")


@require_GET
@login_required
def notifications(request):
    items = Notification.objects.filter(user=request.user).order_by("-created_at")[
        :NOTIFICATIONS_SHOWN
    ]
    return render(request, "helpdesk/notifications.html", {"items": items, "nav": "notifications"})


@require_POST
@login_required
def notification_open(request, pk: int):
    """Mark one as read and follow its link."""
    note = Notification.objects.filter(pk=pk, user=request.user).first()
    if note is None:
        return redirect("notifications")
    if note.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=clock.now())
    target = note.url if url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) else "/"
    return redirect(target or "notifications")


@require_POST
@login_required
def notifications_read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=clock.now())
    return redirect("notifications")
