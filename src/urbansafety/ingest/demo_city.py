"""Valbrume, the fictional demo city: territories, street grid, hot spots, census, sites."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS_MTM8 = "EPSG:32188"
CITY_NAME = "Valbrume"
# Uninhabited boreal land inside MTM zone 8 (≈ -73.3°, 50.6°): no real place gets invented crime.
CENTRE = (318_950.0, 5_607_050.0)
HALF_AXES = (6_000.0, 4_500.0)
GRID_SPACING = 120.0
GRID_ROTATION_DEG = 11.0
# One fixed territory whatever the incident seed, so documentation can describe it.
CITY_SEED = 20_240_615
BOUNDARY_CLEARANCE = 2.0  # metres between any street intersection and any boundary
BASE_POPULATION = 250_000
AGE_GROUPS = ("0-14", "15-24", "25-44", "45-64", "65+")
DISTRICT_CODES = ("11", "12", "13", "14", "15", "16")
NEIGHBOURHOOD_NAMES = (
    "Vieux-Valbrume", "Faubourg-des-Lanternes", "Les Pignons-Rouges", "Coteau-Bleuet",
    "Bosquet-Fredonnant", "Anse-aux-Brumes", "Plateau-des-Ourses", "Rive-aux-Loutres",
    "Champ-Tourmaline", "Clos-des-Cerfs-Volants",
)  # fmt: skip
BOROUGH_NAMES = (
    "Valbrume-Centre", "Hauts-de-Brumeval", "Rives-de-l'Orpailleur", "Plaines-du-Héron-Cendré"
)  # fmt: skip
# name, kind, dx, dy from CENTRE (m), end of a street segment (dx, dy), reach (sigma, m)
HOTSPOTS = (
    ("Centre-ville", "downtown", -600, -300, -600, -300, 450),
    ("Boulevard des Forges", "strip", -600, -300, 2600, 900, 80),
    ("Terminus Belle-Ourse", "transit", -2600, 1800, -2600, 1800, 120),
    ("Parc du Grand-Héron", "park", 1800, -2300, 1800, -2300, 300),
    ("Quartier des Lanternes", "nightlife", -250, -650, -250, -650, 180),
    ("Carrefour Tourmaline", "mall", 3800, -1200, 3800, -1200, 170),
    ("Parc industriel des Forges", "industrial", -4300, -2200, -4300, -2200, 500),
)
# Residential areas: dx, dy (m), reach (m), density level.
RESIDENTIAL_AREAS = (
    (-2800, 1400, 1100, 0.7), (2300, 2300, 1000, 0.6), (1200, -1400, 900, 0.7),
    (4200, 900, 900, 0.5), (-1500, 3000, 800, 0.5), (-3800, 0, 900, 0.4),
)  # fmt: skip
# Where incidents are drawn from: the resident population, the poorer part of it, the hot spots.
COMPONENTS = ("residential", "deprived", *(h[1] for h in HOTSPOTS))
SITE_PREFIXES = ("Habitations", "Résidence", "Les Jardins", "Place", "Coopérative", "Manoir")
SITE_CORES = (
    "des Lucioles", "du Héron-Vert", "des Trois-Bouleaux", "de la Loutre", "du Merle-Moqueur",
    "des Fougères", "du Vieux-Moulin", "de l'Outarde", "des Brumes", "du Lichen", "des Rainettes",
    "du Castor-Gris", "de la Sarcelle", "des Quenouilles", "du Pic-Flamboyant", "des Airelles",
    "de la Tourbière", "du Carcajou", "des Épinettes", "du Grand-Duc", "de la Bruyère",
    "des Mésanges", "du Faucon-Pèlerin", "des Cèdres-Bleus", "de la Marmotte", "du Chardonneret",
    "des Pommetiers", "de l'Engoulevent", "des Sureaux", "du Roitelet", "de la Mouette-Rieuse",
    "des Érables-Argentés", "du Bruant", "des Ancolies", "de la Perdrix", "du Lynx-Roux",
    "des Noisetiers", "de l'Hirondelle", "des Amélanchiers", "du Pluvier", "de la Gélinotte",
    "des Ménés", "du Harfang", "des Cornouillers", "de la Bécasse", "du Vison", "des Myriques",
    "du Colibri", "des Saules-Pleureurs", "de la Salamandre",
)  # fmt: skip


@dataclass(frozen=True)
class HotSpot:
    """A place that draws incidents: a point or a street segment with a Gaussian reach (m)."""

    name: str
    kind: str
    x: float
    y: float
    x_end: float
    y_end: float
    sigma: float


@dataclass(frozen=True)
class DemoCity:
    """The demo territory; every geometry is in EPSG:32188 (MTM zone 8, metres)."""

    outline: shapely.Polygon
    neighbourhoods: gpd.GeoDataFrame  # code, nom, arrondissement (parent borough), geometry
    boroughs: gpd.GeoDataFrame  # code, name, geometry
    districts: gpd.GeoDataFrame  # PDQ, NOM, geometry; the first holds downtown
    hotspots: tuple[HotSpot, ...]
    intersections: np.ndarray  # (n, 2) street-grid points, where incidents are snapped
    district_of: np.ndarray  # index into `districts` of each intersection
    neighbourhood_of: np.ndarray  # index into `neighbourhoods` of each intersection
    density: np.ndarray  # relative residential density at each intersection
    deprivation: np.ndarray  # 0..1 material-deprivation index at each intersection

    def kernel(self, spot: HotSpot) -> np.ndarray:
        """Return the Gaussian weight of `spot` at every intersection."""
        return _kernel(self.intersections, spot)

    def draw_points(self, rng: np.random.Generator, component: np.ndarray) -> np.ndarray:
        """Return an intersection index per row, drawn from that row's COMPONENTS entry."""
        weights = [self.density, self.density * self.deprivation]
        weights += [self.kernel(s) for s in self.hotspots]
        cdf = np.cumsum(np.vstack(weights), axis=1)
        n_comp, n_pts = cdf.shape
        # One sorted search for all rows: component k's cumulative weights are shifted to [k, k+1].
        flat = (cdf / cdf[:, -1:] + np.arange(n_comp)[:, None]).ravel()
        idx = np.searchsorted(flat, component + rng.random(len(component)), side="right")
        return np.clip(idx - component * n_pts, 0, n_pts - 1)


