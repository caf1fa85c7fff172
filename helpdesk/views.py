from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@require_GET
@login_required
def home(request):
    """Agents land on their queue, customers on their organization's tickets."""
    return redirect("queue" if request.user.is_agent_side else "portal")
