"""Write the synthetic response exports of tests/survey (rerun after editing ROWS; commit the CSVs).

Each file mimics one real export of the built-in ``safety`` questionnaire; see RESPONSES.md.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from urbansafety.survey.forms import template_path
from urbansafety.survey.model import Questionnaire
from urbansafety.survey.xlsform import read_xlsform

HERE = Path(__file__).resolve().parent
BASE = {
    "consent": "yes", "age_group": "age_45_54", "safe_dark": "bit_unsafe",
    "safe_day": "very_safe", "safe_home": "fairly_safe", "safe_transit": "never_alone",
    "satisfied_safety": "satisfied", "crime_trend": "same", "avoid_places": ["parks", "other"],
    "avoid_other": "Le stationnement de l'aréna", "behaviours": ["plan_route", "phone"],
    "victim_types": ["none"], "dis_graffiti": "small_problem", "dis_drugs": "big_problem",
    "coh_help": "agree", "life_satisfaction": "8", "police_confidence": "quite_lot",
    "police_fair": "good", "sat_lighting": "dissatisfied", "gender": "woman",
    "neighbourhood": "Q01", "postal_code": "G7A 1B2", "years_address": "y10_plus",
    "household_size": "2", "children_under_18": "no", "disability": "no", "racialized": "no",
    "indigenous": "refused", "comments": "Plus d'éclairage, svp; merci!",
}  # fmt: skip
ROWS = [
    ("9d1c7c8e-3b1f-4f3e-9a55-0c2f8f1e0a01", "2025-05-06T14:22:09", BASE),
    ("9d1c7c8e-3b1f-4f3e-9a55-0c2f8f1e0a02", "2025-05-06T15:01:44", {"consent": "no"}),
    ("9d1c7c8e-3b1f-4f3e-9a55-0c2f8f1e0a03", "2025-05-07T09:12:00", {
        **BASE, "age_group": "age_25_34", "gender": "man", "safe_dark": "very_safe",
        "avoid_places": ["none"], "avoid_other": None, "behaviours": ["none"],
        "victim_types": ["theft", "assault"], "victim_local": "yes", "reported_theft": "yes",
        "reported_assault": "no", "household_size": "1", "children_under_18": None,
        "neighbourhood": "Q09", "postal_code": "g7s", "comments": None,
    }),
    ("9d1c7c8e-3b1f-4f3e-9a55-0c2f8f1e0a04", "2025-05-08T20:45:31", {
        **BASE, "postal_code": "12345", "household_size": "25",
    }),
    ("9d1c7c8e-3b1f-4f3e-9a55-0c2f8f1e0a05", "2025-05-09T11:03:17", {
        **BASE, "safe_dark": "", "age_group": "age_75_plus", "neighbourhood": "other",
    }),
]  # fmt: skip


def _columns(form: Questionnaire) -> list[tuple[str, str, str | None]]:
    cells = []
    for section in form.sections:
        for q in section.questions:
            if not q.answered:
                continue
            cells.append((section.name, q.name, None))
            if q.type == "select_multiple":
                cells += [(section.name, q.name, c.name) for c in form.choice_lists[q.choices]]
    return cells


def _label(form: Questionnaire, q: str, code: str, lang: str = "fr") -> str:
    question = form.question(q)
    for c in form.choice_lists.get(question.choices or "", ()):
        if c.name == code:
            return c.label.get(lang)
    return code  # neighbourhood codes: the layer's names are not in the form


def kobo(form: Questionnaire, *, labels: bool, lang: str = "fr") -> str:
    """A KoboToolbox export: XML values and headers (; and group paths) or labels (, in lang)."""
    sections = {s.name: s.label.get(lang) for s in form.sections}
    header = ["start", "end"]
    for group, name, choice in _columns(form):
        q = form.question(name)
        if labels:
            head = f"{sections[group]}/{q.label.get(lang)}"
            header.append(head if choice is None else f"{head}/{_label(form, name, choice, lang)}")
        else:
            header.append(f"{group}/{name}" + ("" if choice is None else f"/{choice}"))
    header += ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
               "_submitted_by", "__version__", "_tags", "_index"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter="," if labels else ";", quoting=csv.QUOTE_ALL, lineterminator="\r\n"
    )
    writer.writerow(header)
    for i, (uuid, when, answers) in enumerate([*ROWS, ROWS[0]]):  # the first is sent twice
        line = [f"{when[:10]}T10:00:00.000-04:00", f"{when[:10]}T10:09:30.000-04:00"]
        for _group, name, choice in _columns(form):
            value = answers.get(name)
            picked = value if isinstance(value, list) else ([value] if value else [])
            if choice is not None:
                line.append("" if value is None else ("1" if choice in picked else "0"))
            elif labels:
                line.append(" ".join(_label(form, name, v, lang) for v in picked))
            else:
                line.append(" ".join(picked))
        line += [str(41000 + i), uuid, when, "", "[]", "submitted_via_web", "",
                 "vZp8kQ3uXbQ4RrT2aWc9Lf", "[]", str(i + 1)]  # fmt: skip
        writer.writerow(line)
    return out.getvalue()


def limesurvey(form: Questionnaire, *, full_answers: bool) -> str:
    """A LimeSurvey export: question codes (no _), multiple choices as code[choice] = Y."""
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
    cells = []
    for _group, name, choice in _columns(form):
        q = form.question(name)
        if q.type == "select_multiple" and choice is None:
            continue
        code = name.replace("_", "")
        header.append(code if choice is None else f"{code}[{choice.replace('_', '')}]")
        cells.append((name, choice))
    header.append("interviewtime")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for i, (_uuid, when, answers) in enumerate(ROWS):
        lang = "en" if i % 2 else "fr"
        done = answers.get("consent") == "yes"
        line = [str(i + 1), when.replace("T", " ") if done else "", "8" if done else "1", lang,
                str(1_234_567 + i), when.replace("T", " "), when.replace("T", " ")]  # fmt: skip
        for name, choice in cells:
            value = answers.get(name)
            if choice is not None:
                chosen = isinstance(value, list) and choice in value
                line.append(("Oui" if lang == "fr" else "Yes") if chosen and full_answers else
                            "Y" if chosen else "")  # fmt: skip
            elif not value:
                line.append("")
            elif full_answers and form.question(name).choices:
                line.append(_label(form, name, value, lang))
            else:
                line.append(value.replace("_", "") if form.question(name).choices else value)
        line.append("534.21")
        writer.writerow(line)
    return out.getvalue()


def main() -> None:
    form = read_xlsform(template_path("safety"))
    (HERE / "kobo_safety_values.csv").write_bytes(kobo(form, labels=False).encode("utf-8"))
    (HERE / "kobo_safety_labels.csv").write_bytes(kobo(form, labels=True).encode("utf-8-sig"))
    (HERE / "kobo_safety_labels_en.csv").write_bytes(
        kobo(form, labels=True, lang="en").encode("utf-8-sig")
    )
    (HERE / "limesurvey_safety_codes.csv").write_bytes(
        limesurvey(form, full_answers=False).encode("utf-8")
    )
    (HERE / "limesurvey_safety_answers.csv").write_bytes(
        limesurvey(form, full_answers=True).encode("cp1252")
    )


if __name__ == "__main__":
    main()
