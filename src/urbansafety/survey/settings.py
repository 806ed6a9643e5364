"""Options of the survey analysis ([survey] in urbansafety.toml), with the template's defaults.

The weighting needs to know which answer codes stand for which census category: the safety
template asks age in ten-year groups (``age_25_34``, ``age_35_44``…) while the population
table counts 25-44; it asks ``woman`` / ``man`` while the census counts ``F`` / ``M``. The
defaults below are the template's; a workspace whose form or census differs overrides them::

    [survey]
    margins = ["age_group", "gender", "neighbourhood"]   # or ["age_group*gender", "neighbourhood"]
    layer = "neighbourhood"      # territory layer of the population margins
    trim = [0.3, 3.0]            # weights bounded to 0.3-3 times the mean weight (default: none)
    method = "rake"              # or "poststratify"
    min_n = 30                   # estimates on fewer respondents are flagged
    floor = 10                   # and suppressed below this

    [survey.age_groups]          # answer code = population age group
    age_15_24 = "15-24"
    age_25_34 = "25-44"

    [survey.genders]
    woman = "F"
    man = "M"

Codes with no population category (``refused``, ``another``, the ``other`` neighbourhood) are
non-answers for the weighting (see `population_margins`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from urbansafety.errors import ConfigError, Where
from urbansafety.i18n import N_

WEIGHTING_VARIABLES = ("age_group", "gender", "neighbourhood")
METHODS = ("rake", "poststratify")

# The safety template's codes (templates/README.md) and the census groups of the population
# table. under_15 is screened out by the form, so 0-14 has no respondent and no margin.
DEFAULT_AGE_GROUPS: dict[str, str] = {
    "age_15_24": "15-24",
    "age_25_34": "25-44",
    "age_35_44": "25-44",
    "age_45_54": "45-64",
    "age_55_64": "45-64",
    "age_65_74": "65+",
    "age_75_plus": "65+",
}
DEFAULT_GENDERS: dict[str, str] = {"woman": "F", "man": "M"}


@dataclass(frozen=True)
class SurveySettings:
    """How survey responses are weighted and published ([survey] in urbansafety.toml)."""

    margins: tuple[str, ...] = WEIGHTING_VARIABLES
    layer: str = "neighbourhood"
    year: int | None = None
    trim: tuple[float, float] | None = None
    method: str = "rake"
    min_n: int = 30
    floor: int = 10
    age_groups: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_AGE_GROUPS))
    genders: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_GENDERS))


def _bad(message: str, where: Where | None, **params: Any) -> ConfigError:
    hint = N_("See docs/survey-analysis.md for the [survey] settings and their defaults.")
    return ConfigError(message, hint=hint, where=where, params=params)


def _codes(table: Any, name: str, default: Mapping[str, str], where: Where | None) -> dict:
    if table is None:
        return dict(default)
    if not isinstance(table, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in table.items()
    ):
        raise _bad(
            N_("[survey.%(name)s] must map answer codes to population categories."),
            where,
            name=name,
        )
    return dict(table)


def survey_settings(table: Mapping[str, Any], where: Where | None = None) -> SurveySettings:
    """Return the settings of a parsed [survey] table (defaults for what it does not set)."""
    d = SurveySettings()
    margins = table.get("margins", list(d.margins))
    if not isinstance(margins, list) or not all(isinstance(m, str) for m in margins):
        raise _bad(N_("[survey] margins must be a list of texts."), where)
    trim = table.get("trim", list(d.trim or ()))
    if not isinstance(trim, list) or len(trim) not in (0, 2):
        raise _bad(N_("[survey] trim must be two numbers (low and high bounds) or []."), where)
    method = table.get("method", d.method)
    if method not in METHODS:
        raise _bad(
            N_("[survey] method must be rake or poststratify, not %(value)s."), where, value=method
        )
    numbers = {k: table.get(k, getattr(d, k)) for k in ("min_n", "floor")}
    if not all(isinstance(v, int) and v >= 1 for v in numbers.values()):
        raise _bad(N_("[survey] min_n and floor must be whole numbers of at least 1."), where)
    year = table.get("year")
    if year is not None and not isinstance(year, int):
        raise _bad(N_("[survey] year must be a whole number."), where)
    out = SurveySettings(
        margins=tuple(margins),
        layer=str(table.get("layer", d.layer)),
        year=year,
        trim=(float(trim[0]), float(trim[1])) if trim else None,
        method=method,
        min_n=numbers["min_n"],
        floor=numbers["floor"],
        age_groups=_codes(table.get("age_groups"), "age_groups", DEFAULT_AGE_GROUPS, where),
        genders=_codes(table.get("genders"), "genders", DEFAULT_GENDERS, where),
    )
    parse_margins(out.margins)
    return out


def parse_margins(specs: tuple[str, ...] | list[str]) -> tuple[tuple[str, ...], ...]:
    """Return margins as tuples of weighting variables: "age_group*gender" → (age_group, gender)."""
    out = []
    for spec in specs:
        parts = tuple(p.strip() for p in spec.split("*") if p.strip())
        unknown = [p for p in parts if p not in WEIGHTING_VARIABLES]
        if not parts or unknown or len(set(parts)) != len(parts):
            raise ConfigError(
                N_("Unknown weighting margin %(value)s."),
                hint=N_(
                    "Margins are age_group, gender and neighbourhood, alone or crossed with *, "
                    "e.g. age_group*gender,neighbourhood."
                ),
                params={"value": spec},
            )
        out.append(parts)
    used = [v for parts in out for v in parts]
    if len(set(used)) != len(used):
        raise ConfigError(
            N_("A weighting variable appears in two margins: %(value)s."),
            hint=N_("Give each of age_group, gender and neighbourhood once."),
            params={"value": ", ".join(specs)},
        )
    return tuple(out)
