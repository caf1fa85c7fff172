"""Customer accounts made for people who write in before they ever used the portal."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from helpdesk.models import Role, User

from .models import Contact, Organization


@transaction.atomic
def contact_create(*, email: str, name: str, organization: Organization) -> User:
    """A contact of `organization` with no usable password: the person sets one through the
    password reset before using the portal. The username is the address's local part, made
    unique with a number when taken."""
    first, _, last = (name or "").strip().partition(" ")
    base = slugify(email.partition("@")[0])[:100] or "contact"
    username = base
    for attempt in range(2, 100):
        try:
            with transaction.atomic():
                user = User(
                    username=username,
                    email=email,
                    first_name=first[:150],
                    last_name=last[:150],
                    role=Role.CUSTOMER,
                )
                user.set_unusable_password()
                user.save()
                Contact.objects.create(user=user, organization=organization)
                return user
        except IntegrityError:
            username = f"{base}-{attempt}"
    raise IntegrityError(f"No free username for {email}.")
