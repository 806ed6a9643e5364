"""The demo's synthetic survey campaign: a KoboToolbox CSV export of the safety questionnaire.

About 800 residents of Valbrume answer the built-in ``safety`` template. The answers follow the
demo city (``demo_city.py``, ``demo_incidents.py``), computed from the city object alone, without
the store: the incidents each neighbourhood expects per year (the same category shares and
place mixtures the incident generator draws from), per 1,000 residents.

* Who answers is uneven, so that weighting matters: women answer 1.45 times as often as men,
  people aged 45–64 and 65+ 1.3 and 1.45 times as often as 25–44 (0.8) and 15–24 (0.55), and the
  quietest neighbourhoods three times as often as the one with the most crime (downtown).
* Feeling unsafe after dark is higher for women, older people, victims, and where violent
  crime and disorder per resident are higher; incivilities are seen as bigger problems there.
* Victimisation of each type follows the neighbourhood's rate of the matching categories times
  ``UNDER_REPORTING`` (per household for break-ins, thefts and vandalism); about 30–50 % of
  incidents are said to be reported to the police, depending on the type.
* A few rows (``N_BAD_ROWS``) are deliberately wrong (postal code, missing required answer,
  number out of range), so the demo shows rejects. Every other row passes ``clean_answers``.

The file goes through the same import as real data (``urbansafety survey import``).
"""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from urbansafety.ingest.demo_city import DemoCity, build_demo_city, population_table
from urbansafety.ingest.demo_incidents import SPVM, UCR, UCR_SHARE
from urbansafety.survey.model import Questionnaire

if TYPE_CHECKING:
    from urbansafety.survey.responses_import import ResponsesReport
    from urbansafety.workspace import Workspace

FILE_NAME = "sondage-securite-kobo.csv"
CAMPAIGN = ("2025-05-05", "2025-06-15")
N_BAD_ROWS = 7
UNDER_REPORTING = 10.0  # survey victimisation ≈ 10 × police rate (GSS vs UCR orders of size)
HOUSEHOLD = 2.3  # persons per household: a break-in counts once per household
# Census age group of the demo population → the template's finer age groups (docs/survey-data.md).
AGE_GROUPS = {
    "15-24": ("age_15_24",),
    "25-44": ("age_25_34", "age_35_44"),
    "45-64": ("age_45_54", "age_55_64"),
    "65+": ("age_65_74", "age_75_plus"),
}
GENDERS = {"F": "woman", "M": "man"}
AGE_PROPENSITY = {"15-24": 0.55, "25-44": 0.8, "45-64": 1.3, "65+": 1.45}
GENDER_PROPENSITY = {"F": 1.45, "M": 1.0}
# Survey victimisation type → demo categories (SPVM names and canonical UCR categories).
TYPE_CATEGORIES = {
    "break_in": ("Introduction",),
    "theft": ("Vol dans / sur véhicule à moteur", "Vol de véhicule à moteur"),
    "vandalism": ("Méfait",),
    "assault": ("assault", "uttering_threats", "robbery", "Vols qualifiés", "other_person"),
    "harassment": ("criminal_harassment",),
    "sexual": ("sexual_assault",),
    "fraud": ("fraud",),
}
HOUSEHOLD_TYPES = ("break_in", "theft", "vandalism")
REPORTED = {"break_in": 0.5, "theft": 0.45, "vandalism": 0.35, "assault": 0.4,
            "harassment": 0.3, "sexual": 0.3, "fraud": 0.35}  # fmt: skip
VIOLENT = ("assault", "sexual_assault", "uttering_threats", "robbery", "Vols qualifiés",
           "other_person", "attempted_murder", "Infractions entrainant la mort", "weapons")  # fmt: skip
DISORDER = ("drugs", "Méfait", "weapons")
# Postal codes of the fictional city (invented; only the first three characters are kept).
FSA = ("G7A", "G7B", "G7G", "G7H", "G7J", "G7K", "G7N", "G7P", "G7S", "G7T")
SAFETY = ("very_safe", "fairly_safe", "bit_unsafe", "very_unsafe")
AGREE = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree")
SATISFACTION = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
TRUST = ("great_deal", "quite_lot", "some", "not_much", "none_at_all")
PROBLEM = ("not_problem", "small_problem", "big_problem")
COMMENTS = (
    "Plus d'éclairage dans le parc svp.", "Les autos roulent trop vite sur ma rue.",
    "Merci pour ce sondage.", "More police patrols at night near the terminus.",
    "Le quartier est tranquille, j'y suis bien.", "The alley behind my building is very dark.",
)  # fmt: skip
OTHER_PLACES = ("Le stationnement de l'aréna", "La piste cyclable le soir", "The train underpass")


