"""The clinical rules are stated the same way in every text that states them, in both languages.

The blood-thinner rule: painkillers taken by choice (aspirin, ibuprofen/Gelofen, mefenamic
acid, diclofenac, naproxen) are avoided for 24 hours; a prescribed blood thinner or
anticoagulant is never stopped, the clinic is told, and the physician decides. The warning
signs: one list, with the clinic's phone, and the emergency number for an allergic reaction.
Every text that tells the patient to call carries the number to call.
"""

from __future__ import annotations

import re

import pytest

from care.content.catalog import DEFAULT_MESSAGES_DIR, STAFF_SECTIONS, Catalog, load_catalog
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH, load_protocol

SHIPPED = load_catalog(DEFAULT_MESSAGES_DIR)
PROTOCOL = load_protocol(DEFAULT_PROTOCOL_PATH)
LANGS = ("fa", "en")

PAINKILLERS = {
    "en": ("aspirin", "ibuprofen", "Gelofen", "mefenamic acid", "diclofenac", "naproxen"),
    "fa": ("آسپرین", "ایبوپروفن", "ژلوفن", "مفنامیک اسید", "دیکلوفناک", "ناپروکسن"),
}
# What every text that names the painkillers to avoid also says about a prescribed one.
PRESCRIBED_RULE = {
    "en": ("without a prescription", "prescribed", "blood thinner", "anticoagulant",
           "do not stop it", "tell the clinic", "physician will decide"),
    "fa": ("بدون نسخهٔ پزشک", "تجویز", "رقیق‌کنندهٔ خون", "ضدانعقاد",
           "قطع نکنید", "به کلینیک خبر دهید", "پزشک دربارهٔ جلسهٔ شما تصمیم"),
}  # fmt: skip
DO_NOT_TAKE = {"en": "do not take", "fa": "مصرف نکنید"}
BLOOD_THINNERS = {
    "en": ("anticoagulant", "blood thinner", "warfarin"),
    "fa": ("ضدانعقاد", "رقیق‌کننده", "وارفارین"),
}
WARNING_SIGNS = {
    "en": ("redness, heat or swelling that spreads", "severe pain",
           "skin that turns white or dark", "pus or a fever",
           "hives, swelling of the lips or tongue, difficulty breathing",
           "call the emergency number"),
    "fa": ("قرمزی، داغی یا تورمی که گسترش پیدا می‌کند", "درد شدید",
           "پوستی که سفید یا تیره می‌شود", "چرک یا تب",
           "کهیر، تورم لب یا زبان، تنگی نفس", "فوراً با اورژانس"),
}  # fmt: skip
WARNING_TEXTS = ("steps.post_care", "steps.check_in", "care.warning_signs", "faq.side_effects")
CALL = {"en": re.compile(r"\bcall\b", re.IGNORECASE), "fa": re.compile("تماس بگیرید")}
ALLERGY = {"en": "hives", "fa": "کهیر"}
QUOTED = {"en": re.compile(r'"([^"]+)"'), "fa": re.compile("«([^»]+)»")}


def texts(lang: str, catalog: Catalog = SHIPPED) -> dict[str, str]:
    """What patients read: the staff sections (desk, alerts, ...) speak to the clinic."""
    return {
        key: catalog.text(lang, key, **dict.fromkeys(catalog.placeholders(lang, key), "{}"))
        for key in catalog.keys(lang)
        if key.split(".")[0] not in STAFF_SECTIONS
    }


def clauses(text: str) -> list[str]:
    """Sentences, and lists with the line that introduces them: what one instruction covers."""
    return [part for part in re.split(r"[.;!?؛]|\n\s*\n", text) if part.strip()]


def lists_blood_thinners_as_not_to_take(text: str, lang: str) -> bool:
    return any(
        DO_NOT_TAKE[lang] in clause.lower() and any(w in clause for w in BLOOD_THINNERS[lang])
        for clause in clauses(text)
    )


