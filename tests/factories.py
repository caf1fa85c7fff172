"""factory_boy factories. Tickets and comments are made through the real services."""

from __future__ import annotations

import factory

from helpdesk.models import Role, User
from tickets import services
from tickets.choices import Tier
from tickets.models import AgentProfile, Contact, Organization, Team

PASSWORD = "pass-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    tier = Tier.BUSINESS


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


def make_agent(*, role: str = Role.AGENT, tier: int = 1, teams=(), **kwargs) -> User:
    user = UserFactory(role=role, **kwargs)
    AgentProfile.objects.create(user=user, support_tier=tier)
    for team in teams:
        team.members.add(user)
    return user


def make_contact(organization: Organization | None = None, **kwargs) -> User:
    user = UserFactory(role=Role.CUSTOMER, **kwargs)
    Contact.objects.create(user=user, organization=organization or OrganizationFactory())
    return user


def make_ticket(*, actor: User | None = None, organization: Organization | None = None, **fields):
    organization = organization or OrganizationFactory()
    actor = actor or make_agent()
    fields.setdefault("title", "Something is broken")
    return services.ticket_create(actor=actor, organization=organization, **fields)