def neighbourhood_profiles(
    city: DemoCity, *, n_incidents: int = 150_000, years: tuple[int, int] = (2018, 2024)
) -> pd.DataFrame:
    """Return one row per neighbourhood: residents, incidents per 1,000 a year, crime z, response.

    Columns: ``code``, ``population``, ``violent`` and ``disorder`` (expected incidents per 1,000
    residents a year, as the demo's incident generator draws them), one ``rate_<type>`` per
    victimisation type, ``crime_z`` (standardised log of violent + disorder) and
    ``response`` (relative response rate, 1.5 in the quietest to 0.5 in the busiest).
    """
    codes = city.neighbourhoods["code"].to_numpy()
    inside = city.neighbourhood_of >= 0
    weights = [city.density, city.density * city.deprivation]
    weights += [city.kernel(s) for s in city.hotspots]
    share = np.array(
        [np.bincount(city.neighbourhood_of[inside], w[inside], len(codes)) for w in weights]
    )
    share /= share.sum(axis=1, keepdims=True)  # (component, neighbourhood)
    n_years = years[1] - years[0] + 1
    expected: dict[str, np.ndarray] = {}
    n_ucr = round(UCR_SHARE * n_incidents)
    for profiles, total in ((SPVM, n_incidents - n_ucr), (UCR, n_ucr)):
        shares = np.array([p.share for p in profiles])
        for p, s in zip(profiles, shares / shares.sum(), strict=True):
            mix = np.array(p.mix) / sum(p.mix)
            expected[p.name] = total * s * (mix @ share) / n_years
    pop = population_table(city, years)
    pop = pop[(pop["layer"] == "neighbourhood") & (pop["year"] == years[1])]
    residents = pop.groupby("code")["population"].sum().reindex(codes).to_numpy(float)
    frame = pd.DataFrame({"code": codes, "population": residents.astype(int)})

    def per_1000(names: tuple[str, ...]) -> np.ndarray:
        found = [expected[n] for n in names if n in expected]
        return 1000 * np.sum(found, axis=0) / residents

    frame["violent"] = per_1000(VIOLENT)
    frame["disorder"] = per_1000(DISORDER)
    for kind, names in TYPE_CATEGORIES.items():
        frame[f"rate_{kind}"] = per_1000(names)
    level = np.log(frame["violent"] + frame["disorder"])
    frame["crime_z"] = (level - level.mean()) / level.std()
    rank = frame["crime_z"].rank(method="first").to_numpy() - 1
    frame["response"] = 1.5 - rank / max(len(frame) - 1, 1)
    return frame


def resident_answers(
    rng: np.random.Generator, city: DemoCity, profiles: pd.DataFrame, n: int, years: tuple[int, int]
) -> list[dict[str, str | list[str]]]:
    """Return the answers (codes) of n residents drawn unevenly, all valid for the template.

    ``profiles`` is ``neighbourhood_profiles(city, ...)`` for the same demo incidents; the
    load benchmark posts such answer sets to the web form.
    """
    people = _respondents(rng, city, profiles, n, years)
    by_code = profiles.set_index("code")
    rows = []
    for i in range(n):
        code = str(people.at[i, "code"])
        rows.append(_answers(rng, people.iloc[i], by_code.loc[code], code))
    return rows


def _respondents(
    rng: np.random.Generator, city: DemoCity, profiles: pd.DataFrame, n: int, years: tuple[int, int]
) -> pd.DataFrame:
    """Return n respondents (neighbourhood, census age group, gender) drawn unevenly."""
    pop = population_table(city, years)
    pop = pop[(pop["layer"] == "neighbourhood") & (pop["year"] == years[1])]
    pop = pop[pop["age_group"].isin(AGE_GROUPS)].reset_index(drop=True)
    response = profiles.set_index("code")["response"]
    weight = (
        pop["population"]
        * pop["code"].map(response)
        * pop["age_group"].map(AGE_PROPENSITY)
        * pop["gender"].map(GENDER_PROPENSITY)
    ).to_numpy(float)
    cells = rng.choice(len(pop), n, p=weight / weight.sum())
    return pop.loc[cells, ["code", "age_group", "gender"]].reset_index(drop=True)