def weighted_draw(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """Return n indices drawn with probability proportional to `weights`."""
    cdf = np.cumsum(weights, dtype=float)
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), len(cdf) - 1)


def _spot(x: float, y: float, sigma: float) -> HotSpot:
    return HotSpot("", "", x, y, x, y, sigma)


def _kernel(points: np.ndarray, spot: HotSpot) -> np.ndarray:
    start = np.array([spot.x, spot.y])
    seg = np.array([spot.x_end, spot.y_end]) - start
    length2 = float(seg @ seg)
    t = np.zeros(len(points)) if length2 == 0 else np.clip((points - start) @ seg / length2, 0, 1)
    d2 = ((points - start - t[:, None] * seg) ** 2).sum(axis=1)
    return np.exp(-d2 / (2 * spot.sigma**2))


def _outline(rng: np.random.Generator) -> shapely.Polygon:
    theta = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    a, b = HALF_AXES
    radius = a * b / np.hypot(b * np.cos(theta), a * np.sin(theta))
    k = np.arange(2, 6)[:, None]
    wobble = 1 + rng.uniform(0.015, 0.045, (4, 1)) * np.cos(k * theta + rng.uniform(0, 6.3, (4, 1)))
    radius = radius * wobble.prod(axis=0)
    xy = np.column_stack([CENTRE[0] + radius * np.cos(theta), CENTRE[1] + radius * np.sin(theta)])
    return shapely.Polygon(np.round(xy, 1))


