"""Exports of a large survey campaign (the issue plans for 50,000 respondents): the responses
table with labels, then the CSV and the Excel workbook, this package's writer (XlsxWriter, row by
row in constant memory) side by side with pandas' openpyxl writer, which it replaced, in the
same run.

Usage: python benchmarks/bench_survey_export.py [--responses 50000] [--repeat 3]
The answers are the demo's synthetic residents (`ingest.demo_survey.resident_answers`, every
one valid for the template), read by the template questionnaire. Best of `repeat` per stage.
"""

from __future__ import annotations

import argparse
import io
import platform
import time
from collections.abc import Callable

import numpy as np
import pandas as pd


def best(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    """Return the best time of repeat runs of run, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def openpyxl_workbook(frame: pd.DataFrame, questions: pd.DataFrame) -> bytes:
    """The previous writer: pandas' to_excel through openpyxl, widths from the first 50 rows."""
    from urbansafety.survey.exports import spreadsheet_safe

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.map(spreadsheet_safe, na_action="ignore").to_excel(
            writer, sheet_name="réponses", index=False
        )
        questions.to_excel(writer, sheet_name="questions", index=False)
        for sheet in writer.sheets.values():
            sheet.freeze_panes = "A2"
            for column in sheet.iter_cols(max_row=50):
                width = max(len(str(c.value or "")) for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from urbansafety.ingest import demo_survey as demo
    from urbansafety.survey.exports import export_table, questions_table, write_csv, write_xlsx
    from urbansafety.survey.forms import template_path
    from urbansafety.survey.xlsform import read_xlsform

    form = read_xlsform(template_path("safety"))
    city = demo.build_demo_city()
    years = (2018, 2024)
    profiles = demo.neighbourhood_profiles(city, n_incidents=150_000, years=years)
    answers = demo.resident_answers(np.random.default_rng(1), city, profiles, args.responses, years)
    rows = [
        {"response_id": f"r{i}", "submitted_at": None, "language": "fr", "source": "web",
         "answers": a}
        for i, a in enumerate(answers)
    ]  # fmt: skip
    places = {"neighbourhood": [(c, f"Quartier {c}") for c in profiles["code"]]}
    table_s, frame = best(
        args.repeat,
        lambda: export_table(form, rows, labels=True, lang="fr", territories=places),
    )
    assert isinstance(frame, pd.DataFrame)
    questions = questions_table(form, "fr")

    def ours_csv() -> bytes:
        buffer = io.BytesIO()
        write_csv(frame, buffer)
        return buffer.getvalue()

    def ours_xlsx() -> bytes:
        buffer = io.BytesIO()
        write_xlsx(frame, buffer, form=form, lang="fr")
        return buffer.getvalue()

    csv_s, csv = best(args.repeat, ours_csv)
    xlsx_s, xlsx = best(args.repeat, ours_xlsx)
    peer_s, peer = best(args.repeat, lambda: openpyxl_workbook(frame, questions))
    cells = frame.shape[0] * frame.shape[1]
    print(f"# {platform.python_version()}, {platform.machine()}; {len(rows):,} responses, "
          f"{frame.shape[1]} columns ({cells:,} cells); best of {args.repeat}")  # fmt: skip
    print(f"responses table (labels, FR): {table_s:.2f} s")
    print(f"CSV:                          {csv_s:.2f} s ({len(csv) / 1e6:.1f} MB)")  # type: ignore[arg-type]
    print(f"XLSX, XlsxWriter (ours):      {xlsx_s:.2f} s ({len(xlsx) / 1e6:.1f} MB)")  # type: ignore[arg-type]
    print(f"XLSX, pandas + openpyxl:      {peer_s:.2f} s ({len(peer) / 1e6:.1f} MB)")  # type: ignore[arg-type]
    print(f"ratio openpyxl / ours:        {peer_s / xlsx_s:.1f}x")


if __name__ == "__main__":
    main()
