"""Write the small XLSForm fixtures of tests/survey (run it after changing them).

    .venv/bin/python tests/survey/data/make_fixtures.py

``kobo_export.xlsx`` is laid out as KoboToolbox's "Download XLS" writes a form: ``$kuid`` and
``$autoname`` columns, ``start`` / ``end`` metadata rows, ``true`` / ``false`` in
``required``, a ``style`` setting and a generated version. ``short_languages.xlsx`` uses
``label::fr`` / ``label::en`` and a plain ``label`` column. See SOURCE.md.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
FR, EN = "Français (fr)", "English (en)"

KOBO_SURVEY = [
    ["type", "$kuid", "name", "$autoname", f"label::{FR}", f"label::{EN}", f"hint::{FR}",
     f"hint::{EN}", "required", "relevant", "constraint", f"constraint_message::{FR}",
     f"constraint_message::{EN}", "appearance", "choice_filter", "calculation"],
    ["start", "k1", "start", "start"],
    ["end", "k2", "end", "end"],
    ["begin_group", "k3", "profil", "profil", "Votre profil", "About you", None, None, None,
     None, None, None, None, "field-list"],
    ["select_one oui_non", "k4", "consentement", "consentement",
     "Acceptez-vous de répondre au sondage?", "Do you agree to take part in the survey?", None,
     None, "true"],
    ["integer", "k5", "age", "age", "Quel âge avez-vous?", "How old are you?",
     "En années.", "In years.", "false", "${consentement} = 'oui'",
     ". >= 15 and . <= 110", "Entre 15 et 110 ans.", "Between 15 and 110 years."],
    ["select_one territory_arrondissement", "k6", "arrondissement", "arrondissement",
     "Dans quel arrondissement habitez-vous?", "Which borough do you live in?", None, None,
     "true", "${consentement} = 'oui'", None, None, None, "minimal"],
    ["select_one quartier", "k7", "quartier", "quartier", "Dans quel quartier?",
     "Which neighbourhood?", None, None, "false", "${arrondissement} != 'autre'", None, None,
     None, None, "arrondissement = ${arrondissement}"],
    ["text", "k8", "code_postal", "code_postal", "Quel est votre code postal?",
     "What is your postal code?", "Seuls les 3 premiers caractères sont conservés.",
     "Only the first 3 characters are kept.", "false", None,
     "regex(., '^[A-Za-z][0-9][A-Za-z] ?([0-9][A-Za-z][0-9])?$')",
     "Code postal canadien, p. ex. H2X 1Y4.", "Canadian postal code, e.g. H2X 1Y4.",
     "postal-code"],
    ["end_group", "k9"],
    ["begin_group", "k10", "securite", "securite", "Votre sentiment de sécurité",
     "How safe you feel", None, None, None, "${consentement} = 'oui'", None, None, None,
     "field-list"],
    ["note", "k11", "note_securite", "note_securite",
     "Pour chaque situation, indiquez à quel point vous vous sentez en sécurité.",
     "For each situation, say how safe you feel."],
    ["select_one securite", "k12", "securite_nuit", "securite_nuit",
     "Marcher seul ou seule dans votre quartier une fois la nuit tombée",
     "Walking alone in your area after dark", None, None, "true", None, None, None, None,
     "likert"],
    ["select_one securite", "k13", "securite_jour", "securite_jour",
     "Marcher seul ou seule dans votre quartier le jour", "Walking alone in your area by day",
     None, None, "false", None, None, None, None, "likert"],
    ["end_group", "k14"],
    ["select_multiple lieux", "k15", "lieux_evites", "lieux_evites",
     "Quels lieux évitez-vous?", "Which places do you avoid?",
     "Cochez toutes les réponses qui s'appliquent.", "Check all that apply.", "false",
     "${consentement} = 'oui'", "not(selected(., 'aucun') and count-selected(.) > 1)",
     "« Aucun » ne peut pas être combiné.", "“None” cannot be combined."],
    ["text", "k16", "lieux_autre", "lieux_autre", "Quels autres lieux?", "Which other places?",
     None, None, "false", "selected(${lieux_evites}, 'autre')"],
    ["decimal", "k17", "heures_dehors", "heures_dehors",
     "Combien d'heures passez-vous dehors par jour?", "How many hours a day do you spend outside?",
     None, None, "false", "${consentement} = 'oui'", ". >= 0 and . <= 24"],
    ["date", "k18", "date_incident", "date_incident", "Date du dernier incident",
     "Date of the last incident", None, None, "false", "${consentement} = 'oui'",
     ". <= today()", "La date ne peut pas être dans le futur.", "The date cannot be in the future."],
    ["calculate", "k19", "n_lieux", "n_lieux", None, None, None, None, None, None, None, None,
     None, None, None, "count-selected(${lieux_evites})"],
    ["note", "k20", "merci", "merci", "Merci!", "Thank you!"],
]  # fmt: skip

KOBO_CHOICES = [
    ["list_name", "name", "$kuid", f"label::{FR}", f"label::{EN}", "$autovalue",
     "arrondissement"],
    ["oui_non", "oui", "c1", "Oui", "Yes", "oui"],
    ["oui_non", "non", "c2", "Non", "No", "non"],
    ["territory_arrondissement", "autre", "c3", "Autre / je ne sais pas",
     "Other / I don't know", "autre"],
    ["quartier", "plateau_est", "c4", "Plateau Est", "Plateau East", "plateau_est", "PMR"],
    ["quartier", "mile_end", "c5", "Mile End", "Mile End", "mile_end", "PMR"],
    ["quartier", "verdun_centre", "c6", "Verdun centre", "Verdun centre", "verdun_centre", "VER"],
    ["quartier", "ile_des_soeurs", "c7", "L'Île-des-Sœurs", "Nuns' Island", "ile_des_soeurs",
     "VER"],
    ["securite", "tres_securite", "c8", "Très en sécurité", "Very safe", "tres_securite"],
    ["securite", "assez_securite", "c9", "Assez en sécurité", "Fairly safe", "assez_securite"],
    ["securite", "peu_insecurite", "c10", "Un peu en insécurité", "A bit unsafe",
     "peu_insecurite"],
    ["securite", "tres_insecurite", "c11", "Très en insécurité", "Very unsafe",
     "tres_insecurite"],
    ["lieux", "parcs", "c12", "Les parcs", "Parks", "parcs"],
    ["lieux", "metro", "c13", "Le métro", "The metro", "metro"],
    ["lieux", "autre", "c14", "Autre", "Other", "autre"],
    ["lieux", "aucun", "c15", "Aucun", "None", "aucun"],
]  # fmt: skip

KOBO_SETTINGS = [
    ["form_title", "form_id", "version", "default_language", "style"],
    ["Sécurité dans mon quartier", "securite_quartier", "vQm4Kp8bT2sWcYx7", FR, "pages"],
]

SHORT_SURVEY = [
    ["type", "name", "label", "label::en", "hint::fr", "required"],
    ["select_one yn", "ok", "Ça va?", "All right?", "Répondez franchement.", "yes"],
    ["text", "why", "Pourquoi?", "Why?", None, "no"],
]
SHORT_CHOICES = [
    ["list name", "name", "label::fr", "label::en"],
    ["yn", "y", "Oui", "Yes"],
    ["yn", "n", "Non", "No"],
]
SHORT_SETTINGS = [["form_title", "form_id", "default_language"], ["Court", "court", "fr"]]


def write(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Write one workbook whose sheets hold the given rows (the first row is the header)."""
    book = Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = book.active if first else book.create_sheet(name)
        assert sheet is not None
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def main() -> None:
    write(
        HERE / "kobo_export.xlsx",
        {"survey": KOBO_SURVEY, "choices": KOBO_CHOICES, "settings": KOBO_SETTINGS},
    )
    write(
        HERE / "short_languages.xlsx",
        {"survey": SHORT_SURVEY, "choices": SHORT_CHOICES, "settings": SHORT_SETTINGS},
    )


if __name__ == "__main__":
    main()
