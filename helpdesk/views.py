from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk import clock
from helpdesk import notifications as notices
from helpdesk.errors import DomainError

NOTIFICATIONS_SHOWN = 100
BELL_SHOWN = 8


@require_GET
@login_required
def home(request):
    """Agents land on their queue, customers on their organization's tickets."""
    return redirect("queue" if request.user.is_agent_side else "portal")


def _bell_panel(request):
    items = notices.visible_to(request.user).order_by("-created_at")[:BELL_SHOWN]
    return render(request, "helpdesk/notifications.html#bell-items", {"items": items, "oob": True})


@require_GET
@login_required
def notifications(request):
    """The full list; the bell's panel (the same notices, fewer) when the bell asks for it."""
    if request.htmx and request.htmx.target == "bell-panel":
        return _bell_panel(request)
    items = notices.visible_to(request.user).order_by("-created_at")[:NOTIFICATIONS_SHOWN]
    return render(request, "helpdesk/notifications.html", {"items": items, "nav": "notifications"})


@require_POST
@login_required
def notification_open(request, pk: int):
    """Mark one as read and follow its link."""
    note = notices.visible_to(request.user).filter(pk=pk).first()
    if note is None:
        return redirect("notifications")
    if note.read_at is None:
        type(note).objects.filter(pk=pk).update(read_at=clock.now())
    target = note.url if url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) else "/"
    return redirect(target or "notifications")


@require_POST
@login_required
def notifications_read_all(request):
    notices.visible_to(request.user).filter(read_at__isnull=True).update(read_at=clock.now())
    if request.htmx and request.htmx.target == "bell-panel":
        return _bell_panel(request)
    return redirect("notifications")


class EmailPreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label="Also email me when",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_kinds"].choices = [(k.key, k.label) for k in notices.kinds_for(user)]


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request):
    """Which notices also come by email. Every notice is in the bell either way."""
    user = request.user
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST, user=user)
        if form.is_valid():
            try:
                notices.email_preferences_set(
                    user=user, email_kinds=form.cleaned_data["email_kinds"]
                )
            except DomainError as exc:
                form.add_error("email_kinds", exc.message)
            else:
                messages.success(request, "Your email preferences are saved.")
                return redirect("notification_settings")
    else:
        chosen = notices.email_preferences(user)
        form = EmailPreferencesForm(
            initial={"email_kinds": [k for k, on in chosen.items() if on]}, user=user
        )
    ctx = {"form": form, "nav": "notifications"}
    return render(request, "helpdesk/notification_settings.html", ctx)
