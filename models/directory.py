"""Agencies and officials: mirrored from config into the database on start."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from models.config import Role, Settings
from models.lifecycle import DomainError
from models.permissions import Actor
from models.tables import Agency, Official, OfficialContact


def sync_directory(session: Session, settings: Settings) -> None:
    """Make agencies, officials and their contacts match the config (config wins)."""
    for agency_config in settings.agencies:
        session.merge(
            Agency(
                code=agency_config.code,
                name=agency_config.name,
                kind=agency_config.kind,
                category=agency_config.category,
                contact=agency_config.contact,
            )
        )
    session.flush()
    configured: set[str] = set()
    for official_config, agency_code in settings.all_officials():
        configured.add(official_config.id)
        official = session.get(Official, official_config.id) or Official(id=official_config.id)
        official.name = official_config.name
        official.role = official_config.role.value
        official.agency_code = agency_code
        official.active = True
        session.add(official)
        _sync_contacts(session, official, official_config.contacts())
    for official in session.scalars(select(Official).where(Official.id.not_in(configured))):
        official.active = False
    session.flush()


def _sync_contacts(session: Session, official: Official, contacts: list[tuple[str, str]]) -> None:
    existing = {contact.channel: contact for contact in official.contacts}
    wanted = {channel for channel, _ in contacts}
    for priority, (channel, address) in enumerate(contacts):
        contact = existing.get(channel)
        if contact is None:
            contact = OfficialContact(official_id=official.id, channel=channel, address=address)
            official.contacts.append(contact)
        elif contact.address != address:
            contact.address = address
            contact.unreachable_at = None
            contact.unreachable_reason = None
        contact.priority = priority
    for channel, contact in existing.items():
        if channel not in wanted:
            official.contacts.remove(contact)
            session.delete(contact)


def official_actor(session: Session, official_id: str) -> Actor:
    official = session.get(Official, official_id)
    if official is None or not official.active:
        raise DomainError(f"unknown or inactive official {official_id!r}")
    return Actor("official", official.id, Role(official.role), official.agency_code)


def officials_with_roles(session: Session, roles: Collection[str], agency_code: str | None = None) -> list[Official]:
    if agency_code is None:
        return list(session.scalars(_WITH_ROLES, {"roles": list(roles)}))
    return list(session.scalars(_WITH_ROLES_OF_AGENCY, {"roles": list(roles), "agency_code": agency_code}))


# Their contacts come with them (one more query, not one per official): every alert reads them. Built
# once, as every complaint filed alerts somebody.
_WITH_ROLES = (select(Official).options(selectinload(Official.contacts))
               .where(Official.active.is_(True), Official.role.in_(bindparam("roles", expanding=True)))
               .order_by(Official.id))
_WITH_ROLES_OF_AGENCY = _WITH_ROLES.where(Official.agency_code == bindparam("agency_code"))


def with_deputies(session: Session, settings: Settings, officials: list[Official], day: date) -> list[Official]:
    """The officials plus, for each one away on `day`, their Plt. (config `deputies`), each once."""
    chosen = {official.id for official in officials}
    extra: list[Official] = []
    for deputy in settings.deputies:
        if deputy.holder in chosen and deputy.start <= day <= deputy.end and deputy.deputy not in chosen:
            found = session.get(Official, deputy.deputy)
            if found is not None and found.active:
                chosen.add(found.id)
                extra.append(found)
    return [*officials, *extra]


def official_and_contact(session: Session, channel: str, address: str) -> tuple[Official, OfficialContact] | None:
    """The active official whose contact on `channel` is `address`, with that contact; None for anyone else."""
    row = session.execute(_OFFICIAL_BY_CONTACT, {"channel": channel, "address": address}).first()
    return None if row is None else (row[0], row[1])


# Every inbound message asks this (is the sender an official?): built once, compiled once.
_OFFICIAL_BY_CONTACT = (
    select(Official, OfficialContact)
    .join(OfficialContact, OfficialContact.official_id == Official.id)
    .where(OfficialContact.channel == bindparam("channel"), OfficialContact.address == bindparam("address"),
           Official.active.is_(True))
    .limit(1)
)
