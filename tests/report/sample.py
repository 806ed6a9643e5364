"""A small crime-portrait report in French or English, as a chapter would build it; and a map."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from shapely.geometry import Point, box
from shapely.ops import unary_union

from urbansafety.report.charts import grouped_bar_chart, heatmap_chart, line_chart, ranking_chart
from urbansafety.report.model import MethodNote, Report, Section, Source
from urbansafety.report.model_map import LegendEntry, Map, MapLayer
from urbansafety.report.model_table import CHANGE, COUNT, RATE, SHARE, NumberFormat, Table

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


# A 5 × 4 grid of cells over downtown Montréal, each with its hot-spot class (None: no data).
GRID_ORIGIN = (-73.585, 45.495)
GRID_STEP = (0.006, 0.004)
GRID_SHAPE = (5, 4)
CELL_CLASSES = [
    "ns", "ns", "hot95", "ns", "cold95",
    "ns", "hot95", "hot99", "hot95", "ns",
    "ns", "hot99", "hot99", "ns", None,
    "cold95", "ns", "ns", "ns", "ns",
]  # fmt: skip
STATIONS = {
    "Berri-UQAM": (-73.5615, 45.5152),
    "Place-des-Arts": (-73.5691, 45.5079),
    "Peel": (-73.5765, 45.5009),
}
MAP_WORDS = {
    "fr": {
        "title": "Points chauds et points froids des incidents, 2024",
        "description": "Carte de 20 cellules du centre-ville : quatre points chauds à 99 % ou 95 % "
        "de confiance au centre, deux points froids à l’est et au sud-ouest.",
        "cells": "Cellules de 500 m",
        "borough": "Arrondissement de Ville-Marie",
        "stations": "Stations de métro",
        "station": "Station de métro",
        "hot99": "Point chaud, 99 % de confiance",
        "hot95": "Point chaud, 95 % de confiance",
        "ns": "Non significatif",
        "cold95": "Point froid, 95 % de confiance",
        "cell": "Cellule",
        "class": "Classe",
        "z": "Score z (Gi*)",
        "tip": "Cellule {cell} : {label}",
        "table": "Classe de chaque cellule, 2024",
        "nodata": "Aucune donnée",
    },
    "en": {
        "title": "Incident hot spots and cold spots, 2024",
        "description": "Map of 20 downtown cells: four hot spots at 99% or 95% confidence in "
        "the centre, two cold spots in the east and the south-west.",
        "cells": "500 m cells",
        "borough": "Borough of Ville-Marie",
        "stations": "Metro stations",
        "station": "Metro station",
        "hot99": "Hot spot, 99% confidence",
        "hot95": "Hot spot, 95% confidence",
        "ns": "Not significant",
        "cold95": "Cold spot, 95% confidence",
        "cell": "Cell",
        "class": "Class",
        "z": "z score (Gi*)",
        "tip": "Cell {cell}: {label}",
        "table": "Class of each cell, 2024",
        "nodata": "No data",
    },
}
MAP_COLORS = {"hot99": "#b2182b", "hot95": "#ef8a62", "ns": "#e0e0e0", "cold95": "#4393c3"}


def sample_map(lang: str, *, tiles: bool = False) -> Map:
    """Return a hot-spot map: 20 grid cells, the borough's outline and 3 metro stations."""
    w = MAP_WORDS[lang]
    (x0, y0), (dx, dy), (nx, ny) = GRID_ORIGIN, GRID_STEP, GRID_SHAPE
    cells = [
        box(x0 + i * dx, y0 + j * dy, x0 + (i + 1) * dx, y0 + (j + 1) * dy)
        for j in range(ny)
        for i in range(nx)
    ]
    ids = [f"C{n + 1:02d}" for n in range(len(cells))]
    legend = [LegendEntry(k, w[k], MAP_COLORS[k]) for k in ("hot99", "hot95", "ns", "cold95")]
    labels = [w[k] if k else w["nodata"] for k in CELL_CLASSES]
    z = {"hot99": 2.9, "hot95": 2.1, "ns": 0.4, "cold95": -2.2}
    grid = MapLayer(
        w["cells"],
        cells,
        keys=CELL_CLASSES,
        tooltips=[w["tip"].format(cell=c, label=lab) for c, lab in zip(ids, labels, strict=True)],
        legend=legend,
    )
    borough = MapLayer(w["borough"], [unary_union(cells).buffer(0.001)], outline=True)
    stations = MapLayer(
        w["stations"],
        [Point(xy) for xy in STATIONS.values()],
        keys=["metro"] * len(STATIONS),
        tooltips=list(STATIONS),
        legend=[LegendEntry("metro", w["station"], "#1b1f24")],
    )
    table = Table(
        w["table"],
        pd.DataFrame(
            {
                "cell": ids,
                "class": labels,
                "z": [z[k] if k else None for k in CELL_CLASSES],
            }
        ),
        labels={"cell": w["cell"], "class": w["class"], "z": w["z"]},
        formats={"z": NumberFormat(decimals=1)},
    )
    return Map(
        w["title"],
        [grid, borough, stations],
        table,
        description=w["description"],
        tiles=tiles,
    )


def sample_map_report(lang: str, *, tiles: bool = False) -> Report:
    """Return a one-section report whose section holds a paragraph and the sample map."""
    w = MAP_WORDS[lang]
    return Report(
        title=WORDS[lang]["title"],
        territory=WORDS[lang]["territory"],
        lang=lang,
        generated_at=GENERATED,
        sections=[
            Section(
                id="hot-spots",
                title=w["title"],
                blocks=[w["description"], sample_map(lang, tiles=tiles)],
                method=MethodNote(text=WORDS[lang]["method"]),
            )
        ],
    )
