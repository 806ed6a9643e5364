"""Write the built-in XLSForm template « Sentiment de sécurité et bien-être » (``safety.xlsx``).

The questionnaire lives here, as Python data, so that every wording, code and skip rule can be
reviewed in a diff; ``safety.xlsx`` is only the rendering of this file. After any change run::

    python src/urbansafety/survey/templates/build_safety.py

and commit both files. ``tests/survey/test_template.py`` rebuilds the workbook and fails if the
``.xlsx`` on disk has drifted from this script. Sources for every question are in ``README.md``
next to this file.

Conventions (the analysis code relies on them, see README.md):

* languages ``Français (fr)`` (default) and ``English (en)``: every label, hint and message is
  written in both;
* names and choice codes are short, stable, lower-case snake_case;
* the choices list ``territory_neighbourhood`` holds only the row ``other``: the application adds
  the workspace's neighbourhoods in front of it when it copies or renders the form.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FR = "Français (fr)"
EN = "English (en)"
LANGUAGES = (FR, EN)

FORM_ID = "urbansafety_safety"
#: Date-based version (YYYYMMDDnn). Bump it whenever the questionnaire changes: ODK/Kobo servers
#: refuse a new form definition that keeps the old version.
VERSION = "2026112302"
FORM_TITLE_FR = "Sentiment de sécurité et bien-être"
FORM_TITLE_EN = "Feeling of safety and well-being"
FORM_TITLE = f"{FORM_TITLE_FR} / {FORM_TITLE_EN}"

TEMPLATE_PATH = Path(__file__).with_name("safety.xlsx")

SURVEY_COLUMNS: tuple[str, ...] = (
    "type",
    "name",
    f"label::{FR}",
    f"label::{EN}",
    f"hint::{FR}",
    f"hint::{EN}",
    "required",
    f"required_message::{FR}",
    f"required_message::{EN}",
    "relevant",
    "constraint",
    f"constraint_message::{FR}",
    f"constraint_message::{EN}",
    "appearance",
)
CHOICES_COLUMNS: tuple[str, ...] = ("list_name", "name", f"label::{FR}", f"label::{EN}")
SETTINGS_COLUMNS: tuple[str, ...] = (
    "form_title",
    "form_title_fr",
    "form_title_en",
    "form_id",
    "version",
    "default_language",
    "style",
)

Text = tuple[str, str]  # (français, English)

# --------------------------------------------------------------------------------------------
# Shared wordings
# --------------------------------------------------------------------------------------------

DK: Text = ("Je ne sais pas", "Don't know")
REFUSED: Text = ("Je préfère ne pas répondre", "I prefer not to answer")
OPTIONAL: Text = ("Facultatif.", "Optional.")
CHECK_ALL: Text = ("Cochez toutes les réponses qui s'appliquent.", "Check all that apply.")
REQUIRED_MSG: Text = (
    "Veuillez choisir une réponse. Vous pouvez choisir « Je préfère ne pas répondre ».",
    "Please choose an answer. You can choose “I prefer not to answer”.",
)

#: Shown only to people who agreed to take part and are 15 or over (every section but the intro).
ELIGIBLE = "${consent} = 'yes' and ${age_group} != '' and ${age_group} != 'under_15'"
#: A select_multiple where "none" cannot be combined with another answer.
NONE_ALONE = "not(selected(., 'none') and count-selected(.) > 1)"
POSTAL_CODE_REGEX = "^[A-Za-z][0-9][A-Za-z] ?([0-9][A-Za-z][0-9])?$"


def _fr_typography(text: str) -> str:
    """Québec typography: no-break space inside « » and before a colon."""
    return text.replace("« ", "«\u00a0").replace(" »", "\u00a0»").replace(" :", "\u00a0:")


# --------------------------------------------------------------------------------------------
# Survey rows
# --------------------------------------------------------------------------------------------


def _row(
    type_: str,
    name: str = "",
    label: Text | None = None,
    *,
    hint: Text | None = None,
    required: bool = False,
    required_message: Text = REQUIRED_MSG,
    relevant: str = "",
    constraint: str = "",
    constraint_message: Text | None = None,
    appearance: str = "",
) -> dict[str, str]:
    row = {"type": type_, "name": name, "relevant": relevant, "appearance": appearance}
    row["constraint"] = constraint
    for i, lang in enumerate(LANGUAGES):
        if label:
            row[f"label::{lang}"] = label[i]
        if hint:
            row[f"hint::{lang}"] = hint[i]
        if required:
            row[f"required_message::{lang}"] = required_message[i]
        if constraint_message:
            row[f"constraint_message::{lang}"] = constraint_message[i]
    if required:
        row["required"] = "yes"
    return row


def _begin(name: str, label: Text, *, relevant: str = ELIGIBLE) -> dict[str, str]:
    """A section; each section is one page on a phone (``field-list``)."""
    return _row("begin_group", name, label, relevant=relevant, appearance="field-list")


def _end(name: str) -> dict[str, str]:
    return {"type": "end_group", "name": name}


def _note(name: str, label: Text, *, relevant: str = "") -> dict[str, str]:
    return _row("note", name, label, relevant=relevant)


def _one(list_name: str, name: str, label: Text, **kw: Any) -> dict[str, str]:
    return _row(f"select_one {list_name}", name, label, **kw)


def _many(list_name: str, name: str, label: Text, **kw: Any) -> dict[str, str]:
    return _row(f"select_multiple {list_name}", name, label, **kw)


#: Victimisation types: code, choice label (fr, en), short name for the follow-up (fr, en).
#: Each type gets a follow-up ``reported_<code>`` shown only when the type is selected.
VICTIM_TYPES: tuple[tuple[str, Text, Text], ...] = (
    (
        "break_in",
        (
            "Quelqu'un est entré ou a essayé d'entrer chez vous par effraction (logement, garage, cabanon)",
            "Someone broke in or tried to break into your home (home, garage, shed)",
        ),
        ("Entrée par effraction", "Break-in"),
    ),
    (
        "theft",
        (
            "Vol ou tentative de vol d'un objet qui vous appartient (par exemple vélo, téléphone, auto ou objet dans l'auto)",
            "Theft or attempted theft of something that belongs to you (for example a bike, a phone, a car or something from the car)",
        ),
        ("Vol", "Theft"),
    ),
    (
        "vandalism",
        (
            "Vandalisme : quelqu'un a endommagé exprès un bien qui vous appartient",
            "Vandalism: someone damaged something of yours on purpose",
        ),
        ("Vandalisme", "Vandalism"),
    ),
    (
        "assault",
        (
            "Agression physique ou menace de violence",
            "Physical assault or threat of violence",
        ),
        ("Agression ou menace", "Assault or threat"),
    ),
    (
        "harassment",
        (
            "Harcèlement, insultes ou intimidation (dans la rue, dans un lieu public ou en ligne)",
            "Harassment, insults or intimidation (in the street, in a public place or online)",
        ),
        ("Harcèlement ou intimidation", "Harassment or intimidation"),
    ),
    (
        "sexual",
        (
            "Harcèlement sexuel ou agression sexuelle (paroles, gestes ou contacts sexuels non désirés)",
            "Sexual harassment or sexual assault (unwanted sexual comments, gestures or touching)",
        ),
        ("Harcèlement ou agression sexuelle", "Sexual harassment or assault"),
    ),
    (
        "fraud",
        (
            "Fraude ou arnaque (par exemple carte bancaire, vol d'identité, arnaque en ligne ou par téléphone)",
            "Fraud or scam (for example bank card, identity theft, online or phone scam)",
        ),
        ("Fraude ou arnaque", "Fraud or scam"),
    ),
)

#: Incivilities and disorder, one Likert row each (list ``problem``).
DISORDER_ITEMS: tuple[tuple[str, Text], ...] = (
    ("dis_graffiti", ("Graffitis ou vandalisme", "Graffiti or vandalism")),
    ("dis_garbage", ("Déchets qui traînent", "Garbage or litter lying around")),
    ("dis_drugs", ("Consommation ou vente de drogues", "People using or dealing drugs")),
    (
        "dis_drunk",
        (
            "Personnes ivres ou tapageuses dans les lieux publics",
            "People being drunk or rowdy in public places",
        ),
    ),
    (
        "dis_noise",
        (
            "Bruit excessif (voisins, fêtes, véhicules)",
            "Loud noise (neighbours, parties, vehicles)",
        ),
    ),
    ("dis_speeding", ("Excès de vitesse ou conduite dangereuse", "Speeding or dangerous driving")),
    (
        "dis_groups",
        (
            "Groupes de personnes qui traînent et causent des problèmes",
            "People hanging around and causing trouble",
        ),
    ),
)

#: Social cohesion and collective efficacy (Sampson, Raudenbush & Earls 1997, adapted), list ``agree``.
COHESION_ITEMS: tuple[tuple[str, Text], ...] = (
    (
        "coh_help",
        (
            "Les gens d'ici sont prêts à aider leurs voisins.",
            "People around here are willing to help their neighbours.",
        ),
    ),
    ("coh_close", ("Mon quartier est tissé serré.", "This is a close-knit neighbourhood.")),
    (
        "coh_trust",
        (
            "On peut faire confiance aux gens de mon quartier.",
            "People in this neighbourhood can be trusted.",
        ),
    ),
    (
        "coh_get_along",
        (
            "Les gens de mon quartier s'entendent bien entre eux.",
            "People in this neighbourhood generally get along with each other.",
        ),
    ),
    (
        "coh_act",
        (
            "Si un problème touchait le quartier, les voisins s'uniraient pour le régler.",
            "If there was a problem in the neighbourhood, neighbours would get together to deal with it.",
        ),
    ),
)

#: Police performance (GSS "good job / average job / poor job"), list ``job``.
POLICE_ITEMS: tuple[tuple[str, Text], ...] = (
    (
        "police_safety",
        (
            "assurer la sécurité des gens du quartier",
            "ensuring the safety of the people in your area",
        ),
    ),
    (
        "police_approach",
        ("être facile d'approche et à l'écoute", "being approachable and easy to talk to"),
    ),
    ("police_fair", ("traiter les gens de façon juste", "treating people fairly")),
)

#: Satisfaction with municipal services, list ``satisfaction``.
SERVICE_ITEMS: tuple[tuple[str, Text], ...] = (
    (
        "sat_lighting",
        (
            "L'éclairage des rues, des parcs et des ruelles",
            "Lighting of streets, parks and alleys",
        ),
    ),
    (
        "sat_cleanliness",
        (
            "La propreté des rues et des lieux publics",
            "Cleanliness of streets and public places",
        ),
    ),
    (
        "sat_parks",
        (
            "L'aménagement et l'entretien des parcs",
            "Design and upkeep of parks",
        ),
    ),
    ("sat_transit", ("La sécurité dans le transport en commun", "Safety on public transit")),
)


def survey_rows() -> list[dict[str, str]]:
    """The ``survey`` sheet, one dict per row (missing keys are empty cells)."""
    rows: list[dict[str, str]] = []
    add = rows.append

    # -- 1. Introduction, consent and age screening ------------------------------------------
    add(_begin("intro", ("Bienvenue", "Welcome"), relevant=""))
    add(
        _note(
            "intro_note",
            (
                "**Sondage sur le sentiment de sécurité et le bien-être**\n\n"
                "Votre municipalité et ses partenaires veulent savoir comment vous vous sentez "
                "dans votre quartier. Vos réponses aideront à le rendre plus sûr et plus agréable.\n\n"
                "• Le sondage prend environ 10 minutes.\n"
                "• Votre participation est volontaire. Vous pouvez passer une question ou arrêter "
                "à tout moment.\n"
                "• Le sondage est anonyme. On ne vous demande pas votre nom et votre adresse IP "
                "n'est pas conservée.\n"
                "• Les résultats sont publiés seulement pour des groupes, jamais pour une personne.\n"
                "• Quelques questions portent sur des situations difficiles. Vous pouvez toujours "
                "choisir « Je préfère ne pas répondre ».",
                "**Survey on feeling safe and well-being**\n\n"
                "Your city and its partners want to know how you feel in your neighbourhood. "
                "Your answers will help make it safer and more pleasant.\n\n"
                "• The survey takes about 10 minutes.\n"
                "• Taking part is voluntary. You can skip a question or stop at any time.\n"
                "• The survey is anonymous. We do not ask your name and your IP address is not "
                "stored.\n"
                "• Results are published only for groups, never for one person.\n"
                "• A few questions are about difficult experiences. You can always choose "
                "“I prefer not to answer”.",
            ),
        )
    )
    add(
        _one(
            "yes_no",
            "consent",
            ("Acceptez-vous de répondre au sondage?", "Do you agree to take part in the survey?"),
            required=True,
            required_message=("Veuillez répondre pour continuer.", "Please answer to continue."),
        )
    )
    add(
        _note(
            "no_consent_note",
            (
                "Merci de votre temps. Vous pouvez fermer cette page.",
                "Thank you for your time. You can close this page.",
            ),
            relevant="${consent} = 'no'",
        )
    )
    add(
        _one(
            "age_group",
            "age_group",
            ("Quel âge avez-vous?", "How old are you?"),
            required=True,
            relevant="${consent} = 'yes'",
            constraint=". != 'under_15'",
            constraint_message=(
                "Ce sondage s'adresse aux personnes de 15 ans et plus.",
                "This survey is for people aged 15 and over.",
            ),
        )
    )
    add(
        _note(
            "too_young_note",
            (
                "Merci de votre intérêt! Ce sondage est réservé aux personnes de 15 ans et plus. "
                "Vous pouvez fermer cette page.",
                "Thank you for your interest! This survey is only for people aged 15 and over. "
                "You can close this page.",
            ),
            relevant="${age_group} = 'under_15'",
        )
    )
    add(_end("intro"))

    # -- 2. Feeling of safety -----------------------------------------------------------------
    add(_begin("safety", ("Votre sentiment de sécurité", "How safe you feel")))
    # Asked first and alone, as in the SDG 16.1.4 / ICVS / GSS surveys (question-order effects).
    add(
        _one(
            "safety_dark",
            "safe_dark",
            (
                "À quel point vous sentez-vous en sécurité lorsque vous marchez seul ou seule "
                "dans votre quartier une fois la nuit tombée?",
                "How safe do you feel walking alone in your area after dark?",
            ),
            hint=(
                "Votre quartier : les rues autour de chez vous. "
                "Une fois la nuit tombée : quand il fait noir.",
                "Your area: the streets around where you live. After dark: once it is dark outside.",
            ),
            required=True,
        )
    )
    add(
        _one(
            "safety_day",
            "safe_day",
            (
                "À quel point vous sentez-vous en sécurité lorsque vous marchez seul ou seule "
                "dans votre quartier le jour?",
                "How safe do you feel walking alone in your area during the day?",
            ),
        )
    )
    add(
        _one(
            "safety_home",
            "safe_home",
            (
                "À quel point vous sentez-vous en sécurité lorsque vous êtes seul ou seule "
                "chez vous le soir ou la nuit?",
                "How safe do you feel when you are alone in your home in the evening or at night?",
            ),
        )
    )
    add(
        _one(
            "safety_transit",
            "safe_transit",
            (
                "À quel point vous sentez-vous en sécurité lorsque vous attendez ou prenez "
                "le transport en commun seul ou seule une fois la nuit tombée?",
                "How safe do you feel waiting for or using public transit alone after dark?",
            ),
            hint=("Autobus, métro, train ou tramway.", "Bus, metro, train or tram."),
        )
    )
    add(
        _one(
            "satisfaction",
            "satisfied_safety",
            (
                "Dans l'ensemble, êtes-vous satisfait ou satisfaite de votre sécurité "
                "personnelle face à la criminalité?",
                "In general, how satisfied or dissatisfied are you with your personal safety "
                "from crime?",
            ),
        )
    )
    add(
        _one(
            "trend",
            "crime_trend",
            (
                "Au cours des 5 dernières années, pensez-vous que la criminalité dans votre "
                "quartier a augmenté, diminué ou est restée à peu près la même?",
                "During the last 5 years, do you think that crime in your neighbourhood has "
                "increased, decreased or remained about the same?",
            ),
            hint=(
                "Si vous habitez ici depuis moins de 5 ans, pensez au temps où vous y habitez.",
                "If you have lived here for less than 5 years, think of the time you have lived here.",
            ),
        )
    )
    add(_end("safety"))

    # -- 3. Places avoided and behaviour changes ---------------------------------------------
    add(_begin("avoidance", ("Endroits évités et habitudes", "Places avoided and habits")))
    add(
        _many(
            "avoid_place",
            "avoid_places",
            (
                "Au cours des 12 derniers mois, avez-vous évité certains endroits de votre "
                "quartier parce que vous ne vous y sentiez pas en sécurité?",
                "In the last 12 months, have you avoided places in your neighbourhood because "
                "you did not feel safe there?",
            ),
            hint=(
                "Cochez tous les endroits que vous avez évités.",
                "Check all the places you avoided.",
            ),
            constraint=NONE_ALONE,
            constraint_message=(
                "« Non, je n'ai évité aucun endroit » ne peut pas être coché avec un endroit.",
                "“No, I did not avoid any place” cannot be checked with a place.",
            ),
        )
    )
    add(
        _row(
            "text",
            "avoid_other",
            ("Quel autre endroit avez-vous évité?", "What other place did you avoid?"),
            hint=(
                "Par exemple un nom de rue, de parc ou de lieu. N'écrivez pas votre adresse.",
                "For example a street, park or place name. Do not write your address.",
            ),
            relevant="selected(${avoid_places}, 'other')",
        )
    )
    add(
        _many(
            "behaviour",
            "behaviours",
            (
                "Au cours des 12 derniers mois, vous est-il arrivé de faire l'une de ces choses "
                "pour votre sécurité?",
                "In the last 12 months, have you done any of these things for your safety?",
            ),
            hint=CHECK_ALL,
            constraint=NONE_ALONE,
            constraint_message=(
                "« Aucune de ces choses » ne peut pas être coché avec une autre réponse.",
                "“None of these” cannot be checked with another answer.",
            ),
        )
    )
    add(_end("avoidance"))

    # -- 4. Victimisation in the last 12 months -----------------------------------------------
    add(_begin("victimisation", ("Situations vécues", "Things that happened to you")))
    add(
        _note(
            "victim_note",
            (
                "Les questions suivantes portent sur des situations que vous avez peut-être "
                "vécues au cours des 12 derniers mois, dans votre quartier ou ailleurs. "
                "Vos réponses restent anonymes.",
                "The next questions are about things that may have happened to you in the last "
                "12 months, in your neighbourhood or elsewhere. Your answers remain anonymous.",
            ),
        )
    )
    add(
        _many(
            "victim_type",
            "victim_types",
            (
                "Au cours des 12 derniers mois, avez-vous vécu l'une de ces situations?",
                "In the last 12 months, has any of these happened to you?",
            ),
            hint=CHECK_ALL,
            constraint=(
                "not(selected(., 'none') and count-selected(.) > 1) "
                "and not(selected(., 'refused') and count-selected(.) > 1)"
            ),
            constraint_message=(
                "« Aucune de ces situations » et « Je préfère ne pas répondre » ne peuvent pas "
                "être cochés avec une autre réponse.",
                "“None of these” and “I prefer not to answer” cannot be checked with another "
                "answer.",
            ),
        )
    )
    victim_any = (
        "${victim_types} != '' and not(selected(${victim_types}, 'none')) "
        "and not(selected(${victim_types}, 'refused'))"
    )
    add(
        _one(
            "yes_no_dk",
            "victim_local",
            (
                "Est-ce qu'au moins une de ces situations s'est passée dans votre quartier?",
                "Did at least one of these happen in your neighbourhood?",
            ),
            relevant=victim_any,
        )
    )
    for code, _label, (short_fr, short_en) in VICTIM_TYPES:
        add(
            _one(
                "yes_no_dk",
                f"reported_{code}",
                (
                    f"{short_fr} : est-ce que vous ou une autre personne l'avez signalé à la police?",
                    f"{short_en}: did you or anyone else report it to the police?",
                ),
                hint=(
                    "Si c'est arrivé plus d'une fois, pensez à la fois la plus récente.",
                    "If it happened more than once, think of the most recent time.",
                ),
                relevant=f"selected(${{victim_types}}, '{code}')",
            )
        )
    add(
        _note(
            "victim_help_note",
            (
                "Si vous avez vécu une situation difficile, vous pouvez obtenir de l'aide gratuite "
                "et confidentielle auprès d'un Centre d'aide aux victimes d'actes criminels (CAVAC) : "
                "1 866 532-2822 ou cavac.qc.ca. En cas d'urgence, composez le 911.",
                "If you went through a difficult experience, you can get free and confidential help "
                "from a Crime Victims Assistance Centre (CAVAC): 1-866-532-2822 or cavac.qc.ca. "
                "In an emergency, call 911.",
            ),
        )
    )
    add(_end("victimisation"))

    # -- 5. Incivilities and disorder (Likert matrix) -----------------------------------------
    add(_begin("disorder", ("Problèmes dans votre quartier", "Problems in your neighbourhood")))
    add(
        _note(
            "disorder_note",
            (
                "Dans votre quartier, à quel point chacune de ces situations est-elle un problème?",
                "In your neighbourhood, how much of a problem is each of the following?",
            ),
        )
    )
    for name, label in DISORDER_ITEMS:
        add(_one("problem", name, label, appearance="likert"))
    add(_end("disorder"))

    # -- 6. Social cohesion and well-being ----------------------------------------------------
    add(
        _begin(
            "cohesion",
            ("Votre quartier et votre bien-être", "Your neighbourhood and your well-being"),
        )
    )
    add(
        _note(
            "cohesion_note",
            (
                "Êtes-vous d'accord ou en désaccord avec les phrases suivantes sur votre quartier?",
                "Do you agree or disagree with the following statements about your neighbourhood?",
            ),
        )
    )
    for name, label in COHESION_ITEMS:
        add(_one("agree", name, label, appearance="likert"))
    add(
        _one(
            "scale_0_10",
            "life_satisfaction",
            (
                "Sur une échelle de 0 à 10, où 0 veut dire « très insatisfait·e » et 10 veut dire "
                "« très satisfait·e », comment vous sentez-vous par rapport à votre vie en général "
                "en ce moment?",
                "Using a scale of 0 to 10, where 0 means “very dissatisfied” and 10 means "
                "“very satisfied”, how do you feel about your life as a whole right now?",
            ),
            appearance="likert",
        )
    )
    add(_end("cohesion"))

    # -- 7. Trust in police and satisfaction with municipal services -------------------------
    add(_begin("trust", ("La police et les services municipaux", "Police and city services")))
    add(
        _one(
            "trust",
            "police_confidence",
            (
                "Quel degré de confiance avez-vous envers la police de votre secteur?",
                "How much confidence do you have in the police in your area?",
            ),
        )
    )
    add(
        _note(
            "police_note",
            (
                "Selon vous, la police de votre secteur fait-elle un bon travail, un travail moyen "
                "ou un mauvais travail pour…",
                "Do you think the police in your area do a good job, an average job or a poor "
                "job of…",
            ),
        )
    )
    for name, label in POLICE_ITEMS:
        add(_one("job", name, label, appearance="likert"))
    add(
        _note(
            "services_note",
            (
                "Dans votre quartier, êtes-vous satisfait ou satisfaite des services suivants?",
                "In your neighbourhood, how satisfied or dissatisfied are you with the following "
                "services?",
            ),
        )
    )
    for name, label in SERVICE_ITEMS:
        add(_one("satisfaction", name, label, appearance="likert"))
    add(_end("trust"))

    # -- 8. About you (weighting and equity analysis) -----------------------------------------
    add(_begin("about", ("À propos de vous", "About you")))
    add(
        _note(
            "about_note",
            (
                "Ces questions servent à vérifier que les réponses représentent bien toute la "
                "population. Elles restent anonymes.",
                "These questions help us check that the answers represent everyone who lives here. "
                "They remain anonymous.",
            ),
        )
    )
    add(
        _one(
            "gender",
            "gender",
            ("Quel est votre genre?", "What is your gender?"),
            hint=(
                "Votre genre actuel. Il peut être différent du sexe assigné à la naissance.",
                "Your current gender. It may be different from the sex you were assigned at birth.",
            ),
            required=True,
        )
    )
    add(
        _one(
            "territory_neighbourhood",
            "neighbourhood",
            ("Dans quel quartier habitez-vous?", "Which neighbourhood do you live in?"),
            hint=(
                "Si votre quartier n'est pas dans la liste ou si vous ne savez pas, "
                "choisissez « Autre / je ne sais pas ».",
                "If your neighbourhood is not in the list or you don't know, "
                "choose “Other / I don't know”.",
            ),
            required=True,
            required_message=(
                "Veuillez choisir votre quartier ou « Autre / je ne sais pas ».",
                "Please choose your neighbourhood or “Other / I don't know”.",
            ),
            appearance="minimal",
        )
    )
    add(
        _row(
            "text",
            "postal_code",
            ("Quel est votre code postal?", "What is your postal code?"),
            hint=(
                "Facultatif. Seuls les 3 premiers caractères (par exemple H2X) sont conservés.",
                "Optional. Only the first 3 characters (for example H2X) are kept.",
            ),
            constraint=f"regex(., '{POSTAL_CODE_REGEX}')",
            constraint_message=(
                "Entrez un code postal canadien, par exemple H2X 1Y4 ou seulement H2X.",
                "Enter a Canadian postal code, for example H2X 1Y4 or just H2X.",
            ),
        )
    )
    add(
        _one(
            "years_address",
            "years_address",
            (
                "Depuis combien de temps habitez-vous à votre adresse actuelle?",
                "How long have you lived at your current address?",
            ),
        )
    )
    add(
        _row(
            "integer",
            "household_size",
            (
                "Combien de personnes vivent dans votre logement, en vous comptant?",
                "How many people live in your home, including you?",
            ),
            hint=("Écrivez 1 si vous vivez seul ou seule.", "Write 1 if you live alone."),
            constraint=". >= 1 and . <= 20",
            constraint_message=("Entrez un nombre de 1 à 20.", "Enter a number from 1 to 20."),
        )
    )
    add(
        _one(
            "yes_no_refused",
            "children_under_18",
            (
                "Y a-t-il des enfants de moins de 18 ans dans votre logement?",
                "Are there children under 18 living in your home?",
            ),
            relevant="not(${household_size} = 1)",
        )
    )
    add(
        _one(
            "yes_no_refused",
            "disability",
            (
                "Avez-vous une incapacité ou un problème de santé de longue durée qui limite vos "
                "activités de tous les jours?",
                "Do you have a disability or a long-term health condition that limits your daily "
                "activities?",
            ),
            hint=OPTIONAL,
        )
    )
    add(
        _one(
            "yes_no_refused",
            "racialized",
            (
                "Vous considérez-vous comme une personne racisée ou membre d'une minorité visible?",
                "Do you consider yourself a racialized person or a member of a visible minority?",
            ),
            hint=(
                "Facultatif. Cette question aide à voir si certains groupes se sentent moins "
                "en sécurité.",
                "Optional. This question helps us see whether some groups feel less safe.",
            ),
        )
    )
    add(
        _one(
            "yes_no_refused",
            "indigenous",
            (
                "Êtes-vous une personne autochtone, c'est-à-dire membre des Premières Nations, "
                "Métis ou Inuk (Inuit)?",
                "Are you an Indigenous person, that is, First Nations, Métis or Inuk (Inuit)?",
            ),
            hint=OPTIONAL,
        )
    )
    add(_end("about"))

    # -- 9. End ------------------------------------------------------------------------------
    add(_begin("end", ("Fin du sondage", "End of the survey")))
    add(
        _row(
            "text",
            "comments",
            (
                "Avez-vous des commentaires ou des idées pour améliorer la sécurité et le bien-être "
                "dans votre quartier?",
                "Do you have any comments or ideas to improve safety and well-being in your "
                "neighbourhood?",
            ),
            hint=(
                "Facultatif. N'écrivez pas de nom ni de renseignement qui pourrait permettre "
                "de vous reconnaître.",
                "Optional. Do not write names or anything that could identify you.",
            ),
            appearance="multiline",
        )
    )
    add(
        _note(
            "thanks_note",
            (
                "Merci beaucoup d'avoir répondu! N'oubliez pas d'envoyer vos réponses.",
                "Thank you very much for your answers! Don't forget to submit them.",
            ),
        )
    )
    add(_end("end"))
    return rows


# --------------------------------------------------------------------------------------------
# Choices
# --------------------------------------------------------------------------------------------


def _safety_list(never: Text) -> list[tuple[str, Text]]:
    """The SDG 16.1.4 four-point scale, the context's "never alone" answer, then DK / refused."""
    return [
        ("very_safe", ("Très en sécurité", "Very safe")),
        ("fairly_safe", ("Assez en sécurité", "Fairly safe")),
        ("bit_unsafe", ("Un peu en insécurité", "A bit unsafe")),
        ("very_unsafe", ("Très en insécurité", "Very unsafe")),
        ("never_alone", never),
        ("dk", DK),
        ("refused", REFUSED),
    ]


