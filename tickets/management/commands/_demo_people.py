"""The demo's people: support teams and agents (with the demo logins) and customer
organizations with their contacts. Reused when they exist, so the command can run again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpdesk.models import Role, User
from tickets.choices import Tier
from tickets.models import AgentProfile, Contact, Organization, Team

DEMO_PASSWORD = "demo"

TEAMS = [
    # name, slug, is_security, lead
    ("Tier 1 Support", "tier-1-support", False, "jamie.chen"),
    ("Tier 2 Support", "tier-2-support", False, "priya.raman"),
    ("Engineering", "engineering", False, "nina.petrova"),
    ("Security", "security", True, "tomas.silva"),
]
# First-line support hears of every new ticket nobody owns yet (the triage team).
TRIAGE_TEAM = "tier-1-support"
STAFF = [
    # username, first name, last name, role, support tier, team slugs, demo login
    ("agent", "Alex", "Morgan", Role.AGENT, 1, ["tier-1-support"], True),
    ("jamie.chen", "Jamie", "Chen", Role.AGENT, 1, ["tier-1-support"], False),
    ("sofia.alvarez", "Sofia", "Alvarez", Role.AGENT, 1, ["tier-1-support"], False),
    ("marcus.reed", "Marcus", "Reed", Role.AGENT, 1, ["tier-1-support"], False),
    ("priya.raman", "Priya", "Raman", Role.AGENT, 2, ["tier-2-support"], False),
    ("liam.oconnor", "Liam", "O'Connor", Role.AGENT, 2, ["tier-2-support"], False),
    ("hannah.becker", "Hannah", "Becker", Role.AGENT, 2, ["tier-2-support"], False),
    ("engineer", "Sam", "Okafor", Role.ENGINEER, 3, ["engineering", "security"], True),
    ("nina.petrova", "Nina", "Petrova", Role.ENGINEER, 3, ["engineering"], False),
    ("tomas.silva", "Tomás", "Silva", Role.ENGINEER, 3, ["security"], False),
    ("manager", "Morgan", "Ellis", Role.MANAGER, 2, [], True),
    ("admin", "Jordan", "Avery", Role.ADMIN, 3, [], True),
]
ORGANIZATIONS = [
    # name, slug, tier, domain, contacts (first, last, job title); Acme's first is `customer`
    (
        "Acme Corp",
        "acme",
        Tier.ENTERPRISE,
        "acme.com",
        [
            ("Dana", "Whitfield", "IT Operations Lead"),
            ("Raj", "Patel", "Platform Engineer"),
            ("Emily", "Novak", "Engineering Manager"),
        ],
    ),
    (
        "Northwind Traders",
        "northwind",
        Tier.ENTERPRISE,
        "northwind.example",
        [
            ("Oliver", "Grant", "CTO"),
            ("Mei", "Tanaka", "Backend Developer"),
            ("Carlos", "Mendes", "SRE"),
            ("Aisha", "Bello", "Integration Engineer"),
        ],
    ),
    (
        "Contoso Bank",
        "contoso-bank",
        Tier.ENTERPRISE,
        "contoso-bank.example",
        [
            ("Henrik", "Larsen", "Head of Payments"),
            ("Fatima", "Zahra", "Security Engineer"),
            ("Peter", "Walsh", "Developer"),
        ],
    ),
    (
        "Globex Logistics",
        "globex-logistics",
        Tier.ENTERPRISE,
        "globex.example",
        [("Lucia", "Romano", "Platform Lead"), ("Daniel", "Kim", "DevOps Engineer")],
    ),
    (
        "Fabrikam Retail",
        "fabrikam",
        Tier.BUSINESS,
        "fabrikam.example",
        [
            ("Grace", "Liu", "Lead Developer"),
            ("Tom", "Becker", "Product Owner"),
            ("Nora", "Haddad", "Developer"),
        ],
    ),
    (
        "Tailspin Travel",
        "tailspin",
        Tier.BUSINESS,
        "tailspin.example",
        [("Ethan", "Brooks", "Engineering Manager"), ("Zoe", "Martin", "Developer")],
    ),
    (
        "Wingtip Payments",
        "wingtip",
        Tier.BUSINESS,
        "wingtip.example",
        [
            ("Samuel", "Adeyemi", "CTO"),
            ("Ingrid", "Holm", "Backend Developer"),
            ("Victor", "Costa", "QA Engineer"),
        ],
    ),
    (
        "Lumen Analytics",
        "lumen",
        Tier.BUSINESS,
        "lumen.example",
        [("Hiro", "Sato", "Data Engineer"), ("Chloe", "Dubois", "Developer")],
    ),
    (
        "Bluebird Health",
        "bluebird",
        Tier.BUSINESS,
        "bluebird.example",
        [
            ("Amara", "Okoye", "Integration Lead"),
            ("James", "Whitaker", "Developer"),
            ("Elena", "Popescu", "Compliance Officer"),
        ],
    ),
    (
        "Pixel & Pine",
        "pixel-and-pine",
        Tier.FREE,
        "pixelandpine.example",
        [("Leo", "Fischer", "Founder"), ("Maya", "Singh", "Developer")],
    ),
    (
        "Tinker Labs",
        "tinker-labs",
        Tier.FREE,
        "tinkerlabs.example",
        [("Noah", "Williams", "Developer"), ("Ava", "Johansson", "Student")],
    ),
    (
        "Sparrow Apps",
        "sparrow-apps",
        Tier.FREE,
        "sparrowapps.example",
        [("Isabel", "Ruiz", "Mobile Developer"), ("Kwame", "Mensah", "Developer")],
    ),
]


@dataclass
class Cast:
    staff: dict[str, User]
    teams: dict[str, Team]
    organizations: list[Organization]
    contacts: dict[int, list[User]]  # organization id -> contacts
    customer: User
    acme: Organization
    created_logins: set[str] = field(default_factory=set)

    def tier(self, n: int) -> list[User]:
        return [
            u
            for u in self.staff.values()
            if u.agent_profile.support_tier == n and u.role in (Role.AGENT, Role.ENGINEER)
        ]

    def team_members(self, slug: str) -> list[User]:
        return [u for u in self.staff.values() if slug in _TEAMS_OF[u.username]]


_TEAMS_OF = {username: teams for username, *_rest, teams, _login in STAFF}


def _user(
    username: str, *, first: str, last: str, email: str, role: str, login: bool, **flags: Any
) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": email, "role": role, **flags},
    )
    if created:
        if login:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
    return user, created


def people() -> Cast:
    teams = {}
    for name, slug, is_security, _lead in TEAMS:
        teams[slug], _ = Team.objects.get_or_create(
            name=name, defaults={"slug": slug, "is_security": is_security}
        )
    staff: dict[str, User] = {}
    created_logins: set[str] = set()
    for username, first, last, role, tier, team_slugs, login in STAFF:
        flags = {"is_staff": True, "is_superuser": True} if role == Role.ADMIN else {}
        user, created = _user(
            username,
            first=first,
            last=last,
            email=f"{username}@helpdesk.example",
            role=role,
            login=login,
            **flags,
        )
        if created and login:
            created_logins.add(username)
        AgentProfile.objects.get_or_create(user=user, defaults={"support_tier": tier})
        for slug in team_slugs:
            teams[slug].members.add(user)
        staff[username] = user
    for _name, slug, _security, lead in TEAMS:
        if teams[slug].lead_id is None:
            teams[slug].lead = staff[lead]
            teams[slug].save(update_fields=["lead"])
    # Only when no team triages yet: another team an admin chose keeps the role.
    if not Team.objects.filter(is_triage=True).exists():
        teams[TRIAGE_TEAM].is_triage = True
        teams[TRIAGE_TEAM].save(update_fields=["is_triage"])

    organizations, contacts = [], {}
    customer = acme = None
    for name, slug, tier, domain, people in ORGANIZATIONS:
        org, _ = Organization.objects.get_or_create(
            slug=slug, defaults={"name": name, "tier": tier, "domain": domain}
        )
        organizations.append(org)
        contacts[org.pk] = []
        for position, (first, last, job_title) in enumerate(people):
            is_demo = slug == "acme" and position == 0
            email = "support@acme.com" if is_demo else f"{first}.{last}@{domain}".lower()
            user, created = _user(
                "customer" if is_demo else email,
                first=first,
                last=last,
                email=email,
                role=Role.CUSTOMER,
                login=is_demo,
            )
            if created and is_demo:
                created_logins.add("customer")
            contact, _ = Contact.objects.get_or_create(
                user=user, defaults={"organization": org, "job_title": job_title}
            )
            if contact.organization_id == org.pk:
                contacts[org.pk].append(user)
            if is_demo:
                customer, acme = user, org
    # Re-read with the profiles: assignment picks agents by support tier.
    staff = {
        u.username: u
        for u in User.objects.filter(username__in=staff).select_related("agent_profile")
    }
    return Cast(
        staff=staff,
        teams=teams,
        organizations=organizations,
        contacts=contacts,
        customer=customer,
        acme=acme,
        created_logins=created_logins,
    )