def _spread_points(
    rng: np.random.Generator, area: shapely.Polygon, n: int, gap: float, first: np.ndarray
) -> np.ndarray:
    """Return `first` then n - 1 random points inside `area`, all `gap` metres apart."""
    x0, y0, x1, y1 = area.bounds
    chosen = [first]
    while len(chosen) < n:
        p = rng.uniform((x0, y0), (x1, y1))
        if min(np.hypot(*(p - q)) for q in chosen) >= gap and area.contains(shapely.Point(p)):
            chosen.append(p)
    return np.array(chosen)


def _voronoi(seeds: np.ndarray, area: shapely.Polygon, relax: int) -> list[shapely.Geometry]:
    """Return Lloyd-relaxed Voronoi cells of `seeds` clipped to `area`, in seed order.

    The first seed stays put, so the downtown hot spot is the heart of the first cell.
    """
    frame = area.envelope.buffer(2_000)
    for step in range(relax + 1):
        diagram = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=frame)
        cells = shapely.get_parts(diagram)
        # Cells are matched to seeds by containment: `ordered=True` needs GEOS >= 3.12.
        owner = _label(list(cells), seeds)
        clipped = [shapely.set_precision(cells[i] & area, 0.01) for i in owner]
        if step < relax:
            seeds = np.vstack([seeds[:1], shapely.get_coordinates(shapely.centroid(clipped[1:]))])
    return clipped


def _label(cells: list[shapely.Geometry], xy: np.ndarray) -> np.ndarray:
    """Return, for each point, the index of the cell containing it (-1 if none)."""
    out = np.full(len(xy), -1)
    for i, cell in enumerate(cells):
        out[shapely.contains_xy(cell, xy[:, 0], xy[:, 1])] = i
    return out


def _street_grid(rng: np.random.Generator, outline: shapely.Polygon) -> np.ndarray:
    a = np.deg2rad(GRID_ROTATION_DEG)
    half = int(max(HALF_AXES) * 1.3 / GRID_SPACING)
    steps = np.arange(-half, half + 1) * GRID_SPACING
    u, v = (axis.ravel() for axis in np.meshgrid(steps, steps))
    xy = np.column_stack([u * np.cos(a) - v * np.sin(a), u * np.sin(a) + v * np.cos(a)])
    xy = xy + np.array(CENTRE) + rng.normal(0, 6.0, xy.shape)  # streets are not ruler-straight
    return xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]


def _boroughs(cells: list[shapely.Geometry], dx: float, dy: float) -> tuple[np.ndarray, list]:
    """Return each cell's borough (0 = the two central cells) and the borough shapes."""
    centroids = shapely.get_coordinates(shapely.centroid(cells))
    rest = 2 + np.argsort(np.arctan2(centroids[2:, 1] - dy, centroids[2:, 0] - dx))
    for turn in range(len(rest)):  # the first split into angular sectors that are each one piece
        borough = np.zeros(len(cells), dtype=int)
        for b, part in enumerate(np.array_split(np.roll(rest, turn), 3), start=1):
            borough[part] = b
        shapes = [
            shapely.union_all(np.array(cells)[borough == b], grid_size=0.01) for b in range(4)
        ]
        if all(g.geom_type == "Polygon" for g in shapes):
            break
    return borough, shapes