def choice_lists() -> dict[str, list[tuple[str, Text]]]:
    """The ``choices`` sheet: list name -> [(code, (fr, en)), ...] in display order."""
    satisfaction = [
        ("very_satisfied", ("Très satisfait·e", "Very satisfied")),
        ("satisfied", ("Satisfait·e", "Satisfied")),
        ("neutral", ("Ni satisfait·e ni insatisfait·e", "Neither satisfied nor dissatisfied")),
        ("dissatisfied", ("Insatisfait·e", "Dissatisfied")),
        ("very_dissatisfied", ("Très insatisfait·e", "Very dissatisfied")),
        ("dk", DK),
    ]
    scale_0_10: list[tuple[str, Text]] = [(str(i), (str(i), str(i))) for i in range(11)]
    scale_0_10[0] = ("0", ("0 – Très insatisfait·e", "0 – Very dissatisfied"))
    scale_0_10[10] = ("10", ("10 – Très satisfait·e", "10 – Very satisfied"))
    return {
        "yes_no": [("yes", ("Oui", "Yes")), ("no", ("Non", "No"))],
        "yes_no_dk": [("yes", ("Oui", "Yes")), ("no", ("Non", "No")), ("dk", DK)],
        "yes_no_refused": [("yes", ("Oui", "Yes")), ("no", ("Non", "No")), ("refused", REFUSED)],
        "age_group": [
            ("under_15", ("Moins de 15 ans", "Under 15")),
            ("age_15_24", ("15 à 24 ans", "15 to 24")),
            ("age_25_34", ("25 à 34 ans", "25 to 34")),
            ("age_35_44", ("35 à 44 ans", "35 to 44")),
            ("age_45_54", ("45 à 54 ans", "45 to 54")),
            ("age_55_64", ("55 à 64 ans", "55 to 64")),
            ("age_65_74", ("65 à 74 ans", "65 to 74")),
            ("age_75_plus", ("75 ans et plus", "75 and over")),
            ("refused", REFUSED),
        ],
        "safety_dark": _safety_list(
            (
                "Je ne marche jamais seul ou seule une fois la nuit tombée",
                "I never walk alone after dark",
            )
        ),
        "safety_day": _safety_list(
            ("Je ne marche jamais seul ou seule le jour", "I never walk alone during the day")
        ),
        "safety_home": _safety_list(
            (
                "Je ne suis jamais seul ou seule chez moi le soir ou la nuit",
                "I am never alone at home in the evening or at night",
            )
        ),
        "safety_transit": _safety_list(
            (
                "Je ne prends jamais le transport en commun seul ou seule une fois la nuit tombée",
                "I never use public transit alone after dark",
            )
        ),
        "satisfaction": satisfaction,
        "trend": [
            ("increased", ("A augmenté", "Increased")),
            ("decreased", ("A diminué", "Decreased")),
            ("same", ("Est restée à peu près la même", "Remained about the same")),
            ("dk", DK),
        ],
        "avoid_place": [
            ("parks", ("Des parcs ou des espaces verts", "Parks or green spaces")),
            (
                "transit",
                (
                    "Des arrêts d'autobus ou des stations de métro ou de train",
                    "Bus stops or metro or train stations",
                ),
            ),
            ("streets", ("Certaines rues ou ruelles", "Certain streets or alleys")),
            (
                "commercial",
                ("Des rues commerciales ou des centres commerciaux", "Shopping streets or malls"),
            ),
            ("parking", ("Des stationnements", "Parking lots or garages")),
            (
                "underpass",
                (
                    "Des tunnels, des viaducs ou des sentiers isolés",
                    "Tunnels, underpasses or isolated paths",
                ),
            ),
            ("other", ("Un autre endroit", "Another place")),
            ("none", ("Non, je n'ai évité aucun endroit", "No, I did not avoid any place")),
        ],
        "behaviour": [
            (
                "changed_routine",
                ("Changer mes habitudes ou mes activités", "Change my routine or activities"),
            ),
            (
                "stay_home",
                (
                    "Rester chez moi le soir plutôt que de sortir",
                    "Stay home in the evening instead of going out",
                ),
            ),
            ("go_with", ("Sortir seulement avec quelqu'un", "Go out only with someone else")),
            (
                "plan_route",
                (
                    "Choisir mon trajet pour éviter certains endroits",
                    "Plan my route to avoid certain places",
                ),
            ),
            (
                "car_taxi",
                (
                    "Prendre l'auto ou un taxi au lieu de marcher ou de prendre le transport en commun",
                    "Take a car or taxi instead of walking or taking public transit",
                ),
            ),
            (
                "phone",
                (
                    "Garder mon téléphone à la main ou partager ma position",
                    "Keep my phone in my hand or share my location",
                ),
            ),
            (
                "home_security",
                (
                    "Ajouter des serrures, une alarme, une caméra ou de l'éclairage chez moi",
                    "Add locks, an alarm, a camera or lighting at home",
                ),
            ),
            ("none", ("Aucune de ces choses", "None of these")),
        ],
        "victim_type": [
            *((code, label) for code, label, _short in VICTIM_TYPES),
            ("none", ("Aucune de ces situations", "None of these")),
            ("refused", REFUSED),
        ],
        "problem": [
            ("not_problem", ("Pas un problème", "Not a problem")),
            ("small_problem", ("Un petit problème", "A small problem")),
            ("big_problem", ("Un gros problème", "A big problem")),
            ("dk", DK),
        ],
        "agree": [
            ("strongly_agree", ("Tout à fait d'accord", "Strongly agree")),
            ("agree", ("Plutôt d'accord", "Somewhat agree")),
            ("neutral", ("Ni en accord ni en désaccord", "Neither agree nor disagree")),
            ("disagree", ("Plutôt en désaccord", "Somewhat disagree")),
            ("strongly_disagree", ("Tout à fait en désaccord", "Strongly disagree")),
            ("dk", DK),
        ],
        "scale_0_10": scale_0_10,
        "trust": [
            ("great_deal", ("Une très grande confiance", "A great deal of confidence")),
            ("quite_lot", ("Une assez grande confiance", "Quite a lot of confidence")),
            ("some", ("Une certaine confiance", "Some confidence")),
            ("not_much", ("Peu de confiance", "Not very much confidence")),
            ("none_at_all", ("Aucune confiance", "No confidence at all")),
            ("dk", DK),
        ],
        "job": [
            ("good", ("Bon travail", "Good job")),
            ("average", ("Travail moyen", "Average job")),
            ("poor", ("Mauvais travail", "Poor job")),
            ("dk", DK),
        ],
        "gender": [
            ("woman", ("Femme", "Woman")),
            ("man", ("Homme", "Man")),
            (
                "another",
                (
                    "Une autre identité de genre (par exemple non binaire)",
                    "Another gender (for example non-binary)",
                ),
            ),
            ("refused", REFUSED),
        ],
        # Filled by the application from the workspace's `neighbourhood` layer (rows inserted
        # before `other`); pyxform needs the list to exist, so `other` always stays.
        "territory_neighbourhood": [("other", ("Autre / je ne sais pas", "Other / I don't know"))],
        "years_address": [
            ("lt_1", ("Moins d'un an", "Less than 1 year")),
            ("y1_4", ("1 à 4 ans", "1 to 4 years")),
            ("y5_9", ("5 à 9 ans", "5 to 9 years")),
            ("y10_plus", ("10 ans ou plus", "10 years or more")),
            ("refused", REFUSED),
        ],
    }


