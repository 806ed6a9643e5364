"""The renderers' own words (headings, footnotes, sheet names), marked for the French catalog.

The templates call `_("…")` with these exact English msgids; `pybabel extract` reads only the
Python files, so every msgid a template uses must be listed here (a test checks it).
"""

from __future__ import annotations

from urbansafety.i18n import N_

SKIP_TO_CONTENT = N_("Skip to content")
TABLE_OF_CONTENTS = N_("Table of contents")
TERRITORY = N_("Territory")
PERIOD = N_("Period")
GENERATED_ON = N_("Generated on %(date)s")
METHOD_NOTE = N_("Method note")
DEFINITIONS = N_("Definitions")
FORMULAS = N_("Formulas")
SOURCES = N_("Sources")
REFERENCES = N_("References")
SUPPRESSED_NOTE = N_("Suppressed to protect confidentiality")
SUPPRESSED_CELL = N_("suppressed")
NOT_AVAILABLE_NOTE = N_("Not available")
CHART_DATA = N_("Data for this chart")
CHART_FAILED = N_("This chart could not be drawn; its data are in the table below.")
NOTES_SHEET = N_("Notes")
SHEET = N_("Sheet")
TABLE = N_("Table")
SECTION = N_("Section")

MESSAGES = frozenset(
    {
        SKIP_TO_CONTENT,
        TABLE_OF_CONTENTS,
        TERRITORY,
        PERIOD,
        GENERATED_ON,
        METHOD_NOTE,
        DEFINITIONS,
        FORMULAS,
        SOURCES,
        REFERENCES,
        SUPPRESSED_NOTE,
        SUPPRESSED_CELL,
        NOT_AVAILABLE_NOTE,
        CHART_DATA,
        CHART_FAILED,
        NOTES_SHEET,
        SHEET,
        TABLE,
        SECTION,
    }
)
