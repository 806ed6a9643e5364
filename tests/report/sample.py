"""A small crime-portrait report in French or English, as a chapter would build it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from urbansafety.report.charts import grouped_bar_chart, heatmap_chart, line_chart, ranking_chart
from urbansafety.report.model import (
    CHANGE,
    COUNT,
    RATE,
    SHARE,
    MethodNote,
    Report,
    Section,
    Source,
    Table,
)

YEARS = [2019, 2020, 2021, 2022, 2023, 2024]
PERSON = [3120, 2874, 2990, 3301, 3412, 3388]
PROPERTY = [11890, 9875, 9402, 10433, 12345, 11987]
NEIGHBOURHOODS = {
    "Centre-Sud": (1843, 21.7, False),
    "Hochelaga": (1210, 14.2, False),
    "Petite-Patrie": (901, 9.8, False),
    "Villeray–Saint-Michel": (1402, 12.6, False),
    "Parc-Extension": (655, 20.9, False),
    "Île-des-Sœurs": (3, 1.4, True),
}
# Words that are data, not renderer strings: they come in the report's language.
WORDS = {
    "fr": {
        "title": "Diagnostic local de sécurité",
        "subtitle": "Portrait de la criminalité",
        "territory": "Arrondissement de Ville-Marie",
        "period": "2019 à 2024",
        "year": "Année",
        "group": "Type de crime",
        "person": "Crimes contre la personne",
        "property": "Crimes contre la propriété",
        "incidents": "Incidents",
        "rate": "Taux pour 1 000 habitants",
        "change": "Variation depuis 2019",
        "share": "Part des incidents",
        "neighbourhood": "Quartier",
        "day": "Jour",
        "hour": "Heure",
        "t_years": "Incidents par année et type de crime",
        "t_table": "Incidents, taux et variation par type de crime, 2024",
        "t_bars": "Incidents par type de crime, 2019 et 2024",
        "t_heat": "Incidents selon le jour et l’heure, 2024",
        "t_rank": "Taux d’incidents par quartier, 2024",
        "s_portrait": "Portrait de la criminalité",
        "s_places": "Lieux et moments",
        "intro": "Les crimes contre la propriété ont baissé en 2020 puis sont revenus à leur niveau d’avant la pandémie.",
        "para": "Le centre-ville concentre une part importante des incidents; le taux par habitant y est le plus élevé.",
        "note_rate": "Les taux des quartiers de moins de 1 000 habitants sont à interpréter avec prudence.",
        "method": "Les incidents sont les actes criminels déclarés au Service de police de la Ville de Montréal.\n\nLes comptes de 1 à 4 sont supprimés pour protéger la confidentialité.",
        "def_rate": "Nombre d’incidents pour 1 000 habitants au cours de l’année.",
        "formula": "taux = 1 000 × incidents ÷ population",
        "src": "Actes criminels, Ville de Montréal, 2025",
        "ref": "Statistique Canada (2009). Mesure de la criminalité au Canada : présentation de l’Indice de gravité de la criminalité. No 85-004-X.",
        "source_title": "Actes criminels",
        "publisher": "Ville de Montréal",
    },
    "en": {
        "title": "Local safety diagnostic",
        "subtitle": "Crime portrait",
        "territory": "Borough of Ville-Marie",
        "period": "2019 to 2024",
        "year": "Year",
        "group": "Type of crime",
        "person": "Crimes against the person",
        "property": "Crimes against property",
        "incidents": "Incidents",
        "rate": "Rate per 1,000 residents",
        "change": "Change since 2019",
        "share": "Share of incidents",
        "neighbourhood": "Neighbourhood",
        "day": "Day",
        "hour": "Hour",
        "t_years": "Incidents by year and type of crime",
        "t_table": "Incidents, rates and change by type of crime, 2024",
        "t_bars": "Incidents by type of crime, 2019 and 2024",
        "t_heat": "Incidents by day and hour, 2024",
        "t_rank": "Incident rate by neighbourhood, 2024",
        "s_portrait": "Crime portrait",
        "s_places": "Places and times",
        "intro": "Property crime fell in 2020, then returned to its pre-pandemic level.",
        "para": "Downtown holds a large share of incidents; its rate per resident is the highest.",
        "note_rate": "Rates of neighbourhoods with fewer than 1,000 residents should be read with care.",
        "method": "Incidents are the criminal offences reported to the Service de police de la Ville de Montréal.\n\nCounts of 1 to 4 are suppressed to protect confidentiality.",
        "def_rate": "Number of incidents per 1,000 residents in the year.",
        "formula": "rate = 1,000 × incidents ÷ population",
        "src": "Criminal acts, City of Montréal, 2025",
        "ref": "Statistics Canada (2009). Measuring Crime in Canada: Introducing the Crime Severity Index. Cat. 85-004-X.",
        "source_title": "Criminal acts (Actes criminels)",
        "publisher": "City of Montréal",
    },
}
GENERATED = date(2025, 3, 1)


def sample_report(lang: str) -> Report:
    """Return a two-section portrait with four charts, one table and suppressed cells."""
    w = WORDS[lang]
    years = pd.DataFrame(
        {
            "year": YEARS * 2,
            "group": [w["person"]] * 6 + [w["property"]] * 6,
            "incidents": PERSON + PROPERTY,
        }
    )
    labels = {
        "year": w["year"],
        "group": w["group"],
        "incidents": w["incidents"],
        "rate": w["rate"],
        "change": w["change"],
        "share": w["share"],
        "neighbourhood": w["neighbourhood"],
        "day": w["day"],
        "hour": w["hour"],
    }

    def pick(*keys: str) -> dict[str, str]:
        return {k: labels[k] for k in keys}

    by_year = Table(
        w["t_years"],
        years,
        labels=pick("year", "group", "incidents"),
        formats={"incidents": COUNT},
    )

    summary = Table(
        w["t_table"],
        pd.DataFrame(
            {
                "group": [w["person"], w["property"]],
                "incidents": [PERSON[-1], PROPERTY[-1]],
                "rate": [3388 / 103.456, 11987 / 103.456],
                "change": [PERSON[-1] / PERSON[0] - 1, PROPERTY[-1] / PROPERTY[0] - 1],
                "share": [3388 / 15375, 11987 / 15375],
            }
        ),
        labels=pick("group", "incidents", "rate", "change", "share"),
        formats={"incidents": COUNT, "rate": RATE, "change": CHANGE, "share": SHARE},
    )
    two_years = years[years["year"].isin([2019, 2024])]
    bars = Table(
        w["t_bars"],
        two_years,
        labels=pick("year", "group", "incidents"),
        formats={"incidents": COUNT},
    )
    rng = np.random.default_rng(7)
    heat = pd.DataFrame(
        [
            (d, h, int(rng.poisson(3 + 25 * np.exp(-((h - 17) ** 2) / 18))))
            for d in range(7)
            for h in range(24)
        ],
        columns=["day", "hour", "incidents"],
    )
    heat_mask = pd.DataFrame({"incidents": (heat["incidents"] >= 1) & (heat["incidents"] <= 4)})
    heat_table = Table(
        w["t_heat"],
        heat,
        labels=pick("day", "hour", "incidents"),
        formats={"incidents": COUNT},
        suppressed=heat_mask,
    )
    places = pd.DataFrame(
        {
            "neighbourhood": list(NEIGHBOURHOODS),
            "incidents": [v[0] for v in NEIGHBOURHOODS.values()],
            "rate": [v[1] for v in NEIGHBOURHOODS.values()],
        }
    )
    hidden = [v[2] for v in NEIGHBOURHOODS.values()]
    rank_table = Table(
        w["t_rank"],
        places,
        labels=pick("neighbourhood", "incidents", "rate"),
        formats={"incidents": COUNT, "rate": RATE},
        suppressed=pd.DataFrame({"incidents": hidden, "rate": hidden}),
        note=w["note_rate"],
    )
    method = MethodNote(
        text=w["method"],
        definitions=[(w["rate"], w["def_rate"])],
        formulas=[w["formula"]],
        sources=[w["src"]],
        references=[w["ref"]],
    )
    portrait = Section(
        id="crime-portrait",
        title=w["s_portrait"],
        intro=[w["intro"]],
        blocks=[
            line_chart(by_year, x="year", y="incidents", series="group", lang=lang),
            summary,
            grouped_bar_chart(bars, category="year", group="group", value="incidents", lang=lang),
        ],
        method=method,
    )
    places_section = Section(
        id="places-and-times",
        title=w["s_places"],
        blocks=[
            w["para"],
            ranking_chart(rank_table, category="neighbourhood", value="rate", lang=lang),
            heatmap_chart(heat_table, day="day", hour="hour", value="incidents", lang=lang),
        ],
        method=MethodNote(text=w["method"], sources=[w["src"]]),
    )
    return Report(
        title=w["title"],
        subtitle=w["subtitle"],
        territory=w["territory"],
        period=w["period"],
        lang=lang,
        generated_at=GENERATED,
        sections=[portrait, places_section],
        sources=[
            Source(
                title=w["source_title"],
                publisher=w["publisher"],
                url="https://donnees.montreal.ca/dataset/actes-criminels",
                note="CC BY 4.0",
            )
        ],
    )
