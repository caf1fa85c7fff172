"""The postmortem pages: the list, the editor (sections, timeline, action items saved with htmx),
the state transitions, the customer summary, the Markdown export and the print view."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from helpdesk import clock
from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from helpdesk.models import AGENT_SIDE_ROLES, Role, User

from . import blameless, selectors, services
from .export import to_markdown
from .forms import (
    ActionForm,
    EntryAddForm,
    EntryForm,
    ListFilterForm,
    OwnerForm,
    SectionForm,
    SubmitForm,
)
from .impact import impact
from .models import SECTIONS, ActionKind, ActionStatus, State

LIST_LIMIT = 200


def _names() -> list[str]:
    """Names of the people on the support side, for the blameless check of the root cause."""
    names = []
    rows = User.objects.filter(role__in=AGENT_SIDE_ROLES).values_list("first_name", "last_name")
    for first, last in rows:
        names += [f"{first} {last}".strip(), first, last]
    return names


def _warnings(postmortem) -> list[blameless.LanguageWarning]:
    sections = {field: getattr(postmortem, field) for field, _, _ in SECTIONS}
    return blameless.check(sections, names=_names())


@require_GET
@agent_side_required
def postmortem_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET)
    now = clock.now()
    qs = selectors.postmortems_visible_to(request.user)
    state = overdue = None
    if form.is_valid():
        state, overdue = form.cleaned_data["state"], form.cleaned_data["overdue"]
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = selectors.overdue(qs, now)
    rows = list(
        qs.select_related("ticket", "owner", "reviewer").order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    ctx = {
        "nav": "postmortems",
        "form": form,
        "postmortems": rows,
        "state": state or "",
        "overdue": bool(overdue),
        "states": State.choices,
        "now": now,
        "overdue_actions": selectors.overdue_actions(request.user, now).count(),
    }
    return render(request, "postmortems/list.html", ctx)


def _detail_ctx(request, postmortem, **extra) -> dict:
    ticket = postmortem.ticket
    now = clock.now()
    ctx = {
        "nav": "postmortems",
        "pm": postmortem,
        "ticket": ticket,
        "impact": impact(ticket),
        "sections": [
            {"field": f, "title": t, "help": h, "text": getattr(postmortem, f)}
            for f, t, h in SECTIONS
        ],
        "entries": list(postmortem.entries.all()),
        "actions": list(postmortem.actions.select_related("owner")),
        "changes": list(postmortem.changes.select_related("actor")),
        "warnings": _warnings(postmortem),
        "editable": postmortem.state != State.PUBLISHED,
        "action_kinds": ActionKind.choices,
        "action_statuses": ActionStatus.choices,
        "submit_form": SubmitForm(),
        "owner_form": OwnerForm(
            initial={"owner": postmortem.owner.username if postmortem.owner else ""}
        ),
        "now": now,
        "due": postmortem.due_at(),
        "overdue": postmortem.due_at() is not None and postmortem.due_at() < now,
        "can_publish": postmortem.state == State.IN_REVIEW
        and (
            request.user.pk == postmortem.reviewer_id
            or request.user.role in (Role.MANAGER, Role.ADMIN)
        ),
    }
    ctx.update(extra)
    return ctx


@require_GET
@agent_side_required
def postmortem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    return render(request, "postmortems/detail.html", _detail_ctx(request, postmortem))


@require_POST
@agent_side_required
def section_save(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    form = SectionForm(request.POST)
    error = ""
    text = request.POST.get("text", "")
    if form.is_valid():
        try:
            postmortem = services.postmortem_save_section(
                postmortem=postmortem,
                field=field,
                text=form.cleaned_data["text"],
                actor=request.user,
                now=clock.now(),
            )
            text = getattr(postmortem, field)
        except DomainError as exc:
            error = exc.message
    else:
        error = "; ".join(form.errors.get("text", [])) or "This text could not be saved."
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("postmortems:detail", args=[pk]) + f"#section-{field}")
    titles = {f: (t, h) for f, t, h in SECTIONS}
    title, help_text = titles.get(field, ("Customer summary", ""))
    ctx = _detail_ctx(
        request,
        postmortem,
        section={"field": field, "title": title, "help": help_text, "text": text},
        error=error,
        saved=not error,
        oob_warnings=True,
    )
    # The warnings above the document follow the text just saved (an out-of-band swap).
    html = render_to_string("postmortems/detail.html#section", ctx, request=request)
    html += render_to_string("postmortems/detail.html#warnings", ctx, request=request)
    return HttpResponse(html)


def _back(request, pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("postmortems:detail", args=[pk]) + anchor)


def _flag(value: str | None) -> bool | None:
    return None if value in (None, "") else value in ("1", "true", "on")


@require_POST
@agent_side_required
def entry_update(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    entry = postmortem.entries.filter(pk=entry_id).first()
    if entry is None:
        return HttpResponse(status=404)
    form = EntryForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            entry = services.timeline_entry_update(
                entry=entry,
                actor=request.user,
                now=clock.now(),
                text=request.POST.get("text") if "text" in request.POST else None,
                starred=_flag(request.POST.get("starred")),
                hidden=_flag(request.POST.get("hidden")),
            )
        except DomainError as exc:
            error = exc.message
    else:
        error = "An entry holds at most 500 characters."
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _back(request, pk, "#timeline")
    ctx = _detail_ctx(request, postmortem, entry=entry, error=error)
    return render(request, "postmortems/detail.html#entry", ctx)


@require_POST
@agent_side_required
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    form = EntryAddForm(request.POST)
    if form.is_valid():
        try:
            services.timeline_entry_add(
                postmortem=postmortem,
                at=form.cleaned_data["at"],
                text=form.cleaned_data["text"],
                actor=request.user,
                now=clock.now(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Give the time (UTC) and what happened.")
    return _back(request, pk, "#timeline")


def _action_response(request, postmortem, *, error: str = "") -> HttpResponse:
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _back(request, postmortem.pk, "#actions")
    postmortem = selectors.postmortem_get_for_user(request.user, postmortem.pk)
    return render(
        request,
        "postmortems/detail.html#actions",
        _detail_ctx(request, postmortem, action_error=error),
    )


def _form_error(form) -> str:
    return " ".join(f"{field}: {'; '.join(errs)}" for field, errs in form.errors.items())


@require_POST
@agent_side_required
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _action_response(request, postmortem, error=_form_error(form))
    try:
        services.action_add(
            postmortem=postmortem,
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
            owner=form.cleaned_data["owner"],
            due_at=form.due_at(),
            link=form.cleaned_data["link"],
            actor=request.user,
            now=clock.now(),
        )
    except DomainError as exc:
        return _action_response(request, postmortem, error=exc.message)
    return _action_response(request, postmortem)


@require_POST
@agent_side_required
def action_update(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    item = postmortem.actions.filter(pk=item_id).first()
    if item is None:
        return HttpResponse(status=404)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _action_response(request, postmortem, error=_form_error(form))
    try:
        services.action_update(
            item=item,
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
            owner=form.cleaned_data["owner"],
            due_at=form.due_at() or item.due_at,
            link=form.cleaned_data["link"],
            status=form.cleaned_data["status"] or item.status,
            actor=request.user,
            now=clock.now(),
        )
    except DomainError as exc:
        return _action_response(request, postmortem, error=exc.message)
    return _action_response(request, postmortem)


def _transition(request, pk: int, run) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    try:
        message = run(postmortem)
        if message:
            messages.success(request, message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, pk)


@require_POST
@agent_side_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    def run(postmortem):
        form = SubmitForm(request.POST)
        if not form.is_valid():
            raise DomainError("Choose a reviewer.")
        reviewer = form.cleaned_data["reviewer"]
        services.postmortem_submit(
            postmortem=postmortem, reviewer=reviewer, actor=request.user, now=clock.now()
        )
        return f"Submitted for review to {reviewer.display_name}."

    return _transition(request, pk, run)


@require_POST
@agent_side_required
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    def run(postmortem):
        services.postmortem_return_to_draft(
            postmortem=postmortem, actor=request.user, now=clock.now()
        )
        return "Back to draft."

    return _transition(request, pk, run)


@require_POST
@agent_side_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    def run(postmortem):
        services.postmortem_publish(postmortem=postmortem, actor=request.user, now=clock.now())
        return "Published."

    return _transition(request, pk, run)


@require_POST
@agent_side_required
def set_owner(request: HttpRequest, pk: int) -> HttpResponse:
    def run(postmortem):
        form = OwnerForm(request.POST)
        if not form.is_valid():
            raise DomainError("Choose someone on the support side.")
        services.postmortem_set_owner(
            postmortem=postmortem,
            owner=form.cleaned_data["owner"],
            actor=request.user,
            now=clock.now(),
        )
        return "Owner changed."

    return _transition(request, pk, run)


@require_POST
@agent_side_required
def send_summary(request: HttpRequest, pk: int) -> HttpResponse:
    def run(postmortem):
        sent = services.postmortem_send_customer_summary(
            postmortem=postmortem, actor=request.user, now=clock.now()
        )
        return f"Sent to the customers of {', '.join(sent)}." if sent else "No open ticket to tell."

    return _transition(request, pk, run)


@require_GET
@agent_side_required
def export_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    response = HttpResponse(to_markdown(postmortem), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="postmortem-{postmortem.ticket.key}.md"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@agent_side_required
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = selectors.postmortem_get_for_user(request.user, pk)
    ctx = _detail_ctx(request, postmortem)
    ctx["entries"] = [e for e in ctx["entries"] if not e.hidden]
    return render(request, "postmortems/print.html", ctx)


@require_GET
@agent_side_required
def overdue_actions(request: HttpRequest) -> HttpResponse:
    """Open action items past their due date, grouped by the team of the ticket."""
    items = list(selectors.overdue_actions(request.user, clock.now())[:500])
    groups: dict[str, list] = {}
    for item in items:
        team = item.postmortem.ticket.team
        groups.setdefault(team.name if team else "No team", []).append(item)
    ctx = {"nav": "postmortems", "groups": sorted(groups.items()), "now": clock.now()}
    return render(request, "postmortems/overdue_actions.html", ctx)
