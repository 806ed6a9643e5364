"""The commented urbansafety.toml written into a new workspace (French first, then English)."""

from __future__ import annotations

TEMPLATE = """\
# urbansafety.toml — configuration du diagnostic / diagnostic configuration
# Les lignes qui commencent par # sont des commentaires. Lines starting with # are comments.

[territory]
# Nom du territoire, affiché dans les rapports / territory name shown in reports
name = "{name}"
# Nom dans les rapports en anglais (vide = le même) / name in English reports (empty = the same)
name_en = "{name_en}"
# Système de coordonnées de travail, en mètres / working coordinate system, in metres.
# EPSG:32188 = NAD83 / MTM zone 8 (Montréal, the SPVM open-data X/Y).
crs = "{crs}"
# Langue des messages et rapports : "fr" ou "en" / language of messages and reports
language = "{language}"
# Couches qui délimitent le territoire : un point hors de toutes est « localisation inconnue ».
# Layers that bound the territory: a point outside all of them gets location "unknown".
# Vide = toutes les couches importées / empty = every imported layer.
extent_layers = []

[years]
# Période analysée (vide = toutes les années présentes) / analysed period (empty = all years)
# first = 2018
# last = 2024

[disclosure]
# Les effectifs de 1 à threshold-1 sont masqués dans tout ce qui est publié.
# Counts from 1 to threshold-1 are suppressed in everything published (5 = suppress 1–4).
threshold = 5

[grid]
# Taille des cellules de la grille, en mètres / grid cell size in metres
size_m = 250
# Résolution H3 (9 ≈ 0,1 km² par hexagone) / H3 resolution (9 ≈ 0.1 km² per hexagon)
h3_resolution = 9

[hotspots]
# Cellules : "grid" (carrés de [grid] size_m) ou "h3" (hexagones) / cells: squares or hexagons
cells = "grid"
# Voisinage : "queen" (8 voisins), "rook" (4), "distance" (distance_m) ou "knn" (k plus proches)
# Neighbours: queen (8), rook (4), distance (within distance_m) or knn (k nearest)
weights = "queen"
# distance_m = 375
# k = 8
# Permutations (pseudo-valeurs p) du I de Moran local et global, et graine (reproductible)
# Permutations (pseudo p-values) of local and global Moran's I, and seed (reproducible)
permutations = 999
seed = 12345
# Gi* : 0 = scores z et valeurs p analytiques (comme ArcGIS); sinon, permutations conditionnelles
# Gi*: 0 = analytic z-scores and p-values (as ArcGIS); otherwise conditional permutations
gi_permutations = 0
# Correction pour tests multiples (taux de fausses découvertes) / False Discovery Rate correction
fdr = true
# Densité par noyau : rayon et taille des cellules en mètres (0 = règle documentée)
# Kernel density: bandwidth and cell size in metres (0 = the documented rule)
kde_bandwidth_m = 0
kde_cell_m = 0
# Catégories analysées (vide = toutes) / categories analysed (empty = all)
categories = []

[near_repeat]
# Test de Knox (victimisation répétée et quasi répétée) / Knox test (repeat and near-repeat)
categories = ["break_and_enter"]
space_bands_m = [100, 200, 300, 400]
time_bands_days = [7, 14, 21, 28]
permutations = 999
seed = 12345
# "euclidean" ou "manhattan" (trame de rues) / or manhattan (street grid)
metric = "euclidean"

# [survey]
# Pondération des sondages aux marges de la population (table population, 15 ans et plus) ;
# décommentez pour changer les valeurs par défaut ci-dessous.
# Survey weighting to population margins (population table, aged 15 and over); uncomment to
# change the defaults below.
# margins = ["age_group", "gender", "neighbourhood"]
# layer = "neighbourhood"
# "rake" (calage itératif) ou "poststratify" / raking or post-stratification
# method = "rake"
# Bornes des poids relatives à la moyenne, ex. [0.3, 3.0] ([] = aucune) / weight bounds ([] = none)
# trim = []
# Estimations sur moins de min_n répondants signalées, sous floor supprimées
# Estimates on fewer than min_n respondents are flagged, below floor suppressed
# min_n = 30
# floor = 10

[report]
# Fond de carte OpenStreetMap sous les cartes, quand le lecteur est en ligne (les cartes restent
# complètes hors ligne). OpenStreetMap tiles under the maps when the reader is online.
map_tiles = false

[engine]
# "duckdb" (défaut, un fichier store.duckdb) ou "spark" (PySpark, grappe ou local)
# "duckdb" (default, one file store.duckdb) or "spark" (PySpark, cluster or local mode)
kind = "duckdb"
spark_master = "local[2]"

[sites]
# Portrait par site : incidents à moins de radius_m mètres de chaque site
# Site-based portrait: incidents within radius_m metres of each site
radius_m = 100
# Attribut des sites qui donne le nombre de logements / site attribute giving dwelling units
dwellings_attribute = "logements"

[severity]
# Indice de gravité de la criminalité (IGC) : fichier des pondérations de Statistique Canada
# (violation_code,weight,violent,source,weights_year) et ses bases de normalisation.
# Crime Severity Index: Statistics Canada's weights file and its standardisation bases.
# Sans fichier : sous-ensemble d'exemple, indice « de type IGC » (non officiel).
# weights = "ponderations_igc.csv"
# base = 0.0
# base_violent = 0.0
# base_nonviolent = 0.0

# Thèmes : un filtre nommé sur les catégories ou les codes d'infraction (DUC2).
# Themes: a named filter on categories or UCR2 violation codes. Example:
# [themes.armes_a_feu]
# label_fr = "Armes à feu"
# label_en = "Firearms"
# categories = ["weapons"]
# violation_codes = ["1450", "1455", "1457"]

# Options par couche de territoire / options per territory layer. Example:
# [layers.pdq]
# label_fr = "Poste de quartier"
# label_en = "Police district"
# # attribut d'incident utilisé quand la localisation est inconnue
# # incident attribute used when the location is unknown
# attribute = "district"
"""
