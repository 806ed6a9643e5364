"""The confidentiality section: what disclosure control suppressed in a report, and why."""

from __future__ import annotations

from collections.abc import Sequence

from urbansafety.report.model import MethodNote, Section
from urbansafety.report.portrait_labels import Labels, _fmt


def confidentiality_section(sections: Sequence[Section], lang: str, threshold: int) -> Section:
    """Return the section saying what was suppressed in these sections, and why."""
    return _confidentiality(list(sections), Labels(lang), threshold)


def _confidentiality(sections: list[Section], lab: Labels, threshold: int) -> Section:
    """Return the section saying what was suppressed in the report, and why."""
    _ = lab._
    cells = sum(int(t.mask().to_numpy().sum()) for s in sections for t in s.tables)
    text = [
        _(
            "Counts from 1 to %(max)s are suppressed in every table and chart of this report, shown as x, so that "
            "no person can be recognised. Other cells are suppressed too where the totals would give a suppressed "
            "count back, and rates or shares computed on a suppressed count are suppressed."
        )
        % {"max": threshold - 1},
        _("Cells suppressed in this report: %(n)s.") % {"n": _fmt(cells, lab.lang)},
    ]
    return Section(
        id="confidentiality",
        title=_("Confidentiality"),
        intro=text,
        method=MethodNote(
            text=_(
                "The threshold is set in urbansafety.toml ([disclosure] threshold); "
                "an audit by linear programming checks that no suppressed count can be "
                "recomputed from the published cells and totals."
            )
        ),
    )