def build_demo_city() -> DemoCity:
    """Return the Valbrume demo territory (always the same city)."""
    rng = np.random.default_rng(CITY_SEED)
    outline = _outline(rng)
    spots = tuple(
        HotSpot(n, k, CENTRE[0] + x, CENTRE[1] + y, CENTRE[0] + xe, CENTRE[1] + ye, float(s))
        for n, k, x, y, xe, ye, s in HOTSPOTS
    )
    dx, dy = spots[0].x, spots[0].y

    def by_distance(cells: list[shapely.Geometry]) -> list[shapely.Geometry]:
        centre = shapely.Point(dx, dy)
        return sorted(cells, key=lambda c: (c.distance(centre), c.centroid.distance(centre)))

    downtown = np.array([dx, dy])
    nb_cells = by_distance(_voronoi(_spread_points(rng, outline, 10, 1_900, downtown), outline, 1))
    borough, b_shapes = _boroughs(nb_cells, dx, dy)
    b_codes = [f"B{b + 1}" for b in range(4)]
    neighbourhoods = gpd.GeoDataFrame(
        {"code": [f"Q{i + 1:02d}" for i in range(10)], "nom": list(NEIGHBOURHOOD_NAMES),
         "arrondissement": [b_codes[b] for b in borough]},
        geometry=nb_cells, crs=CRS_MTM8,
    )  # fmt: skip
    boroughs = gpd.GeoDataFrame(
        {"code": b_codes, "name": list(BOROUGH_NAMES)}, geometry=b_shapes, crs=CRS_MTM8
    )
    # Police districts: another partition, deliberately not aligned with the boroughs.
    d_cells = by_distance(_voronoi(_spread_points(rng, outline, 6, 3_200, downtown), outline, 2))
    served = []
    for cell in d_cells:
        share = shapely.area(shapely.intersection(cell, np.array(nb_cells))) / cell.area
        top = [i for i in np.argsort(-share)[:3] if share[i] > 0.2] or [int(np.argmax(share))]
        served.append(", ".join(NEIGHBOURHOOD_NAMES[i] for i in top))
    districts = gpd.GeoDataFrame(
        {"PDQ": list(DISTRICT_CODES), "NOM": served}, geometry=d_cells, crs=CRS_MTM8
    )

    grid = _street_grid(rng, outline)
    park = next(s for s in spots if s.kind == "park")
    edges = shapely.union_all([shapely.boundary(g) for g in [outline, *nb_cells, *d_cells]])
    clear = shapely.distance(edges, shapely.points(grid)) > BOUNDARY_CLEARANCE
    no_park = np.hypot(grid[:, 0] - park.x, grid[:, 1] - park.y) > 0.9 * park.sigma
    grid = grid[clear & no_park]
    grid.setflags(write=False)
    return DemoCity(
        outline=outline,
        neighbourhoods=neighbourhoods,
        boroughs=boroughs,
        districts=districts,
        hotspots=spots,
        intersections=grid,
        district_of=_label(d_cells, grid),
        neighbourhood_of=_label(nb_cells, grid),
        density=_density(rng, grid, spots),
        deprivation=_deprivation(grid, spots),
    )


def _density(rng: np.random.Generator, xy: np.ndarray, spots: tuple[HotSpot, ...]) -> np.ndarray:
    kind = {s.kind: s for s in spots}
    dens = 0.12 + 0.45 * _kernel(xy, _spot(kind["downtown"].x, kind["downtown"].y, 1_400))
    for dx, dy, sigma, level in RESIDENTIAL_AREAS:
        blob = _spot(CENTRE[0] + dx, CENTRE[1] + dy, sigma)
        dens += level * rng.uniform(0.9, 1.1) * _kernel(xy, blob)
    return (
        dens * (1 - 0.9 * _kernel(xy, kind["industrial"])) * (1 - 0.6 * _kernel(xy, kind["mall"]))
    )


def _deprivation(xy: np.ndarray, spots: tuple[HotSpot, ...]) -> np.ndarray:
    """Return a 0..1 index: poorer east of downtown, near the industrial park and the terminus."""
    kind = {s.kind: s for s in spots}
    east = _spot(kind["downtown"].x + 900, kind["downtown"].y - 600, 1_100)
    industrial = _spot(kind["industrial"].x, kind["industrial"].y, 1_200)
    transit = _spot(kind["transit"].x, kind["transit"].y, 1_200)
    raw = 0.8 * _kernel(xy, east) + 0.6 * _kernel(xy, industrial) + 0.5 * _kernel(xy, transit)
    return np.clip(raw, 0, 1)


