"""Tables of survey estimates under the publication rules, for `survey_sections`.

Rules: an estimate on fewer than `min_n` respondents carries the flag "E" (use with caution);
on fewer than `floor` it is not published ("—" in every value cell, a note says why); a number of
respondents below the floor is written "< floor", so that no count of 1 to 4 is ever published
(`disclosure`: the floor is at least the workspace's disclosure threshold).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from urbansafety.report.formatting import format_number
from urbansafety.report.model_table import COUNT, SHARE, NumberFormat, Table
from urbansafety.survey.indicators import INDICATORS, IndicatorDefinition

NOT_PUBLISHED = "—"
FLAG = "E"
DEFF = NumberFormat(decimals=2)
INDEX = NumberFormat(decimals=1)
P_VALUE = NumberFormat(decimals=3)
POINTS = NumberFormat("percent", 1, signed=True)
DEFINITIONS: dict[str, IndicatorDefinition] = {d.code: d for d in INDICATORS}


def indicator_label(code: str, lang: str) -> str:
    """Return an indicator's short label in lang."""
    d = DEFINITIONS[code]
    return d.label_fr if lang == "fr" else d.label_en


def shown_count(n: int, floor: int, lang: str) -> int | str:
    """Return a respondent count as published: the count, or "< floor" below the floor."""
    return int(n) if n >= floor else f"< {format_number(floor, COUNT, lang)}"


def estimate_formats(kind: str) -> dict[str, NumberFormat]:
    """Return the formats of an estimate table: percentages or 0-100 indices."""
    value = SHARE if kind == "proportion" else INDEX
    return {
        "estimate": value,
        "ci_low": value,
        "ci_high": value,
        "unweighted": value,
        "n": COUNT,
        "deff": DEFF,
    }


def estimate_labels(_: Callable[[str], str]) -> dict[str, str]:
    """Return the column labels of estimate tables, weighted and unweighted said."""
    return {
        "indicator": _("Indicator"),
        "group": _("Group"),
        "estimate": _("Weighted estimate"),
        "ci_low": _("95% CI, low"),
        "ci_high": _("95% CI, high"),
        "unweighted": _("Unweighted estimate"),
        "n": _("Respondents (unweighted)"),
        "deff": _("Design effect"),
        "flag": _("Reliability"),
    }


def rules_note(_: Callable[[str], str], min_n: int, floor: int) -> str:
    """Return the note under every estimate table: what E, — and "< floor" mean."""
    return _(
        "Weighted estimates with 95%% confidence intervals. E: fewer than %(min_n)s respondents, use with caution. —: fewer than %(floor)s respondents, not published. Numbers of respondents below %(floor)s are written “< %(floor)s”."
    ) % {"min_n": min_n, "floor": floor}


def estimate_table(
    title: str,
    results: pd.DataFrame,
    *,
    kind: str,
    lang: str,
    _: Callable[[str], str],
    min_n: int,
    floor: int,
    groups: Mapping[object, str] | None = None,
    unweighted: bool = True,
    group_label: str | None = None,
) -> Table:
    """Return indicator estimates (rows of `compute_indicators`) of one kind as a table.

    With groups (code → label), a group column follows the indicator, in the order given,
    headed group_label (default "Group").
    """
    codes = [d.code for d in INDICATORS if d.kind == kind]
    rows = results[results["code"].isin(codes)].copy()
    rows["order"] = rows["code"].map({c: i for i, c in enumerate(codes)})
    if groups is not None:
        rank = {g: i for i, g in enumerate(groups)}
        rows = rows[rows["group"].isin(list(groups))]
        rows["rank"] = rows["group"].map(rank)
        rows = rows.sort_values(["order", "rank"], kind="stable")
    else:
        rows = rows.sort_values("order", kind="stable")
    hidden = rows["suppressed"].to_numpy(dtype=bool)
    data = pd.DataFrame({"indicator": [indicator_label(c, lang) for c in rows["code"]]})
    if groups is not None:
        data["group"] = [groups[g] for g in rows["group"]]
    values = ["estimate", "ci_low", "ci_high", *(["unweighted"] if unweighted else []), "deff"]
    for col in values:
        v = rows[col].to_numpy(dtype=float)
        data[col] = [NOT_PUBLISHED if h else x for h, x in zip(hidden, v, strict=True)]
    data["n"] = [shown_count(int(n), floor, lang) for n in rows["n"]]
    data["flag"] = np.where(hidden, NOT_PUBLISHED, np.where(rows["flagged"], FLAG, ""))
    order = ["indicator", *(["group"] if groups is not None else []), "estimate", "ci_low",
             "ci_high", *(["unweighted"] if unweighted else []), "n", "deff", "flag"]  # fmt: skip
    return Table(
        title,
        data[order],
        {**estimate_labels(_), **({"group": group_label} if group_label else {})},
        estimate_formats(kind),
        note=rules_note(_, min_n, floor),
    )


def definitions_table(title: str, lang: str, _: Callable[[str], str]) -> Table:
    """Return every indicator with its definition and source, in lang."""
    data = pd.DataFrame(
        {
            "code": [d.code for d in INDICATORS],
            "indicator": [d.label_fr if lang == "fr" else d.label_en for d in INDICATORS],
            "definition": [
                d.definition_fr if lang == "fr" else d.definition_en for d in INDICATORS
            ],
            "source": [d.source for d in INDICATORS],
        }
    )
    labels = {
        "code": _("Code"),
        "indicator": _("Indicator"),
        "definition": _("Definition"),
        "source": _("Source"),
    }
    return Table(title, data, labels, row_header="indicator")
