"""Closed is final (docs/decisions.md), so the closing templates no longer tell the customer to
reopen or to reply on a closed ticket: they say to open a new ticket that mentions this one.

Only a template still as installed is rewritten; one a manager has edited is theirs.
"""

import importlib

from django.db import migrations

SIGN_OFF = """Best regards,
{{ agent_name }}
Support Engineering Team"""

NEW_BODIES = {
    "close-configuration": """Hi {{ customer_name }},

This appears to be a configuration issue rather than a platform bug. [Specific explanation of \
what's wrong]. Please review our documentation at [link] and try again.

If you continue to experience issues after making these changes, please open a new ticket that \
mentions {{ ticket_key }}, with the updated request details, and we'll pick it up from there.

""" + SIGN_OFF,
    "close-expected-behaviour": """Hi {{ customer_name }},

This is expected behavior based on our API design. [Explanation of why this is correct]. Our \
documentation at [link] explains this behavior in detail.

If you have concerns about this design decision, please open a new ticket that mentions \
{{ ticket_key }} and we can discuss alternatives or raise it as a feature request.

""" + SIGN_OFF,
    "known-issue-workaround": """Hi {{ customer_name }},

This is a known issue with [component/version]. The recommended workaround is [workaround].

We're tracking this issue in our known issues database and will let you know when a fix is \
available. If the workaround does not help, please open a new ticket that mentions \
{{ ticket_key }}.

""" + SIGN_OFF,
}


def _installed_bodies() -> dict[str, str]:
    installed = importlib.import_module("tickets.migrations.0006_reply_templates")
    return {slug: body for _position, slug, _name, body in installed.TEMPLATES}


def _swap(apps, *, old: dict[str, str], new: dict[str, str]) -> None:
    ReplyTemplate = apps.get_model("tickets", "ReplyTemplate")
    for slug, body in new.items():
        ReplyTemplate.objects.filter(slug=slug, body=old[slug]).update(body=body)


def forwards(apps, schema_editor):
    _swap(apps, old=_installed_bodies(), new=NEW_BODIES)


def backwards(apps, schema_editor):
    installed = _installed_bodies()
    _swap(apps, old=NEW_BODIES, new={slug: installed[slug] for slug in NEW_BODIES})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0017_replytemplate_on_security_tickets")]

    operations = [migrations.RunPython(forwards, backwards)]
