"""The requester picker of the New ticket page (htmx partials, with plain-form fallbacks)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from helpdesk.access import agent_side_required
from tickets import services
from tickets.forms import MAX_UPLOAD_MB, TicketCreateForm
from tickets.models import Organization
from tickets.requesters import NewContactForm, requester_candidates

_PARTIAL = "tickets/ticket_new.html#requester-results"


@require_GET
@agent_side_required
def requester_search(request):
    """Contacts matching the text typed, within the chosen customer when there is one."""
    query = request.GET.get("requester", "").strip()[:100]
    organization = Organization.objects.filter(slug=request.GET.get("organization", "")).first()
    ctx = {
        "query": query,
        "organization": organization,
        "candidates": list(
            requester_candidates(request.user, query=query, organization=organization)
        )
        if query
        else [],
        "contact_form": NewContactForm(
            initial={"contact_email": query if "@" in query else ""}, auto_id="nc-%s"
        ),
    }
    return render(request, _PARTIAL, ctx)


@require_POST
@agent_side_required
def requester_create(request):
    """Make a contact for the chosen customer and pick them as the requester. Without htmx the
    whole New ticket form came along: it is shown again, as typed, with the contact picked."""
    form = NewContactForm(request.POST, auto_id="nc-%s")
    contact = None
    if form.is_valid():
        contact = services.contact_create(
            email=form.cleaned_data["contact_email"],
            name=form.cleaned_data["contact_name"],
            organization=form.cleaned_data["organization"],
        )
    if request.htmx:
        ctx = {
            "created": contact,
            "organization": form.cleaned_data.get("organization"),
            "contact_form": form if contact is None else NewContactForm(auto_id="nc-%s"),
            "show_create": contact is None,
        }
        return render(request, _PARTIAL, ctx)
    data = request.POST.copy()
    if contact is not None:
        data["requester"] = contact.email
    ticket_form = TicketCreateForm(initial=data.dict())  # shown as typed, not yet checked
    ctx = {
        "form": ticket_form,
        "nav": "new",
        "max_upload_mb": MAX_UPLOAD_MB,
        "contact_form": form,
        "created": contact,
        "show_create": contact is None,
    }
    return render(request, "tickets/ticket_new.html", ctx)
