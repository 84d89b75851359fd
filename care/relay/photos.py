"""The photo a patient may send after a check-in answer that something is not right: the bot
invites it, and a photo that follows is shown to staff with that alert."""

from __future__ import annotations

from datetime import timedelta

from care.core.models import AlertKind

# The check-in answers after which the bot invites a photo of the treated area.
PHOTO_ANSWERS = frozenset({"still_symptoms", "something_wrong"})
# A photo this soon after such an alert goes to staff as a reply to it.
ALERT_KINDS = (AlertKind.STILL_SYMPTOMS.value, AlertKind.SOMETHING_WRONG.value)
PHOTO_WINDOW = timedelta(days=3)
