"""The treatment areas staff pick from when enrolling, stored by key; each is named for staff in
the message catalogs (enrol.area_<key>)."""

from __future__ import annotations

TREATMENT_AREAS: tuple[str, ...] = (
    "face",
    "neck",
    "scalp",
    "under_eye",
    "double_chin",
    "abdomen",
    "thighs",
    "arms",
    "other",
)
