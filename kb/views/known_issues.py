"""Agent pages of known issues: list with a status filter, detail with linked tickets and weekly
frequency, create and edit, and the follow-up message once an issue is fixed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk import markdown as md
from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from kb import selectors, services
from kb.forms import FollowUpForm, KnownIssueForm
from kb.models import KnownIssueStatus
from kb.services.known_issues import fix_message
from kb.views.articles import _add_error

PAGE = 200
WEEKS = 12


@require_GET
@agent_side_required
def known_issue_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.known_issues_with_counts(request.user).select_related("article")
    if status in KnownIssueStatus.values:
        qs = qs.filter(status=status)
    elif status != "all":
        status = ""
        qs = qs.exclude(status=KnownIssueStatus.FIXED)
    return render(
        request,
        "kb/known_issue_list.html",
        {
            "nav": "kb",
            "issues": list(qs[:PAGE]),
            "statuses": KnownIssueStatus.choices,
            "status": status,
        },
    )


def _frequency(issue) -> list[dict]:
    """Tickets linked per week, the last few weeks that had any (seed 003's frequency)."""
    rows = (
        issue.ticket_links.annotate(week=TruncWeek("linked_at"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by("-week")[:WEEKS]
    )
    rows = list(rows)
    top = max((r["n"] for r in rows), default=0)
    return [{**r, "share": round(100 * r["n"] / top) if top else 0} for r in reversed(rows)]


def _detail_ctx(request: HttpRequest, issue, **extra) -> dict:
    links = list(selectors.ticket_links_of(request.user, issue))
    pending = list(selectors.awaiting_follow_up(request.user, issue))
    return {
        "nav": "kb",
        "issue": issue,
        "symptoms_html": md.render(issue.symptoms),
        "workaround_html": md.render(issue.workaround),
        "links": links,
        "frequency": _frequency(issue),
        "pending": pending,
        "follow_up_form": FollowUpForm(initial={"message": fix_message(issue)}),
        **extra,
    }


@require_GET
@agent_side_required
def known_issue_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    issue = selectors.known_issue_get_for_user(request.user, external_id)
    return render(request, "kb/known_issue_detail.html", _detail_ctx(request, issue))


@require_http_methods(["GET", "POST"])
@agent_side_required
def known_issue_edit(request: HttpRequest, external_id: str | None = None) -> HttpResponse:
    issue = selectors.known_issue_get_for_user(request.user, external_id) if external_id else None
    form = KnownIssueForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        external = data.pop("external_id", "")
        try:
            saved = services.known_issue_save(
                actor=request.user, issue=issue, external_id=external, **data
            )
        except (DomainError, ValidationError) as exc:
            _add_error(form, exc)
        else:
            if issue and issue.status != saved.status == KnownIssueStatus.FIXED:
                messages.success(request, "Marked fixed: tell the customers of its tickets below.")
            else:
                messages.success(request, "Known issue saved.")
            return redirect(saved.get_absolute_url())
    return render(request, "kb/known_issue_form.html", {"nav": "kb", "form": form, "issue": issue})


@require_POST
@agent_side_required
def known_issue_follow_up(request: HttpRequest, external_id: str) -> HttpResponse:
    issue = selectors.known_issue_get_for_user(request.user, external_id)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        ctx = _detail_ctx(request, issue, follow_up_form=form)
        return render(request, "kb/known_issue_detail.html", ctx, status=400)
    try:
        result = services.known_issue_follow_up(
            issue=issue, actor=request.user, message=form.cleaned_data["message"]
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        ctx = _detail_ctx(request, issue, follow_up_form=form)
        return render(request, "kb/known_issue_detail.html", ctx, status=400)
    if result.sent:
        messages.success(
            request,
            f"Sent to {len(result.sent)} ticket{'s' if len(result.sent) != 1 else ''}: "
            + ", ".join(result.sent),
        )
    else:
        messages.info(request, "Every linked ticket had already been told.")
    for key, reason in result.failed.items():
        messages.error(request, f"{key}: {reason}")
    return redirect(issue.get_absolute_url())
