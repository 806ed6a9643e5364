"""Shared pieces of the survey chapter: the section builders' context, the labels of answer
codes (from the safety template) and the chapter's references."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from urbansafety.i18n import translator
from urbansafety.report.formatting import format_number
from urbansafety.report.model_table import NumberFormat
from urbansafety.survey.analysis_run import SurveyAnalysis

REFERENCES = (
    "Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled "
    "frequency table when the expected marginal totals are known. Ann. Math. Statist. 11: 427–444.",
    "Kish, L. (1992). Weighting for unequal Pi. Journal of Official Statistics 8(2): 183–200.",
    "Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.",
    "Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency tables "
    "with cell proportions estimated from survey data. Annals of Statistics 12: 46–60.",
    "Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small "
    "expected number of positive counts estimated from survey data. Survey Methodology 24: 193–201.",
    "Baker, R. et al. (2013). Report of the AAPOR Task Force on Non-probability Sampling.",
)


class SurveyContext:
    """What every section builder needs: the analysis, the language, labels and number writers."""

    def __init__(self, a: SurveyAnalysis, lang: str, groups: Mapping[str, Mapping[object, str]]):
        self.a, self.lang, self._ = a, lang, translator(lang)
        self.groups = groups

    def n(self, value: float, decimals: int = 0) -> str:
        return format_number(value, NumberFormat(decimals=decimals), self.lang)

    def pct(self, value: float, decimals: int = 1) -> str:
        return format_number(value, NumberFormat("percent", decimals), self.lang)

    def var(self, name: str) -> str:
        words = {"age_group": self._("age group"), "gender": self._("gender"),
                 "neighbourhood": self._("neighbourhood")}  # fmt: skip
        return words.get(name, name)


def group_labels(lang: str, areas: pd.DataFrame | None = None) -> dict[str, dict[object, str]]:
    """Return the labels of the subgroups' answer codes in lang, in the form's order."""
    lists = {
        "age_group": "age_group",
        "gender": "gender",
        "neighbourhood": "territory_neighbourhood",
    }
    out = {var: choice_labels(name, lang) for var, name in lists.items()}
    hood: dict[object, str] = (
        {str(c): str(n) for c, n in zip(areas["code"], areas["name"], strict=True)}
        if areas is not None
        else {}
    )
    out["neighbourhood"] = {**hood, **out.get("neighbourhood", {})}
    return out


def ordered(ctx: SurveyContext, var: str, present: list[object]) -> dict[object, str]:
    """Return the groups present, in the form's order, with their labels."""
    known = ctx.groups.get(var, {})
    order = [g for g in known if g in present] + sorted(str(g) for g in present if g not in known)
    return {g: known.get(g, str(g)) for g in order}


@lru_cache(maxsize=1)
def _template_choices() -> dict[str, dict[str, tuple[str, str]]]:
    """Return the safety template's choice lists: code → (French, English) label."""
    from urbansafety.survey.forms import template_path
    from urbansafety.survey.xlsform import read_xlsform

    form = read_xlsform(template_path("safety"))
    return {
        name: {c.name: (c.label.get("fr") or c.name, c.label.get("en") or c.name) for c in choices}
        for name, choices in form.choice_lists.items()
    }


def choice_labels(list_name: str, lang: str) -> dict[object, str]:
    """Return the labels in lang of the codes of one of the template's choice lists."""
    return {
        k: v[0 if lang == "fr" else 1] for k, v in _template_choices().get(list_name, {}).items()
    }
