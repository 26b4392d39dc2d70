"""Reusable answer texts for officials; a deployment may replace them under
`channels.dashboard.response_templates` in config.yaml (a list of {title, text})."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from models.config import Settings, parse_section


class ResponseTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    text: str


class DashboardSection(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    response_templates: tuple[ResponseTemplate, ...] = ()


DEFAULTS = (
    ResponseTemplate(title="Dijadwalkan", text="Terima kasih atas laporan Anda. Perbaikan sudah kami jadwalkan "
                     "dan akan dikerjakan paling lambat tanggal ..."),
    ResponseTemplate(title="Sudah ditangani", text="Terima kasih. Petugas kami sudah meninjau lokasi dan "
                     "masalah telah ditangani. Mohon konfirmasi apakah sudah selesai."),
    ResponseTemplate(title="Perlu data", text="Terima kasih. Mohon kirimkan alamat lengkap atau titik lokasi "
                     "agar petugas dapat menindaklanjuti."),
)


def response_templates(settings: Settings) -> tuple[ResponseTemplate, ...]:
    return parse_section(settings, "dashboard", DashboardSection).response_templates or DEFAULTS
