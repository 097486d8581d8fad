"""Translations as data: every shipped translation words every item and answer; the compiled
Spanish catalog matches its source."""

import ast
import gettext
from pathlib import Path

import pytest

from ketaclinic.measures import published_text as text
from ketaclinic.measures.instruments import GAD7, INSTRUMENTS, PHQ9

LOCALE = Path(__file__).resolve().parents[2] / "src" / "ketaclinic" / "measures" / "locale"

TRANSLATED = [(code, t.language) for code, i in INSTRUMENTS.items() for t in i.translations]


def test_the_phq9_and_gad7_ship_their_spanish_versions_and_nothing_else_does():
    assert TRANSLATED == [("phq9", "es"), ("gad7", "es")]


@pytest.mark.parametrize(("code", "language"), TRANSLATED)
def test_a_translation_words_every_item_and_every_answer(code, language):
    instrument = INSTRUMENTS[code]
    translation = instrument.translation(language)
    assert list(translation.items) == list(instrument.item_keys)
    for item in instrument.items:
        wording = translation.items[item.key]
        assert wording.text.strip()
        assert len(wording.options) == len(item.options)
        assert all(label.strip() for label in wording.options)
    assert translation.instructions.strip()
    assert "Pfizer" in translation.source and "Spanish version for the USA" in translation.source


def test_the_spanish_phq9_is_the_publishers_wording():
    spanish = PHQ9.translation("es")
    assert spanish.items["9"].text == (
        "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"
    )
    assert spanish.items["1"].options == (
        "Ningún día",
        "Varios días",
        "Más de la mitad de los días",
        "Casi todos los días",
    )
    assert spanish.items["10"].options[0] == "No ha sido difícil"
    # the answers keep the English form's values: 0 = "Ningún día" = "Not at all"
    assert [o.value for o in PHQ9.item("1").options] == [0, 1, 2, 3]
    assert PHQ9.item("1").options[0].label == "Not at all"


def test_the_spanish_gad7_is_the_publishers_wording():
    spanish = GAD7.translation("es")
    assert spanish.instructions == text.GAD7_ES_INSTRUCTIONS
    assert spanish.items["5"].text == (
        "Estar tan inquieto/a que es difícil permanecer sentado/a tranquilamente"
    )
    assert spanish.items["1"].options[0] == "Nunca"


def _po_entries(path: Path) -> dict[str, tuple[str | None, str]]:
    """msgid -> (msgid_plural or None, msgstr or its first plural form) of a .po file."""
    entries: dict[str, tuple[str | None, str]] = {}
    msgid = plural = msgstr = field = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            msgid, field = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgid_plural "):
            plural, field = ast.literal_eval(line[13:]), "plural"
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            msgstr, field = ast.literal_eval(line.split(" ", 1)[1]), "str"
        elif line.startswith("msgstr["):
            field = "other"
        elif line.startswith('"'):
            if field == "id":
                msgid += ast.literal_eval(line)
            elif field == "plural":
                plural += ast.literal_eval(line)
            elif field == "str":
                msgstr += ast.literal_eval(line)
        elif not line.strip() and msgid:
            entries[msgid] = (plural, msgstr)
            msgid = plural = msgstr = field = None
    return entries


def test_every_spanish_string_is_translated_and_compiled():
    po = LOCALE / "es" / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    entries = _po_entries(po)
    assert "Send my answers" in entries
    for msgid, (plural, msgstr) in entries.items():
        assert msgstr, f"untranslated: {msgid!r}"
        # the committed .mo carries the .po's translation (recompile after editing the .po)
        compiled = catalog.ngettext(msgid, plural, 1) if plural else catalog.gettext(msgid)
        assert compiled == msgstr, msgid
