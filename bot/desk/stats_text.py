"""/stats in words: every figure of both months, in the reader's language and digits."""

from __future__ import annotations

from bot.common.staff_voice import Voice
from care.core.models import AlertKind
from care.desk.stats import ClinicMonth

_KINDS = frozenset(kind.value for kind in AlertKind)


def stats_text(last: ClinicMonth, this: ClinicMonth, voice: Voice) -> str:
    blocks = [
        _month(last, voice, voice("stats.heading_last", month=last.month)),
        _month(this, voice, voice("stats.heading_this", month=this.month)),
    ]
    return "\n\n".join([*blocks, voice("stats.how_counted")])


def _month(month: ClinicMonth, voice: Voice, heading: str) -> str:
    lines = [
        heading,
        voice("stats.sessions", done=month.sessions_done, no_shows=month.no_shows),
        voice("stats.messages", sent=month.messages_sent, failed=month.messages_failed),
        voice("stats.pre_care", sent=month.pre_care_sent, acknowledged=month.pre_care_acknowledged),
        *_alerts(month, voice),
        _satisfaction(month, voice),
    ]
    return "\n".join(lines)


def _alerts(month: ClinicMonth, voice: Voice) -> list[str]:
    if not month.alerts_raised:
        return [voice("stats.alerts_none")]
    if month.median_minutes_to_take is None:
        lines = [voice("stats.alerts_untaken", raised=month.alerts_raised)]
    else:
        lines = [
            voice(
                "stats.alerts",
                raised=month.alerts_raised,
                taken=month.alerts_taken,
                minutes=month.median_minutes_to_take,
            )
        ]
    for figures in month.alerts:
        kind = kind_name(figures.kind, voice)
        if figures.median_minutes is None:
            lines.append(voice("stats.alert_kind_untaken", kind=kind, raised=figures.raised))
        else:
            lines.append(
                voice(
                    "stats.alert_kind",
                    kind=kind,
                    raised=figures.raised,
                    minutes=figures.median_minutes,
                )
            )
    return lines


def _satisfaction(month: ClinicMonth, voice: Voice) -> str:
    if month.satisfaction_mean is None:
        return voice("stats.satisfaction_none")
    return voice(
        "stats.satisfaction",
        answers=month.satisfaction_answers,
        mean=decimal(month.satisfaction_mean, voice),
        comments=month.satisfaction_comments,
    )


def kind_name(kind: str, voice: Voice) -> str:
    """An alert kind's short name; a code this version does not know (from a newer one's
    database) as it is stored."""
    return voice(f"stats.kind_{kind}") if kind in _KINDS else kind


def decimal(value: float, voice: Voice) -> str:
    """One decimal, in the reader's digits: "4.5", or for Persian 4 and 5 in Persian digits
    around the Persian decimal separator (U+066B)."""
    shown = voice.digits(f"{value:.1f}")
    return shown.replace(".", "\u066b") if voice.lang == "fa" else shown
