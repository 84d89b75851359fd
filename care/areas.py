"""The treatment areas staff pick from when enrolling; stored by key, shown to staff by label."""

from __future__ import annotations

TREATMENT_AREAS: dict[str, str] = {
    "face": "Face",
    "neck": "Neck",
    "scalp": "Scalp / hair",
    "under_eye": "Under-eye",
    "double_chin": "Double chin",
    "abdomen": "Abdomen",
    "thighs": "Thighs",
    "arms": "Arms",
    "other": "Other",
}


def area_label(key: str | None) -> str:
    """The staff label of a stored area; an area stored before the list changed shows as is."""
    if key is None:
        return "area not given"
    return TREATMENT_AREAS.get(key, key)
