"""The officials' roles, apart from the configuration's models so that the modules which only name a role
(permissions, privacy) load without pydantic and the config schema: a read-only command pays for those only
when it reads config.yaml (models/config.py re-exports `Role`)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # admin penghubung of one agency
    HEAD = "head"  # Kepala OPD
    TRIAGE = "triage"  # admin instansi (Diskominfo)
    REGIONAL_HEAD = "regional_head"  # Bupati / Wali Kota
    SEKDA = "sekda"
    INSPECTORATE = "inspectorate"
