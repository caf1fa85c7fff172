"""The playbook's reply templates (seeds 000, 002 and 003), in Markdown.

Variables are filled from the ticket by tickets.replies; bracketed blanks such as `[Key finding 1]`
are for the agent to complete before sending. Managers edit or add templates in the admin; this
migration only installs the ones that are missing, and removes only those it installed.
"""

from django.db import migrations

SIGN_OFF = """Best regards,
{{ agent_name }}
Support Engineering Team"""

TEMPLATES = [
    # position, slug, name, body
    (
        10,
        "initial-response",
        "Initial response",
        """Hi {{ customer_name }},

Thank you for reporting this issue. We've received your report and are investigating immediately.

**Ticket**: {{ ticket_key }}
**Issue**: {{ ticket_title }}
**Status**: {{ status }}
**Severity**: {{ severity }}
**Expected update**: {{ next_update }}

We'll keep you updated on this ticket until it is resolved.

""" + SIGN_OFF,
    ),
    (
        20,
        "status-update",
        "Status update",
        """Hi {{ customer_name }},

Here is the latest on {{ ticket_key }}: {{ ticket_title }}

**Current status**: {{ status|upper }}

**What we know**
- [Key finding 1]
- [Key finding 2]

**What we're doing**
- [Action 1]
- [Action 2]

**Next steps**
- [Step 1 - ETA]
- [Step 2 - ETA]

**Workaround**
[If available]

**Expected resolution**: [Time estimate]

**Next update**: {{ next_update }}

""" + SIGN_OFF,
    ),
    (
        30,
        "resolution",
        "Resolution",
        """Hi {{ customer_name }},

{{ ticket_key }} is now **RESOLVED**: we've successfully resolved the issue you reported.

**Issue**: {{ ticket_title }}

**What was wrong**
[Clear explanation of the root cause]

**What we fixed**
[Solution implemented]

**Verification**
[How we verified it's fixed]

**What you need to do**
[Action items for the customer]

**Prevention**
[Steps taken to prevent recurrence]

If you continue to experience issues, please let us know immediately by replying to this ticket; \
otherwise please confirm the resolution so we can close it.

""" + SIGN_OFF,
    ),
    (
        40,
        "information-request",
        "Information request",
        """Hi {{ customer_name }},

Thank you for reporting this issue. To investigate {{ ticket_key }} further, we need:

1. **Timestamp**: Exact date/time of the error (with timezone)
2. **Request ID**: From the `X-Request-Id` response header if available
3. **Error Response**: Complete error response body
4. **Request Details**: Endpoint, method, and sanitized request body
5. **Reproducibility**: Is this consistent or intermittent?

[If version-related suspected:]
6. **Versions**: FastAPI, Python, and any relevant library versions

Please remove API keys, tokens and passwords from anything you send us.

""" + SIGN_OFF,
    ),
    (
        50,
        "close-configuration",
        "Close as configuration error",
        """Hi {{ customer_name }},

This appears to be a configuration issue rather than a platform bug. [Specific explanation of \
what's wrong]. Please review our documentation at [link] and try again.

If you continue to experience issues after making these changes, please reopen \
{{ ticket_key }} with the updated request details.

""" + SIGN_OFF,
    ),
    (
        60,
        "close-expected-behaviour",
        "Close as expected behaviour",
        """Hi {{ customer_name }},

This is expected behavior based on our API design. [Explanation of why this is correct]. Our \
documentation at [link] explains this behavior in detail.

If you have concerns about this design decision, please let us know on {{ ticket_key }} and we \
can discuss alternatives or raise it as a feature request.

""" + SIGN_OFF,
    ),
    (
        70,
        "known-issue-workaround",
        "Known issue with workaround",
        """Hi {{ customer_name }},

This is a known issue with [component/version]. The recommended workaround is [workaround].

We're tracking this issue and will update you on {{ ticket_key }} when a fix is available. For \
reference, this is documented in our internal known issues database.

""" + SIGN_OFF,
    ),
]


def install(apps, schema_editor):
    ReplyTemplate = apps.get_model("tickets", "ReplyTemplate")
    for position, slug, name, body in TEMPLATES:
        if ReplyTemplate.objects.filter(slug=slug).exists() or ReplyTemplate.objects.filter(
            name=name
        ).exists():
            continue
        ReplyTemplate.objects.create(
            slug=slug, name=name, body=body, position=position, is_internal=False, is_active=True
        )


def uninstall(apps, schema_editor):
    ReplyTemplate = apps.get_model("tickets", "ReplyTemplate")
    for _position, slug, _name, body in TEMPLATES:
        # A template a manager has since edited is theirs now: keep it.
        ReplyTemplate.objects.filter(slug=slug, body=body).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_ticket_sla_calendar")]

    operations = [migrations.RunPython(install, uninstall)]
