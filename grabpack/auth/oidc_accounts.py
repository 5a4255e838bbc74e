"""Who an identity provider's verified identity is in grabpack: the matching rules.

The provider proves identity; grabpack keeps authorisation. By default an account
must already exist (made by an administrator): it is found by the provider's
subject id once linked, or at the first sign-in by the email address, which must be
in a domain the provider serves and, when the provider says whether it verified it
(``email_verified``), verified. Optionally (``_PROVISION``) a provider's group claim
makes the account at the first sign-in, with the role and wards or areas the
configuration grants that group; after that, grabpack's administrators own it. A
disabled account stays refused whatever the provider says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from grabpack.auth.oidc import VerifiedIdentity
from grabpack.config import GroupGrant, OidcProvider
from grabpack.extensions import db
from grabpack.models import User
from grabpack.models.base import utcnow
from grabpack.models.user import OidcIdentity
from grabpack.services import audit
from grabpack.services.users import UserError, create_user, user_by_email


@dataclass(frozen=True)
class Match:
    """The account to sign in (``user``), or why there is none (``reason``)."""

    user: User | None = None
    reason: str = ""


def sign_in(
    provider: OidcProvider,
    identity: VerifiedIdentity,
    *,
    remote_addr: str = "",
    now: datetime | None = None,
) -> Match:
    """Find (or, with provisioning, make) the account for a verified identity and
    record the sign-in or its refusal in the audit trail; the caller commits."""
    now = now or utcnow()
    match = _match(provider, identity, now)
    if match.user is not None and not match.user.active:
        match = Match(match.user, "account_disabled")
    if match.reason:
        audit.record(
            "login.failed",
            user=match.user,
            remote_addr=remote_addr,
            reason=match.reason,
            method="oidc",
            provider=provider.name,
            subject=identity.subject,
        )
        return Match(reason=match.reason)
    user = match.user
    link = _identity(provider, identity.subject)
    if link is None:
        link = OidcIdentity(user=user, provider=provider.name, subject=identity.subject)
        db.session.add(link)
    link.last_used_at = now
    user.last_login_at = now
    audit.record(
        "login",
        user=user,
        remote_addr=remote_addr,
        method="oidc",
        provider=provider.name,
        subject=identity.subject,
    )
    return Match(user)


def _match(provider: OidcProvider, identity: VerifiedIdentity, now: datetime) -> Match:
    linked = _identity(provider, identity.subject)
    if linked is not None:
        return Match(linked.user)
    email = identity.email
    if not email:
        return Match(reason="no_email")
    if identity.email_verified is False:
        return Match(reason="email_not_verified")
    if not provider.serves(email):
        # A provider vouches only for its own domains: it cannot sign someone in as
        # an account of another organisation.
        return Match(reason="email_domain_not_served")
    user = user_by_email(email)
    if user is not None:
        other = db.session.scalar(
            select(OidcIdentity).where(
                OidcIdentity.user_id == user.id, OidcIdentity.provider == provider.name
            )
        )
        if other is not None:  # linked to another subject at this provider
            return Match(reason="linked_to_another_identity")
        return Match(user)
    if not provider.provision:
        return Match(reason="unknown_account")
    return _provision(provider, identity, email)


def _identity(provider: OidcProvider, subject: str) -> OidcIdentity | None:
    return db.session.scalar(
        select(OidcIdentity).where(
            OidcIdentity.provider == provider.name, OidcIdentity.subject == subject
        )
    )


def _provision(provider: OidcProvider, identity: VerifiedIdentity, email: str) -> Match:
    """Make the account from the groups the provider says the person is in."""
    grants = [grant for group, grant in provider.groups if group in identity.groups]
    if not grants:
        return Match(reason="unknown_account")
    if len({grant.role for grant in grants}) > 1:
        return Match(reason="groups_disagree")
    grant = _merged(grants)
    try:
        # The user service's own checks, the name's among them: a name it would refuse
        # from the command is refused here too (a blank one is no name).
        user = create_user(
            email,
            grant.role,
            None,
            ward_codes=grant.wards,
            area_codes=grant.areas,
            full_name=identity.name.strip() or None,
            audit_detail={"method": "oidc", "provider": provider.name},
        )
    except UserError:  # e.g. a ward code the mapping names that grabpack does not have
        return Match(reason="provisioning_refused")
    return Match(user)


def _merged(grants: list[GroupGrant]) -> GroupGrant:
    wards = tuple(dict.fromkeys(code for grant in grants for code in grant.wards))
    areas = tuple(dict.fromkeys(code for grant in grants for code in grant.areas))
    return GroupGrant(grants[0].role, wards, areas)