def _pick(rng: np.random.Generator, values: tuple[str, ...], latent: float) -> str:
    """Return the ordered answer a latent score falls in (cut points −1, 0, 1, …)."""
    cuts = np.arange(len(values) - 1) - (len(values) - 2) / 2
    return values[int(np.searchsorted(cuts, latent + rng.logistic(0, 0.6)))]


def _answers(
    rng: np.random.Generator, person: pd.Series, nb: pd.Series, code: str
) -> dict[str, str | list[str]]:
    """Return one respondent's answers (codes), following the form's skip logic."""
    a: dict[str, str | list[str]] = {"consent": "yes"}
    woman, census = person["gender"] == "F", person["age_group"]
    age = str(rng.choice(AGE_GROUPS[census], p=[1.0] if census == "15-24" else
                         ([0.62, 0.38] if census == "65+" else [0.5, 0.5])))  # fmt: skip
    a["age_group"] = "refused" if rng.random() < 0.01 else age
    z = float(nb["crime_z"])
    older = {"15-24": -0.3, "25-44": 0.0, "45-64": 0.25, "65+": 0.5}[census]
    victim: list[str] = []
    for kind in TYPE_CATEGORIES:
        rate = float(nb[f"rate_{kind}"]) / 1000 * UNDER_REPORTING
        rate /= HOUSEHOLD if kind in HOUSEHOLD_TYPES else 1
        tilt = {"harassment": 2.0 if woman else 0.6, "sexual": 3.0 if woman else 0.3,
                "assault": 0.7 if woman else 1.3}.get(kind, 1.0)  # fmt: skip
        tilt *= 1.4 if census in ("15-24", "25-44") and kind != "fraud" else 0.8
        if rng.random() < 1 - np.exp(-rate * tilt):
            victim.append(kind)
    violent_victim = bool({"assault", "sexual", "harassment"} & set(victim))
    fear = -1.3 + 0.9 * woman + older + 0.7 * z + 0.5 * violent_victim + rng.normal(0, 0.7)
    never = 0.02 + 0.07 * (woman and census == "65+") + 0.05 * (age == "age_75_plus")
    a["safe_dark"] = (
        "never_alone" if rng.random() < never else
        str(rng.choice(["dk", "refused"])) if rng.random() < 0.02 else _pick(rng, SAFETY, fear)
    )  # fmt: skip
    a["safe_day"] = _pick(rng, SAFETY, fear - 2.0)
    a["safe_home"] = _pick(rng, SAFETY, fear - 1.6)
    a["safe_transit"] = "never_alone" if rng.random() < 0.15 else _pick(rng, SAFETY, fear + 0.3)
    a["satisfied_safety"] = _pick(rng, SATISFACTION, fear - 0.4)
    a["crime_trend"] = str(rng.choice(["increased", "decreased", "same", "dk"],
                                      p=_norm([0.25 + 0.08 * z, 0.1, 0.45, 0.2])))  # fmt: skip
    places = {"parks": 0.0, "transit": -0.3, "streets": -0.2, "commercial": -1.2,
              "parking": -0.8, "underpass": -0.6, "other": -2.5}  # fmt: skip
    avoided = [p for p, o in places.items() if rng.random() < _sigmoid(fear - 0.8 + o)]
    a["avoid_places"] = avoided or ["none"]
    if "other" in avoided:
        a["avoid_other"] = str(rng.choice(OTHER_PLACES))
    habits = {"changed_routine": -0.8, "stay_home": -0.7 + 0.5 * woman, "go_with": -1 + woman,
              "plan_route": -0.5, "car_taxi": -0.9, "phone": 0.1 * woman,
              "home_security": -1.2 + 1.5 * ("break_in" in victim)}  # fmt: skip
    done = [h for h, o in habits.items() if rng.random() < _sigmoid(fear - 0.6 + o)]
    a["behaviours"] = done or ["none"]
    a["victim_types"] = "refused" if rng.random() < 0.02 else (victim or ["none"])
    if isinstance(a["victim_types"], list) and victim:
        a["victim_local"] = str(rng.choice(["yes", "no", "dk"], p=[0.6, 0.35, 0.05]))
        for kind in victim:
            told = rng.random() < REPORTED[kind]
            a[f"reported_{kind}"] = "dk" if rng.random() < 0.05 else ("yes" if told else "no")
    seen = 0.9 * z + 0.25 * fear
    for item, shift in (("graffiti", 0.0), ("garbage", 0.2), ("drugs", -0.2), ("drunk", -0.3),
                        ("noise", 0.1), ("speeding", 0.9), ("groups", -0.5)):  # fmt: skip
        a[f"dis_{item}"] = "dk" if rng.random() < 0.03 else _pick(rng, PROBLEM, seen + shift)
    years_here = str(rng.choice(["lt_1", "y1_4", "y5_9", "y10_plus", "refused"],
                                p=_norm([0.1, 0.25, 0.2, 0.43 + 0.2 * (older > 0), 0.02])))  # fmt: skip
    bond = 0.6 * z - 0.3 * older - 0.4 * (years_here == "y10_plus") + 0.2 * fear
    for item in ("help", "close", "trust", "get_along", "act"):
        a[f"coh_{item}"] = "dk" if rng.random() < 0.03 else _pick(rng, AGREE, bond)
    a["life_satisfaction"] = str(int(np.clip(round(7.4 - 0.5 * fear + rng.normal(0, 1.4)), 0, 10)))
    doubt = 0.3 * fear + 0.2 * z - 0.6
    a["police_confidence"] = "dk" if rng.random() < 0.04 else _pick(rng, TRUST, doubt)
    for item in ("safety", "approach", "fair"):
        a[f"police_{item}"] = (
            "dk" if rng.random() < 0.1 else _pick(rng, ("good", "average", "poor"), doubt)
        )
    for item in ("lighting", "cleanliness", "parks", "transit"):
        a[f"sat_{item}"] = "dk" if rng.random() < 0.05 else _pick(rng, SATISFACTION, fear - 0.8)
    a["gender"] = (
        str(rng.choice(["another", "refused"])) if rng.random() < 0.02
        else GENDERS[person["gender"]]
    )  # fmt: skip
    a["neighbourhood"] = "other" if rng.random() < 0.01 else code
    if rng.random() < 0.7:
        fsa = FSA[int(code[1:]) - 1] if code[1:].isdigit() else FSA[0]
        unit = f"{rng.integers(1, 10)}{rng.choice(list('ABCEGHJKLMNPRSTVXY'))}{rng.integers(0, 10)}"
        a["postal_code"] = str(rng.choice([f"{fsa} {unit}", f"{fsa}{unit}".lower(), fsa]))
    a["years_address"] = years_here
    size = int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.3, 0.33, 0.15, 0.14, 0.06, 0.02]))
    if rng.random() < 0.95:
        a["household_size"] = str(size)
    if size != 1 or "household_size" not in a:
        a["children_under_18"] = str(rng.choice(["yes", "no", "refused"], p=[0.35, 0.62, 0.03]))
    a["disability"] = str(rng.choice(["yes", "no", "refused"], p=[0.1, 0.87, 0.03]))
    share = float(np.clip(0.2 + 0.1 * z, 0.05, 0.5))
    a["racialized"] = str(
        rng.choice(["yes", "no", "refused"], p=_norm([share, 0.95 - share, 0.05]))
    )
    a["indigenous"] = str(rng.choice(["yes", "no", "refused"], p=[0.02, 0.95, 0.03]))
    if rng.random() < 0.05:
        a["comments"] = str(rng.choice(COMMENTS))
    return a