def settings_row() -> dict[str, str]:
    return {
        "form_title": FORM_TITLE,
        # Each language's title (read by urbansafety; other tools show form_title).
        "form_title_fr": FORM_TITLE_FR,
        "form_title_en": FORM_TITLE_EN,
        "form_id": FORM_ID,
        "version": VERSION,
        "default_language": FR,
        # Enketo shows one section (field-list group) per screen: easier on a phone.
        "style": "pages",
    }


# --------------------------------------------------------------------------------------------
# Workbook
# --------------------------------------------------------------------------------------------


def sheet_values() -> dict[str, list[list[str | None]]]:
    """Cell values of the three sheets, header first; empty cells are ``None``."""

    def cells(columns: Sequence[str], rows: list[dict[str, str]]) -> list[list[str | None]]:
        out: list[list[str | None]] = [list(columns)]
        for row in rows:
            unknown = set(row) - set(columns)
            if unknown:
                raise ValueError(f"unknown column(s) {sorted(unknown)} in row {row}")
            line: list[str | None] = []
            for col in columns:
                value = row.get(col) or None
                if value is not None and FR in col:
                    value = _fr_typography(value)
                line.append(value)
            out.append(line)
        return out

    choice_rows = [
        {"list_name": list_name, "name": code, f"label::{FR}": fr, f"label::{EN}": en}
        for list_name, items in choice_lists().items()
        for code, (fr, en) in items
    ]
    return {
        "survey": cells(SURVEY_COLUMNS, survey_rows()),
        "choices": cells(CHOICES_COLUMNS, choice_rows),
        "settings": cells(SETTINGS_COLUMNS, [settings_row()]),
    }


_WIDTHS = {"type": 34, "name": 22, "relevant": 40, "constraint": 40, "appearance": 12}


def build(path: Path | str = TEMPLATE_PATH) -> Path:
    """Write the template workbook to ``path`` and return it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheet_values().items():
        ws = wb.create_sheet(title)
        for line in rows:
            ws.append(line)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "C2" if title == "survey" else "A2"
        for idx, header in enumerate(rows[0], start=1):
            letter = get_column_letter(idx)
            is_text = "::" in str(header) or header == "form_title"
            ws.column_dimensions[letter].width = _WIDTHS.get(str(header), 50 if is_text else 18)
            if is_text:
                for cell in ws[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Fixed metadata so that rebuilding an unchanged questionnaire gives the same document.
    stamp = _dt.datetime(2026, 11, 23)
    wb.properties.creator = "urbansafety build_safety.py"
    wb.properties.title = FORM_TITLE
    wb.properties.created = stamp
    wb.properties.modified = stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "output", nargs="?", type=Path, default=TEMPLATE_PATH, help="where to write the .xlsx"
    )
    args = parser.parse_args(argv)
    print(build(args.output))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
