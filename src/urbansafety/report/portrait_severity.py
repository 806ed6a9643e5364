"""The portrait's crime severity section: the Crime Severity Index by year."""

from __future__ import annotations

import pandas as pd

from urbansafety import disclosure
from urbansafety.analysis.severity import NOTE_NOT_OFFICIAL
from urbansafety.report.model import MethodNote, Section
from urbansafety.report.model_table import COUNT, RATE, Table
from urbansafety.report.portrait_labels import Labels


def _severity(csi: pd.DataFrame | None, lab: Labels, threshold: int) -> Section:
    _ = lab._
    method = MethodNote(
        text=_(
            "Statistics Canada's Crime Severity Index weighs each violation by its seriousness "
            "(incarceration rate × average prison sentence from court data): CSI = 100 × weighted rate per "
            "100,000 ÷ the weighted rate of the base (Canada 2006 = 100). Violent and non-violent indexes use "
            "the violent and the other violations."
        ),
        references=(
            "Wallace, M., Turner, J., Babyak, C., & Matarazzo, A. (2009). Measuring Crime in Canada: "
            "Introducing the Crime Severity Index and Improvements to the Uniform Crime Reporting Survey. "
            "Statistics Canada, 85-004-X.",
        ),
    )
    title = _("Crime severity")
    if csi is None:
        return Section(
            id="severity",
            title=title,
            method=method,
            intro=[
                _(
                    "The Crime Severity Index cannot be computed: no incident of this portrait carries "
                    "a UCR2 violation code that has a weight (the SPVM open-data categories have no code)."
                )
            ],
        )
    attrs = csi.attrs
    label = (
        _(attrs.get("standardisation_template", "")) % attrs.get("standardisation_params", {})
        if attrs.get("standardisation_template")
        else str(csi["standardisation"].iloc[0])
    )
    hide = disclosure.small_count_mask(csi["incidents"], threshold)
    data = pd.DataFrame(
        {
            "year": csi["year"].astype(str),
            "incidents": csi["incidents"],
            "unweighted": csi["incidents_unweighted"],
            "csi": csi["csi"],
            "violent_csi": csi["violent_csi"],
            "nonviolent_csi": csi["nonviolent_csi"],
        }
    )
    table = Table(
        label,
        data,
        {
            "year": _("Year"),
            "incidents": _("Incidents with a violation code"),
            "unweighted": _("Without a weight"),
            "csi": _("Index"),
            "violent_csi": _("Violent"),
            "nonviolent_csi": _("Non-violent"),
        },
        {
            "incidents": COUNT,
            "unweighted": COUNT,
            "csi": RATE,
            "violent_csi": RATE,
            "nonviolent_csi": RATE,
        },
        pd.DataFrame({"incidents": hide, "csi": hide, "violent_csi": hide, "nonviolent_csi": hide}),
    )
    blocks: list[Table | str] = [table]
    if not bool(csi["official_csi"].all()):
        blocks.insert(0, _(NOTE_NOT_OFFICIAL))
    return Section(id="severity", title=title, blocks=blocks, method=method)
