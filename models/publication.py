"""What the public may see of a complaint: one function for Open311, the public pages and the moderation preview.

Nothing is published before an operator moderated the text (`public_text`); confidential complaints are never
published. Coordinates are rounded to about 100 m for every complaint (a pothole needs no more; a home does
not get pinned), and an anonymous or misconduct report publishes no address label at all: the label is often
the reporter's own street or house.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.privacy import identity_hidden
from models.tables import Complaint

# Three decimals of a degree: about 111 m north-south, less east-west near the equator.
PUBLIC_DECIMALS = 3


@dataclass(frozen=True)
class PublicRecord:
    description: str | None
    address: str | None
    latitude: float | None
    longitude: float | None

    @property
    def published(self) -> bool:
        return self.description is not None


def public_record(complaint: Complaint) -> PublicRecord:
    """Exactly what leaves through the public doors for this complaint (nothing at all when confidential)."""
    if complaint.confidential or complaint.public_text is None:
        return PublicRecord(None, None, None, None)
    address = None if identity_hidden(complaint) else complaint.location_text
    return PublicRecord(complaint.public_text, address, rounded(complaint.latitude), rounded(complaint.longitude))


def rounded(coordinate: float | None) -> float | None:
    return None if coordinate is None else round(coordinate, PUBLIC_DECIMALS)