def population_table(city: DemoCity, years: tuple[int, int]) -> pd.DataFrame:
    """Return population by layer, code, year, age_group, gender (borough = sum of quartiers)."""
    rng = np.random.default_rng(CITY_SEED + 1)
    n_nb = len(city.neighbourhoods)
    mass = np.bincount(city.neighbourhood_of, weights=city.density, minlength=n_nb)
    growth = rng.uniform(-0.002, 0.018, n_nb)
    centrality = mass / np.bincount(city.neighbourhood_of, minlength=n_nb)
    centrality = (centrality - centrality.min()) / np.ptp(centrality)
    # Dense central quartiers have more young adults and fewer children.
    shares = np.array([0.16, 0.12, 0.27, 0.27, 0.18]) + np.outer(
        centrality, [-0.06, 0.03, 0.09, -0.03, -0.03]
    )
    shares *= rng.uniform(0.92, 1.08, shares.shape)
    female = np.array([0.488, 0.492, 0.499, 0.505, 0.556])
    year = np.arange(years[0], years[1] + 1)
    k = year - years[0]
    ageing = np.array([-0.001, -0.0005, -0.0005, -0.001, 0.003])  # a slowly greying city
    share = shares[:, None, :] + k[None, :, None] * ageing  # (quartier, year, age)
    share /= share.sum(axis=2, keepdims=True)
    total = BASE_POPULATION * mass[:, None] / mass.sum() * (1 + growth[:, None]) ** k
    sex = np.stack([female, 1 - female], axis=1)  # (age, F/M)
    counts = np.rint(total[:, :, None, None] * share[:, :, :, None] * sex).astype(int)
    parent = np.searchsorted(city.boroughs["code"], city.neighbourhoods["arrondissement"])
    b_counts = np.zeros((len(city.boroughs), *counts.shape[1:]), dtype=int)
    np.add.at(b_counts, parent, counts)

    def frame(layer: str, codes: np.ndarray, values: np.ndarray) -> pd.DataFrame:
        c, y, a, g = np.meshgrid(np.arange(len(codes)), year, range(5), range(2), indexing="ij")
        return pd.DataFrame({
            "layer": layer, "code": codes[c.ravel()], "year": y.ravel(),
            "age_group": np.array(AGE_GROUPS)[a.ravel()], "gender": np.array(["F", "M"])[g.ravel()],
            "population": values.ravel(),
        })  # fmt: skip

    return pd.concat(
        [frame("neighbourhood", city.neighbourhoods["code"].to_numpy(), counts),
         frame("borough", city.boroughs["code"].to_numpy(), b_counts)],
        ignore_index=True,
    )  # fmt: skip


def social_housing_sites(city: DemoCity, n_sites: int = 300) -> gpd.GeoDataFrame:
    """Return the social-housing sites (site_id, nom, logements) as EPSG:32188 points."""
    rng = np.random.default_rng(CITY_SEED + 2)
    a = np.deg2rad(GRID_ROTATION_DEG)
    to_block = GRID_SPACING / 2 * np.array([np.cos(a) - np.sin(a), np.sin(a) + np.cos(a)])
    blocks = city.intersections + to_block  # buildings stand mid-block, not on the corner
    inside = shapely.contains_xy(city.outline, blocks[:, 0], blocks[:, 1])
    # More sites where people live and are poorer; a few right by the hot spots.
    weight = np.where(inside, city.density * (0.15 + city.deprivation) ** 2, 0)
    busy = [s for s in city.hotspots if s.kind in ("downtown", "strip", "transit", "nightlife")]
    near = list(dict.fromkeys(int(np.argmax(np.where(inside, city.kernel(s), -1))) for s in busy))
    weight[near] = 0
    picked = rng.choice(len(blocks), n_sites - len(near), replace=False, p=weight / weight.sum())
    idx = np.concatenate([near, picked])
    xy = np.round(blocks[idx] + rng.uniform(-15, 15, (len(idx), 2)), 1)
    units = np.clip(np.rint(rng.lognormal(np.log(32), 0.95, len(idx))), 4, 400).astype(int)
    names = np.array([f"{p} {c}" for p in SITE_PREFIXES for c in SITE_CORES])
    return gpd.GeoDataFrame(
        {"site_id": [f"HLM-{i + 1:03d}" for i in range(len(idx))],
         "nom": rng.choice(names, len(idx), replace=False), "logements": units},
        geometry=shapely.points(xy), crs=CRS_MTM8,
    )  # fmt: skip