def _sigmoid(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def _norm(p: list[float]) -> np.ndarray:
    values = np.clip(np.array(p, dtype=float), 0, None)
    return values / values.sum()


# Deliberate mistakes (question, text): each makes its row fail one check of the form.
BAD_ANSWERS = (
    ("postal_code", "12345"), ("postal_code", "Z9Z 9Z9"), ("postal_code", "H2X 1Y"),
    ("safe_dark", ""), ("gender", ""), ("neighbourhood", ""), ("household_size", "25"),
)  # fmt: skip


def demo_responses(
    city: DemoCity | None = None,
    *,
    n: int = 800,
    seed: int = 2025,
    n_incidents: int = 150_000,
    years: tuple[int, int] = (2018, 2024),
) -> bytes:
    """Return a KoboToolbox CSV export (``;``, group paths) of n synthetic responses.

    ``city`` is the demo city (built when None); ``n_incidents`` and ``years`` are those of the
    demo's incidents, whose expected rates shape the answers. ``N_BAD_ROWS`` of the n rows are
    deliberately wrong. The same seed always gives the same bytes.
    """
    from urbansafety.survey.forms import template_path
    from urbansafety.survey.xlsform import read_xlsform

    city = city or build_demo_city()
    form = read_xlsform(template_path("safety"))
    rng = np.random.default_rng(seed)
    profiles = neighbourhood_profiles(city, n_incidents=n_incidents, years=years)
    rows = resident_answers(rng, city, profiles, n, years)
    for i in rng.choice(n, max(1, n // 200), replace=False):
        rows[i] = {"consent": "no"}  # a few people open the link and decline
    eligible = [i for i, r in enumerate(rows) if r.get("consent") == "yes"]
    for i, (name, text) in zip(
        rng.choice(eligible, min(N_BAD_ROWS, len(eligible)), replace=False),
        BAD_ANSWERS,
        strict=False,
    ):
        rows[i] = {**rows[i], name: text}
    return _kobo_csv(form, rows, rng)


def _kobo_csv(
    form: Questionnaire, rows: list[dict[str, str | list[str]]], rng: np.random.Generator
) -> bytes:
    """Return rows as KoboToolbox writes a CSV export: ``;``, every field quoted, group paths."""
    header = ["start", "end"]
    cells: list[tuple[str, str, str | None]] = []  # header, question, choice
    for section in form.sections:
        for q in section.questions:
            if not q.answered:
                continue
            path = f"{section.name}/{q.name}" if section.name else q.name
            cells.append((path, q.name, None))
            if q.type == "select_multiple":
                for c in form.choice_lists[q.choices or ""]:
                    cells.append((f"{path}/{c.name}", q.name, c.name))
    header += [h for h, _, _ in cells]
    header += ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
               "_submitted_by", "__version__", "_tags", "_index"]  # fmt: skip
    first, last = (np.datetime64(d, "s") for d in CAMPAIGN)
    span = int((last - first).astype(int))
    times = np.sort(first + rng.integers(0, span, len(rows)).astype("timedelta64[s]"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for i, (row, sent) in enumerate(zip(rows, times, strict=True)):
        took = int(rng.integers(240, 1500))
        start = (sent - np.timedelta64(took + 30, "s") - np.timedelta64(4, "h")).astype(str)
        end = (sent - np.timedelta64(30, "s") - np.timedelta64(4, "h")).astype(str)
        line = [f"{start}.000-04:00", f"{end}.000-04:00"]
        for _, name, choice in cells:
            value = row.get(name)
            picked = value if isinstance(value, list) else ([value] if value else [])
            if choice is None:
                line.append(" ".join(picked))
            else:
                line.append("" if value is None else ("1" if choice in picked else "0"))
        rid = str(uuid.UUID(bytes=rng.bytes(16), version=4))
        line += [str(41_000_000 + i * 7), rid, str(sent), "", "[]", "submitted_via_web", "",
                 "vZp8kQ3uXbQ4RrT2aWc9Lf", "[]", str(i + 1)]  # fmt: skip
        writer.writerow(line)
    return out.getvalue().encode("utf-8")


def write_demo_survey(
    folder: Path, *, seed: int = 2025, n: int = 800, n_incidents: int = 150_000
) -> Path:
    """Write the demo's survey export into folder (``FILE_NAME``) and return its path."""
    path = Path(folder) / FILE_NAME
    path.write_bytes(demo_responses(n=n, seed=seed, n_incidents=n_incidents))
    return path


def import_demo_survey(
    ws: Workspace, folder: Path, *, seed: int = 2025, n: int = 800, n_incidents: int = 150_000
) -> ResponsesReport:
    """Write the demo's survey export into folder and import it as survey ``safety`` (source demo).

    The questionnaire is the workspace's ``surveys/safety.xlsx``, copied from the template first
    when missing: the same path as an analyst's KoboToolbox export.
    """
    from urbansafety.survey.forms import FOLDER, new_form
    from urbansafety.survey.responses_import import import_responses
    from urbansafety.survey.xlsform import read_xlsform

    form_file = ws.path / FOLDER / "safety.xlsx"
    if not form_file.exists():
        new_form(ws, "safety")
    path = write_demo_survey(folder, seed=seed, n=n, n_incidents=n_incidents)
    return import_responses(ws, read_xlsform(form_file), path, survey="safety", origin="demo")
