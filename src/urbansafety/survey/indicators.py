"""Standard indicators of the built-in safety survey, each with its definition.

Every indicator is computed from the answers named as in the template
(``survey/templates/README.md``): codes are strings; a ``select_multiple`` answer is its codes
separated by spaces, as XLSForm servers export it (``victim_types = "break_in theft"``).
Each indicator becomes a 0/1 variable (proportions) or a score (indices) per respondent, NaN
for respondents outside its denominator, and the estimate is `estimate.proportion` or
`estimate.mean` of that variable: variances, intervals, deff, flags (n < min_n) and
suppression (n < floor) are those of `survey.estimate`. By subgroup, each subgroup is a
domain of the whole design (`estimates_by`, R's ``svyby``).

Rules (``dk``, ``refused``, empty answers and non-response are never in a denominator):

- ``unsafe_dark`` (SDG 16.1.4, both ways): (``bit_unsafe`` + ``very_unsafe``) / respondents
  answering a scale point or ``never_alone``; ``unsafe_dark_walkers``: the same among those who
  walk alone (``never_alone`` excluded). ``safe_dark`` is the SDG's own form (``very_safe`` +
  ``fairly_safe`` over all who answered, ``never_alone`` included, as in the SDG metadata's
  usual computation) and ``never_alone_dark`` the share who never walk alone after dark,
  always published beside it.
- ``avoid_any``: ``avoid_places`` holds any code other than ``none`` / respondents who
  answered ``avoid_places``.
- ``victim_<type>``: ``victim_types`` contains the type / respondents who answered
  ``victim_types`` other than ``refused``; ``victim_any``: any answer other than ``none``.
- ``reported_<type>``: ``yes`` / (``yes`` + ``no``) among respondents whose ``victim_types``
  contains the type (``dk`` excluded).
- ``incivility_index``: mean of the ``dis_*`` items scored ``not_problem`` 0,
  ``small_problem`` 1, ``big_problem`` 2, over the items answered (``dk`` excluded), rescaled
  0-100; only respondents with at least 4 of the 7 items answered (template README,
  indicator 6).
- ``cohesion_index``: mean of the five ``coh_*`` items scored ``strongly_disagree`` 1 …
  ``strongly_agree`` 5, rescaled 0-100 (none is reversed: ``coh_get_along`` was turned
  positive in the template); only respondents with at least 3 items answered (indicator 7).
- ``police_confidence``: % ``great_deal`` or ``quite_lot``; ``satisfied_<item>``: %
  ``very_satisfied`` or ``satisfied`` for ``satisfied_safety`` and each ``sat_*`` item.

Proportions are on 0-1, indices on 0-100. An indicator whose questions are not all in the data
(an adapted form) is skipped and listed in the result's ``attrs["skipped"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from urbansafety.survey.design import SurveyDesign
from urbansafety.survey.estimate import FLOOR, MIN_N, Estimate, estimate, estimates_by

_VALUES = ("estimate", "se", "ci_low", "ci_high", "n", "deff", "flagged", "suppressed", "method")
COLUMNS = ("code", "group", *_VALUES)
_SCALE = ("very_safe", "fairly_safe", "bit_unsafe", "very_unsafe")
_AGREE = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
_PROBLEM = ("not_problem", "small_problem", "big_problem")
_SATISFACTION = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")


@dataclass(frozen=True)
class IndicatorDefinition:
    """One standard indicator: what it means (in both languages) and how it is computed.

    kind "proportion": respondents whose answer to questions[0] is one of numerator
    (``select_multiple``: contains one of them) over those whose answer is one of denominator
    (``select_multiple``: any answer without an exclude code; an empty numerator counts any
    code but ``none``). ``among`` = (question, code) keeps
    only respondents whose ``select_multiple`` answer contains code.
    kind "mean": each item of questions is scored by scoring; a respondent's score is the mean
    of the items answered, kept when at least min_items are, rescaled to 0-100.
    """

    code: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    kind: str
    questions: tuple[str, ...]
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    multiple: bool = False
    exclude: tuple[str, ...] = ()
    among: tuple[str, str] | None = None
    scoring: tuple[tuple[str, int], ...] = ()
    min_items: int = 1
    source: str = ""


def _proportion(
    code: str,
    labels: tuple[str, str, str, str],
    question: str,
    numerator: Sequence[str],
    denominator: Sequence[str],
    source: str,
    **more: Any,
) -> IndicatorDefinition:
    kind, num, den = "proportion", tuple(numerator), tuple(denominator)
    return IndicatorDefinition(code, *labels, kind, (question,), num, den, source=source, **more)


_TYPES = (
    ("break_in", "une entrée par effraction", "a break-in"),
    ("theft", "un vol", "a theft"),
    ("vandalism", "du vandalisme", "vandalism"),
    ("assault", "une agression ou une menace", "an assault or a threat"),
    ("harassment", "du harcèlement ou de l'intimidation", "harassment or intimidation"),
    ("sexual", "du harcèlement ou une agression sexuelle", "sexual harassment or assault"),
    ("fraud", "une fraude ou une arnaque", "a fraud or a scam"),
)
_SATISFIED = (
    ("satisfied_safety", "sa sécurité personnelle", "their personal safety from crime"),
    ("sat_lighting", "l'éclairage des rues, parcs et ruelles", "street, park and alley lighting"),
    ("sat_cleanliness", "la propreté des lieux publics", "cleanliness of public places"),
    ("sat_parks", "l'aménagement et l'entretien des parcs", "design and upkeep of parks"),
    ("sat_transit", "la sécurité dans le transport en commun", "safety on public transit"),
)
_VALID_DARK = (*_SCALE, "never_alone")
_VICTIM = "victim_types"
_VICTIM_RULE_FR = "parmi les personnes qui ont répondu (sauf « je préfère ne pas répondre »)"
_VICTIM_RULE_EN = 'among respondents who answered (not "prefer not to answer")'
_DIS = tuple(
    f"dis_{x}" for x in ("graffiti", "garbage", "drugs", "drunk", "noise", "speeding", "groups")
)
_COH = tuple(f"coh_{x}" for x in ("help", "close", "trust", "get_along", "act"))

# fmt: off
INDICATORS: tuple[IndicatorDefinition, ...] = (
    _proportion(
        "unsafe_dark",
        (
            "% en insécurité le soir (ODD 16.1.4)", "% feeling unsafe after dark (SDG 16.1.4)",
            "Un peu ou très en insécurité en marchant seul ou seule dans le quartier une fois la "
            "nuit tombée, parmi toutes les réponses, y compris « je ne marche jamais seul ou "
            "seule »; « je ne sais pas » et refus exclus.",
            "A bit or very unsafe walking alone in the area after dark, among all answers "
            'including "I never walk alone after dark"; don\'t know and refused excluded.',
        ),
        "safe_dark", ("bit_unsafe", "very_unsafe"), _VALID_DARK, "SDG 16.1.4 (UNODC); ICVS",
    ),
    _proportion(
        "unsafe_dark_walkers",
        (
            "% en insécurité le soir, parmi les personnes qui marchent seules",
            "% feeling unsafe after dark, among those who walk alone",
            "Comme l'indicateur ODD 16.1.4, sans les personnes qui ne marchent jamais seules une "
            "fois la nuit tombée.",
            "As the SDG 16.1.4 indicator, without those who never walk alone after dark.",
        ),
        "safe_dark", ("bit_unsafe", "very_unsafe"), _SCALE, "SDG 16.1.4 variant; GSS",
    ),
    _proportion(
        "safe_dark",
        (
            "% en sécurité le soir (ODD 16.1.4)", "% feeling safe after dark (SDG 16.1.4)",
            "Très ou assez en sécurité, parmi toutes les réponses, y compris « je ne marche "
            "jamais seul ou seule ».",
            'Very or fairly safe, among all answers including "I never walk alone after dark".',
        ),
        "safe_dark", ("very_safe", "fairly_safe"), _VALID_DARK, "SDG 16.1.4 (UNODC)",
    ),
    _proportion(
        "never_alone_dark",
        (
            "% qui ne marchent jamais seuls le soir", "% who never walk alone after dark",
            "Répond « je ne marche jamais seul ou seule une fois la nuit tombée », parmi toutes "
            "les réponses.", 'Answers "I never walk alone after dark", among all answers.',
        ),
        "safe_dark", ("never_alone",), _VALID_DARK, "SDG 16.1.4 metadata; GSS",
    ),
    _proportion(
        "avoid_any",
        (
            "% qui évitent des endroits", "% avoiding places",
            "A évité au moins un endroit du quartier au cours des 12 derniers mois parce qu'il "
            "ne s'y sentait pas en sécurité, parmi les personnes qui ont répondu.",
            "Avoided at least one place in the neighbourhood in the last 12 months for safety "
            "reasons, among respondents who answered.",
        ),
        "avoid_places", (), (), "GSS13 A21", multiple=True,
    ),
    _proportion(
        "victim_any",
        (
            "% victimes (12 mois), tous types", "% victimised (12 months), any type",
            f"A vécu au moins une des situations au cours des 12 derniers mois, {_VICTIM_RULE_FR}.",
            f"Experienced at least one of the situations in the last 12 months, {_VICTIM_RULE_EN}.",
        ),
        _VICTIM, (), (), "GSS; ICVS", multiple=True, exclude=("refused",),
    ),
    *(
        _proportion(
            f"victim_{t}",
            (
                f"% victimes (12 mois) : {fr}", f"% victimised (12 months): {en}",
                f"A vécu {fr} au cours des 12 derniers mois, {_VICTIM_RULE_FR}.",
                f"Experienced {en} in the last 12 months, {_VICTIM_RULE_EN}.",
            ),
            _VICTIM, (t,), (), "GSS; ICVS", multiple=True, exclude=("refused",),
        )
        for t, fr, en in _TYPES
    ),
    *(
        _proportion(
            f"reported_{t}",
            (
                f"% signalé à la police : {fr}", f"% reported to the police: {en}",
                f"Parmi les personnes qui ont vécu {fr} (12 mois) et ont répondu oui ou non, c'est "
                "signalé à la police (« je ne sais pas » exclu).",
                f"Among victims of {en} (12 months) who answered yes or no, the incident was "
                "reported to the police (don't know excluded).",
            ),
            f"reported_{t}", ("yes",), ("yes", "no"), "ICVS", among=(_VICTIM, t),
        )
        for t, fr, en in _TYPES
    ),
    IndicatorDefinition(
        "incivility_index", "Indice d'incivilités (0-100)", "Incivility index (0-100)",
        "Moyenne des 7 problèmes du quartier (pas un problème 0, petit 1, gros 2), sur les "
        "éléments répondus, ramenée sur 100; au moins 4 éléments répondus.",
        "Mean of the 7 neighbourhood problems (not a problem 0, small 1, big 2) over the "
        "items answered, rescaled to 100; at least 4 items answered.", "mean", _DIS,
        scoring=tuple(zip(_PROBLEM, range(3), strict=True)), min_items=4, source="GSS; CSEW",
    ),
    IndicatorDefinition(
        "cohesion_index", "Indice de cohésion sociale (0-100)", "Social cohesion index (0-100)",
        "Moyenne des 5 énoncés (tout à fait en désaccord 1 … tout à fait d'accord 5), ramenée "
        "de 0 à 100; au moins 3 énoncés répondus.",
        "Mean of the 5 statements (strongly disagree 1 … strongly agree 5), rescaled 0-100; "
        "at least 3 statements answered.", "mean", _COH,
        scoring=tuple(zip(_AGREE, range(1, 6), strict=True)), min_items=3,
        source="Sampson, Raudenbush & Earls 1997",
    ),
    _proportion(
        "police_confidence",
        (
            "% confiance envers la police", "% confident in the police",
            "Beaucoup ou assez de confiance envers la police du secteur, parmi les réponses "
            "(« je ne sais pas » exclu).",
            "A great deal or quite a lot of confidence in the local police, among answers "
            "(don't know excluded).",
        ),
        "police_confidence", ("great_deal", "quite_lot"),
        ("great_deal", "quite_lot", "some", "not_much", "none_at_all"), "GSS",
    ),
    *(
        _proportion(
            "satisfied_safety" if q == "satisfied_safety" else f"satisfied_{q[4:]}",
            (
                f"% satisfaits : {fr}", f"% satisfied: {en}",
                f"Très satisfait·e ou satisfait·e de {fr}, parmi les réponses (« je ne sais pas » "
                "exclu).",
                f"Very satisfied or satisfied with {en}, among answers (don't know excluded).",
            ),
            q, _SATISFACTION[:2], _SATISFACTION, "GSS" if q == "satisfied_safety" else "ours",
        )
        for q, fr, en in _SATISFIED
    ),
)
# fmt: on


def _answers(column: pd.Series) -> pd.Series:
    """Return the answers as stripped strings, NaN for non-response and empty answers."""
    text = column.astype("string").str.strip()
    return text.where(text.notna() & (text != ""))


def _codes(column: pd.Series) -> list[Any]:
    """Return the answers as a list: stripped strings, None for non-response."""
    return [a if isinstance(a, str) else None for a in _answers(column).astype(object)]


def _selected(answers: pd.Series) -> list[set[str]]:
    return [set(a.split()) if a else set() for a in _codes(answers)]


def indicator_values(data: pd.DataFrame, definition: IndicatorDefinition) -> np.ndarray:
    """Return each respondent's value for the indicator: 0/1 or a 0-100 score, NaN if excluded."""
    d = definition
    if d.kind == "mean":
        score = dict(d.scoring)
        low, high = min(score.values()), max(score.values())
        items = np.array(
            [[score.get(a, np.nan) for a in _codes(data[q])] for q in d.questions], dtype=float
        ).T.reshape(len(data), len(d.questions))
        answered = (~np.isnan(items)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(np.where(answered[:, None] > 0, items, 0.0), axis=1)
        return np.where(answered >= d.min_items, (mean - low) / (high - low) * 100.0, np.nan)
    answers = _answers(data[d.questions[0]])
    if d.multiple:
        sets, drop, wanted = _selected(answers), set(d.exclude), set(d.numerator)
        valid = np.array([bool(s) and not s & drop for s in sets], dtype=bool)
        hit = np.array([bool(s & wanted if wanted else s - {"none"}) for s in sets], dtype=bool)
    else:
        valid = answers.isin(d.denominator).fillna(False).to_numpy(dtype=bool)
        hit = answers.isin(d.numerator).fillna(False).to_numpy(dtype=bool)
    if d.among is not None:
        question, code = d.among
        valid = valid & np.array([code in s for s in _selected(data[question])], dtype=bool)
    return np.where(valid, hit.astype(float), np.nan)


def _record(code: str, group: Any, est: Estimate | dict[str, Any]) -> dict[str, Any]:
    fields = est if isinstance(est, dict) else asdict(est)
    return {"code": code, "group": group} | {k: fields[k] for k in _VALUES}


def compute_indicators(
    design: SurveyDesign,
    *,
    by: str | None = None,
    level: float = 0.95,
    min_n: int = MIN_N,
    floor: int = FLOOR,
    indicators: Sequence[IndicatorDefinition] = INDICATORS,
) -> pd.DataFrame:
    """Return one row per indicator (times subgroup of by, e.g. "neighbourhood").

    Columns: code, group (None without by), estimate, se, ci_low, ci_high, n, deff, flagged,
    suppressed, method. Subgroups are those observed in by (domains of the whole design).
    """
    data = design.data.reset_index(drop=True)
    present = [d for d in indicators if all(q in data.columns for q in _needs(d))]
    derived = pd.DataFrame(
        {f"__ind_{i}": indicator_values(data, d) for i, d in enumerate(present)}, index=data.index
    )
    frame = pd.concat([data, derived], axis=1)
    work = replace(design, data=frame)
    options: dict[str, Any] = {"level": level, "min_n": min_n, "floor": floor}
    records: list[dict[str, Any]] = []
    for i, d in enumerate(present):
        column, statistic = f"__ind_{i}", d.kind
        if by is None:
            records.append(_record(d.code, None, estimate(work, column, statistic, **options)))
            continue
        table = estimates_by(work, column, by, statistic, **options)
        records.extend(_record(d.code, row[by], row) for row in table.to_dict("records"))
    result = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    result.attrs["skipped"] = [d.code for d in indicators if d not in present]
    return result


def _needs(definition: IndicatorDefinition) -> tuple[str, ...]:
    among = (definition.among[0],) if definition.among else ()
    return (*definition.questions, *among)


def definitions_table(indicators: Sequence[IndicatorDefinition] = INDICATORS) -> pd.DataFrame:
    """Return the definitions as a table (one row per indicator), for the indicator system."""
    return pd.DataFrame([asdict(d) for d in indicators])