def test_the_detector_catches_the_old_wording() -> None:
    old_en = "Before: do not take aspirin, ibuprofen or anticoagulants. After: rest."
    old_fa = "این داروها را مصرف نکنید:\n• آسپرین\n• داروهای ضدانعقاد\n\nمهم: قطع نکنید."
    assert lists_blood_thinners_as_not_to_take(old_en, "en")
    assert lists_blood_thinners_as_not_to_take(old_fa, "fa")
    fixed = "Do not take aspirin. Do not stop warfarin."
    assert not lists_blood_thinners_as_not_to_take(fixed, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_tells_a_patient_not_to_take_a_blood_thinner(lang: str) -> None:
    for key, text in texts(lang).items():
        assert not lists_blood_thinners_as_not_to_take(text, lang), key


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_naming_the_painkillers_states_the_whole_rule(lang: str) -> None:
    naming = {key for key, text in texts(lang).items() if PAINKILLERS[lang][1] in text}
    assert naming == {"steps.pre_care", "care.before", "faq.before_after"}
    for key in naming:
        text = texts(lang)[key]
        for word in (*PAINKILLERS[lang], *PRESCRIBED_RULE[lang], "۲۴" if lang == "fa" else "24"):
            assert word.lower() in text.lower(), f"{lang} {key}: {word!r}"
        assert "clinic_phone" in SHIPPED.placeholders(lang, key) or key == "steps.pre_care"


def test_the_same_texts_name_the_painkillers_in_both_languages() -> None:
    naming = {
        lang: {key for key, text in texts(lang).items() if PAINKILLERS[lang][0] in text}
        for lang in LANGS
    }
    assert naming["fa"] == naming["en"]


def test_the_blood_thinner_button_says_prescribed_in_both_languages() -> None:
    assert "prescribed" in SHIPPED.text("en", "answers.blood_thinner")
    assert "تجویزی" in SHIPPED.text("fa", "answers.blood_thinner")
    assert "do not stop your medicine" in texts("en")["replies.blood_thinner"].lower()
    assert "دارویتان را قطع نکنید" in texts("fa")["replies.blood_thinner"]


def test_a_patient_who_took_a_painkiller_is_told_not_to_cancel_and_to_tell_the_physician() -> None:
    en, fa = texts("en"), texts("fa")
    for said in (en["steps.pre_care"], en["care.before"]):
        assert "do not cancel on your own" in said and "physician before the injection" in said
    assert "do not cancel your session on your own" in en["replies.took_painkiller"]
    assert "before the injection, tell the physician" in en["replies.took_painkiller"]
    for said in (fa["steps.pre_care"], fa["care.before"], fa["replies.took_painkiller"]):
        assert "خودتان لغو نکنید" in said and "پیش از تزریق به پزشک بگویید" in said


@pytest.mark.parametrize("lang", LANGS)
def test_the_warning_signs_are_one_list_with_both_numbers(lang: str) -> None:
    for key in WARNING_TEXTS:
        text = texts(lang)[key]
        for sign in WARNING_SIGNS[lang]:
            assert sign in text, f"{lang} {key}: {sign!r}"
        assert {"clinic_phone", "emergency_phone"} <= SHIPPED.placeholders(lang, key), key
    mentioning = {key for key, text in texts(lang).items() if WARNING_SIGNS[lang][0] in text}
    assert mentioning == set(WARNING_TEXTS)


@pytest.mark.parametrize("lang", LANGS)
def test_an_allergic_reaction_always_comes_with_the_emergency_number(lang: str) -> None:
    allergy = {key for key, text in texts(lang).items() if ALLERGY[lang] in text}
    assert allergy == {*WARNING_TEXTS, "replies.something_wrong"}
    for key in allergy:
        assert "emergency_phone" in SHIPPED.placeholders(lang, key), key


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_that_says_call_carries_the_clinics_phone(lang: str) -> None:
    calling = {key for key, text in texts(lang).items() if CALL[lang].search(text)}
    assert len(calling) >= 10
    for key in calling:
        assert "clinic_phone" in SHIPPED.placeholders(lang, key), f"{lang} {key}"


def test_both_languages_say_call_in_the_same_texts() -> None:
    calling = {lang: {k for k, t in texts(lang).items() if CALL[lang].search(t)} for lang in LANGS}
    assert calling["fa"] == calling["en"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_button_named_in_a_care_message_is_one_of_its_buttons(lang: str) -> None:
    for step in PROTOCOL.steps:
        labels = {SHIPPED.text(lang, f"answers.{answer}") for answer in step.answers}
        named = set(QUOTED[lang].findall(texts(lang)[f"steps.{step.key}"]))
        assert named <= labels, f"{lang} steps.{step.key}: {named - labels}"
    assert len(set(QUOTED[lang].findall(texts(lang)["steps.pre_care"]))) == 2


def test_the_late_check_in_asks_about_firm_lumps() -> None:
    assert "firm lump" in texts("en")["steps.late_check_in"]
    assert "برآمدگی سفت" in texts("fa")["steps.late_check_in"]
    assert PROTOCOL.step("late_check_in").sessions == "last"


def test_persian_wording_a_reader_stumbles_on_is_gone() -> None:
    for key, text in texts("fa").items():
        assert "خسته نباشید" not in text, key  # not "thank you for coming"
        assert "گرمی" not in text, key  # reads as a temperament; «داغی» is heat
        assert not re.search(r"تا\s+\S+\s+تا\s", text), key  # «تا چند ساعت تا ۲ تا ۴»


def test_the_faq_promises_no_result() -> None:
    assert "may help" in texts("en")["faq.what"] and "results vary" in texts("en")["faq.what"]
    assert "ممکن است" in texts("fa")["faq.what"] and "متفاوت است" in texts("fa")["faq.what"]
