"""The New ticket page's requester picker: contacts found by name or email, and a new contact
made on the spot for a known organization. Reads go through the access policy's
`contacts_visible_to`; the contact itself is made by `tickets.services.contact_create`."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet

from helpdesk.models import User

from .models import Contact, Organization
from .selectors import contacts_visible_to

PICKER_LIMIT = 10


def requester_candidates(
    user: User, *, query: str, organization: Organization | None = None
) -> QuerySet[Contact]:
    """Active contacts the user may see matching every word typed (name, email or username),
    within the organization when one is chosen; at most PICKER_LIMIT, by name."""
    contacts = contacts_visible_to(user).filter(user__is_active=True)
    if organization is not None:
        contacts = contacts.filter(organization=organization)
    for word in query.split()[:4]:
        contacts = contacts.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
            | Q(user__username__icontains=word)
        )
    return contacts.order_by("user__first_name", "user__last_name", "pk")[:PICKER_LIMIT]


class NewContactForm(forms.Form):
    """A contact made while opening a ticket for them: a name and an address, for the customer
    chosen on the page."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        to_field_name="slug",
        error_messages={"required": "Choose the customer first: the new contact belongs to it."},
    )
    contact_name = forms.CharField(max_length=150, label="Name")
    contact_email = forms.EmailField(max_length=254, label="Email")

    def clean(self):
        data = super().clean()
        organization, email = data.get("organization"), data.get("contact_email")
        if organization and email:
            taken = Contact.objects.filter(organization=organization, user__email__iexact=email)
            if taken.exists():
                self.add_error(
                    "contact_email",
                    f"{email} is already a contact of {organization.name}: pick them above.",
                )
        return data
