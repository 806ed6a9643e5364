"""Reports: sections of tables, charts and method notes, rendered to HTML and Excel.

A chapter builds a `Report` from `model` objects (charts with `charts`), then
`html.render_html(report)` or `excel.write_workbook(report, path)` renders it.
"""

from __future__ import annotations

from urbansafety.report.model import Chart, MethodNote, Report, Section, Source
from urbansafety.report.model_table import CHANGE, COUNT, RATE, SHARE, NumberFormat, Table

__all__ = [
    "CHANGE",
    "COUNT",
    "RATE",
    "SHARE",
    "Chart",
    "MethodNote",
    "NumberFormat",
    "Report",
    "Section",
    "Source",
    "Table",
]
