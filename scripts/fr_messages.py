"""French translations of the CLI and error messages (source of locale/fr/.../urbansafety.po).

Run `python scripts/fr_messages.py` after `make messages` to write the catalog; the test suite
fails if a message in the code has no French translation here.
"""

from __future__ import annotations

FR: dict[str, str] = {
    "read": "lecture",
    "validate": "validation",
    "locate": "localisation",
    "write": "écriture",
    "incidents": "incidents",
    "persons": "personnes",
    "territories": "territoires",
    "population": "population",
    "sites": "sites",
    "engine": "moteur",
    "Error": "Erreur",
    "Hint": "Conseil",
    "Local safety diagnostic: crime portraits, hot spots, surveys and reports for a territory.": "Diagnostic local de sécurité : portraits de la criminalité, points chauds, sondages et rapports pour un territoire.",
    "Import": "Importation",
    "%(file)s: already imported (same content); nothing changed.": "%(file)s : déjà importé (même contenu); rien n'a changé.",
    "%(file)s → %(kind)s (source %(source)s): %(read)s rows read, %(accepted)s accepted, %(rejected)s rejected.": "%(file)s → %(kind)s (source %(source)s) : %(read)s lignes lues, %(accepted)s acceptées, %(rejected)s rejetées.",
    "Unknown location: %(n)s (%(share)s), kept in every total their attributes allow.": "Localisation inconnue : %(n)s (%(share)s), conservés dans tous les totaux que leurs attributs permettent.",
    "Text encoding found: %(encoding)s.": "Encodage du texte détecté : %(encoding)s.",
    "This new release replaces the previous import of source %(source)s.": "Cette nouvelle version remplace l'importation précédente de la source %(source)s.",
    "No change by year and category.": "Aucun changement par année et catégorie.",
    "Rejected rows are kept in the rejects table: urbansafety info shows them by reason.": "Les lignes rejetées sont conservées dans la table des rejets : urbansafety info les montre par motif.",
    "Workspace folder (default: the current folder).": "Dossier de l'espace de travail (par défaut : le dossier courant).",
    "Language of messages: fr or en.": "Langue des messages : fr ou en.",
    "Print nothing but errors (for scripts).": "N'afficher que les erreurs (pour les scripts).",
    "Fail, importing nothing, if any row is rejected.": "Échouer, sans rien importer, si une ligne est rejetée.",
    "Mapping file (TOML) naming the columns of your table.": "Fichier de correspondance (TOML) qui nomme les colonnes de votre table.",
    "Create a workspace: a commented urbansafety.toml, an empty store and reports/.": "Créer un espace de travail : un urbansafety.toml commenté, un entrepôt vide et reports/.",
    "Folder to create (default: the current folder).": "Dossier à créer (par défaut : le dossier courant).",
    "Name of the territory, shown in reports.": "Nom du territoire, affiché dans les rapports.",
    "Working coordinate system in metres (default EPSG:32188, Montréal).": "Système de coordonnées de travail en mètres (par défaut EPSG:32188, Montréal).",
    "Workspace ready: %(path)s": "Espace de travail prêt : %(path)s",
    "Edit %(config)s, then import your files with 'urbansafety import'.": "Modifiez %(config)s, puis importez vos fichiers avec « urbansafety import ».",
    "Summarise what is stored: tables, row counts, years, layers, last imports, rejects.": "Résumer le contenu : tables, nombres de lignes, années, couches, dernières importations, rejets.",
    "Import a file into the workspace (one transaction: all or nothing).": "Importer un fichier dans l'espace de travail (une seule transaction : tout ou rien).",
    "Import police incidents: the SPVM open-data file 'actes criminels' (CSV or GeoJSON) as published, or any CSV / Excel / Parquet table with --mapping. Rows without a usable location are kept (location unknown); bad rows go to the rejects table. A new release of a source replaces it.": "Importer des incidents policiers : le fichier de données ouvertes du SPVM « actes criminels » (CSV ou GeoJSON) "
    "tel que publié, ou toute table CSV / Excel / Parquet avec --mapping. Les lignes sans localisation utilisable "
    "sont conservées (localisation inconnue); les lignes invalides vont dans la table des rejets. Une nouvelle "
    "version d'une source la remplace.",
    "File to import.": "Fichier à importer.",
    "Source name (default: spvm, or the mapping's).": "Nom de la source (par défaut : spvm, ou celui du fichier de correspondance).",
    "Text encoding (default: detected; utf-8, cp1252…).": "Encodage du texte (par défaut : détecté; utf-8, cp1252…).",
    "Add to the source instead of replacing it.": "Ajouter à la source au lieu de la remplacer.",
    "Import persons involved (victims, accused) linked to incidents by the source's key.": "Importer les personnes impliquées (victimes, personnes accusées) liées aux incidents par la clé de la source.",
    "Import a territory layer (boroughs, neighbourhoods, police districts…) from GeoJSON, Shapefile (zip or folder) or GeoPackage, in any coordinate system; stored incidents are assigned to it.": "Importer une couche de territoires (arrondissements, quartiers, postes de quartier…) depuis un GeoJSON, un "
    "Shapefile (zip ou dossier) ou un GeoPackage, dans tout système de coordonnées; les incidents déjà importés "
    "y sont rattachés.",
    "Layer name, e.g. borough, neighbourhood, pdq.": "Nom de la couche, p. ex. borough, neighbourhood, pdq.",
    "Attribute holding each territory's code.": "Attribut qui contient le code de chaque territoire.",
    "Attribute holding each territory's name.": "Attribut qui contient le nom de chaque territoire.",
    "Attribute holding the parent territory's code.": "Attribut qui contient le code du territoire parent.",
    "Coordinate system of a file that does not say it.": "Système de coordonnées d'un fichier qui ne l'indique pas.",
    "Import population by territory and year (columns layer,code,year,population, optionally age_group and gender).": "Importer la population par territoire et par année (colonnes layer,code,year,population, et au besoin "
    "age_group et gender).",
    "Layer of every row, when the file has no layer column.": "Couche de toutes les lignes, si le fichier n'a pas de colonne layer.",
    "Import sites (e.g. social-housing buildings) as points; polygons become centroids.": "Importer des sites (p. ex. des immeubles de logement social) en points; les polygones deviennent leur centroïde.",
    "Name of the site layer, e.g. social_housing.": "Nom de la couche de sites, p. ex. social_housing.",
    "Attribute holding each site's identifier.": "Attribut qui contient l'identifiant de chaque site.",
    "Attribute holding each site's name.": "Attribut qui contient le nom de chaque site.",
    "Build a fictional demo city (files in real formats), import it with the import commands and run every analysis, writing the results under reports/.": "Construire une ville de démonstration fictive (fichiers aux formats réels), l'importer avec les commandes "
    "d'importation et lancer toutes les analyses, avec les résultats dans reports/.",
    "Folder of the demo workspace.": "Dossier de l'espace de travail de démonstration.",
    "Random seed: the same seed gives the same city.": "Graine aléatoire : la même graine donne la même ville.",
    "Number of incidents to generate.": "Nombre d'incidents à générer.",
    "%(name)r is not a valid layer name.": "%(name)r n'est pas un nom de couche valide.",
    "Use lowercase letters, digits and _ (e.g. borough, neighbourhood, pdq).": "Utilisez des minuscules, des chiffres et _ (p. ex. borough, neighbourhood, pdq).",
    "Setting %(key)s has the wrong type (%(value)r).": "Le paramètre %(key)s n'a pas le bon type (%(value)r).",
    "See the comments in urbansafety.toml for the expected values.": "Les commentaires de urbansafety.toml indiquent les valeurs attendues.",
    "No urbansafety.toml in this workspace.": "Aucun urbansafety.toml dans cet espace de travail.",
    "Run 'urbansafety init' first, or give --workspace.": "Lancez d'abord « urbansafety init », ou indiquez --workspace.",
    "The configuration file is not valid TOML: %(error)s": "Le fichier de configuration n'est pas un TOML valide : %(error)s",
    "Fix the line named in the message; the comments show the expected form.": "Corrigez la ligne indiquée dans le message; les commentaires montrent la forme attendue.",
    "Unknown coordinate reference system %(crs)r.": "Système de coordonnées inconnu : %(crs)r.",
    "Give an EPSG code such as EPSG:32188 (NAD83 / MTM zone 8, Montréal).": "Indiquez un code EPSG comme EPSG:32188 (NAD83 / MTM zone 8, Montréal).",
    "The workspace CRS %(crs)r is not projected in metres.": "Le système de coordonnées %(crs)r de l'espace de travail n'est pas projeté en mètres.",
    "Distances and grids need metres: use a projected CRS such as EPSG:32188.": "Les distances et les grilles exigent des mètres : utilisez un système projeté comme EPSG:32188.",
    "Unknown language %(value)r.": "Langue inconnue : %(value)r.",
    "Use 'fr' or 'en'.": "Utilisez « fr » ou « en ».",
    "The disclosure threshold must be at least 1 (got %(value)s).": "Le seuil de confidentialité doit être d'au moins 1 (reçu : %(value)s).",
    "The default, 5, suppresses counts of 1 to 4.": "La valeur par défaut, 5, masque les effectifs de 1 à 4.",
    "Unknown engine %(value)r.": "Moteur inconnu : %(value)r.",
    "Use 'duckdb' (default) or 'spark'.": "Utilisez « duckdb » (par défaut) ou « spark ».",
    "The grid size must be positive and the H3 resolution between 0 and 15.": "La taille de la grille doit être positive et la résolution H3 entre 0 et 15.",
    "Demo city (fictional)": "Ville de démonstration (fictive)",
    "Demo ready in %(path)s.": "Démonstration prête dans %(path)s.",
    "Input files (real formats): %(path)s": "Fichiers d'entrée (formats réels) : %(path)s",
    "Results: %(path)s": "Résultats : %(path)s",
    "See what is stored: urbansafety info --workspace %(path)s": "Voir le contenu : urbansafety info --workspace %(path)s",
    "The report and the dashboard come with the portrait and web issues; today the results are the CSV tables above.": "Le rapport et le tableau de bord viendront avec le portrait et l'application Web; pour l'instant, les "
    "résultats sont les tables CSV ci-dessus.",
    "The Spark engine needs PySpark, which is not installed.": "Le moteur Spark exige PySpark, qui n'est pas installé.",
    "Install it with: pip install 'urbansafety[spark]' (Java 17 is also needed).": "Installez-le avec : pip install 'urbansafety[spark]' (Java 17 est aussi nécessaire).",
    "Tables": "Tables",
    "table": "table",
    "rows": "lignes",
    "Incidents from %(first)s to %(last)s; unknown location: %(n)s (%(share)s).": "Incidents de %(first)s à %(last)s; localisation inconnue : %(n)s (%(share)s).",
    "Sources: %(list)s": "Sources : %(list)s",
    "Territory layers: %(list)s": "Couches de territoires : %(list)s",
    "Site layers: %(list)s": "Couches de sites : %(list)s",
    "Last imports": "Dernières importations",
    "kind": "type",
    "source": "source",
    "file": "fichier",
    "accepted": "acceptées",
    "rows read": "lues",
    "rejected": "rejetées",
    "when": "date",
    "Rejected rows by reason": "Lignes rejetées par motif",
    "reason": "motif",
    "No rejected rows.": "Aucune ligne rejetée.",
    "No store in this workspace.": "Aucun entrepôt dans cet espace de travail.",
    "The store cannot be opened: %(error)s": "L'entrepôt ne peut pas être ouvert : %(error)s",
    "Another urbansafety command may be writing to it; wait for it to finish.": "Une autre commande urbansafety est peut-être en train d'y écrire; attendez qu'elle se termine.",
    "This folder is not an urbansafety workspace.": "Ce dossier n'est pas un espace de travail urbansafety.",
    "Run 'urbansafety init' here, or give --workspace with the right folder.": "Lancez « urbansafety init » ici, ou indiquez le bon dossier avec --workspace.",
    "empty code": "code vide",
    "not a polygon": "pas un polygone",
    "no geometry": "aucune géométrie",
    "File not found.": "Fichier introuvable.",
    "The file cannot be read as a map layer: %(error)s": "Le fichier ne peut pas être lu comme une couche cartographique : %(error)s",
    "Give a GeoJSON, a Shapefile (zip or folder) or a GeoPackage.": "Fournissez un GeoJSON, un Shapefile (zip ou dossier) ou un GeoPackage.",
    "The file has no features.": "Le fichier ne contient aucune entité.",
    "The file does not say which coordinate system it uses.": "Le fichier n'indique pas son système de coordonnées.",
    "Give it with --crs (e.g. --crs EPSG:32188).": "Indiquez-le avec --crs (p. ex. --crs EPSG:32188).",
    "No attribute %(name)s. Attributes: %(found)s.": "Aucun attribut %(name)s. Attributs : %(found)s.",
    "Name the right attribute with %(option)s.": "Nommez le bon attribut avec %(option)s.",
    "%(name)r is a reserved column name and cannot be a layer name.": "%(name)r est un nom de colonne réservé et ne peut pas servir de nom de couche.",
    "Choose another name, such as borough or neighbourhood.": "Choisissez un autre nom, comme borough ou neighbourhood.",
    "Codes are not unique in this layer: %(codes)s.": "Les codes ne sont pas uniques dans cette couche : %(codes)s.",
    "Each territory needs its own code; choose another --code-field or merge the polygons.": "Chaque territoire doit avoir son propre code; choisissez un autre --code-field ou fusionnez les polygones.",
    "The mapping must name a date column and a category or violation_code column.": "La correspondance doit nommer une colonne de date et une colonne category ou violation_code.",
    "Missing columns: %(missing)s. Found: %(found)s.": "Colonnes manquantes : %(missing)s. Trouvées : %(found)s.",
    "Expected %(expected)s; for another layout give a mapping file with --mapping.": "Attendu : %(expected)s; pour une autre structure, fournissez un fichier de correspondance avec --mapping.",
    "The mapping sends categories to unknown canonical codes: %(codes)s.": "La correspondance envoie des catégories vers des codes canoniques inconnus : %(codes)s.",
    "Canonical categories: %(known)s.": "Catégories canoniques : %(known)s.",
    "missing": "absente",
    "placeholder": "valeur de remplacement",
    "outside the territory": "hors du territoire",
    "[%(key)s] must be a table of text values.": "[%(key)s] doit être une table de valeurs textuelles.",
    'Write it as [%(key)s] followed by lines such as "source value" = "target".': 'Écrivez [%(key)s] suivi de lignes comme "valeur source" = "cible".',
    "Mapping file not found.": "Fichier de correspondance introuvable.",
    "The mapping file is not valid TOML: %(error)s": "Le fichier de correspondance n'est pas un TOML valide : %(error)s",
    "Unknown field(s) in [columns]: %(fields)s.": "Champ(s) inconnu(s) dans [columns] : %(fields)s.",
    "Allowed fields: %(allowed)s.": "Champs permis : %(allowed)s.",
    "The mapping file must name its source.": "Le fichier de correspondance doit nommer sa source.",
    'Add a line such as source = "police-2024" at the top.': 'Ajoutez en tête une ligne comme source = "police-2024".',
    "unknown role": "rôle inconnu",
    "unknown gender": "genre inconnu",
    "Name the incident key and role columns in the mapping's [columns].": "Nommez les colonnes de clé d'incident et de rôle dans [columns] de la correspondance.",
    "unknown territory": "territoire inconnu",
    "population must be a whole number ≥ 0": "la population doit être un nombre entier ≥ 0",
    "bad year": "année invalide",
    "Expected layer,code,year,population (optionally age_group,gender), or --layer.": "Attendu : layer,code,year,population (et au besoin age_group,gender), ou --layer.",
    "This file is binary, not a text table.": "Ce fichier est binaire, ce n'est pas une table texte.",
    "Give a CSV, Excel (.xlsx), Parquet or GeoJSON file.": "Fournissez un fichier CSV, Excel (.xlsx), Parquet ou GeoJSON.",
    "The file cannot be read with encoding %(encoding)s.": "Le fichier ne peut pas être lu avec l'encodage %(encoding)s.",
    "Leave --encoding out to detect it, or give utf-8, cp1252 or latin-1.": "Omettez --encoding pour le détecter, ou indiquez utf-8, cp1252 ou latin-1.",
    "The file is empty.": "Le fichier est vide.",
    "Check that you exported the data, not an empty sheet.": "Vérifiez que vous avez exporté les données, et non une feuille vide.",
    "The header line has an unbalanced quote.": "La ligne d'en-tête contient un guillemet non fermé.",
    "Expected a CSV file with one header line (separator , ; or tab).": "Attendu : un fichier CSV avec une ligne d'en-tête (séparateur , ; ou tabulation).",
    "The file cannot be read as a table: %(error)s": "Le fichier ne peut pas être lu comme une table : %(error)s",
    "The file cannot be opened as an Excel workbook: %(error)s": "Le fichier ne peut pas être ouvert comme classeur Excel : %(error)s",
    "Save it as .xlsx from Excel or LibreOffice, or export it as CSV.": "Enregistrez-le en .xlsx depuis Excel ou LibreOffice, ou exportez-le en CSV.",
    "No sheet named %(sheet)s (sheets: %(sheets)s).": "Aucune feuille nommée %(sheet)s (feuilles : %(sheets)s).",
    "The file cannot be read as Parquet: %(error)s": "Le fichier ne peut pas être lu comme Parquet : %(error)s",
    "The file is not valid JSON: %(error)s": "Le fichier n'est pas un JSON valide : %(error)s",
    "Expected a GeoJSON FeatureCollection.": "Attendu : une FeatureCollection GeoJSON.",
    "The file is not a GeoJSON FeatureCollection.": "Le fichier n'est pas une FeatureCollection GeoJSON.",
    "Expected an object with a list of features.": "Attendu : un objet avec une liste d'entités (features).",
    "This is a folder, not a file.": "C'est un dossier, pas un fichier.",
    "%(n)s row(s) rejected and --strict is on; nothing was imported. First: %(reason)s (%(value)r).": "%(n)s ligne(s) rejetée(s) et --strict est activé; rien n'a été importé. Première : %(reason)s (%(value)r).",
    "Fix the rows listed, or leave --strict out to keep them in the rejects table.": "Corrigez les lignes indiquées, ou omettez --strict pour les conserver dans la table des rejets.",
    "empty date": "date vide",
    "bad date": "date invalide",
    "date out of range": "date hors limites",
    "unparseable number": "nombre illisible",
    "bad time": "heure invalide",
    "unknown category": "catégorie inconnue",
    "empty category": "catégorie vide",
    "mojibake (wrong text encoding)": "texte mal décodé (mauvais encodage)",
    "unknown violation code": "code d'infraction inconnu",
    "unknown shift": "quart inconnu",
    "malformed line (wrong number of fields or open quote)": "ligne mal formée (mauvais nombre de champs ou guillemet non fermé)",
    "duplicate key": "clé en double",
    "empty key": "clé vide",
    "unknown value": "valeur inconnue",
    "unknown incident": "incident inconnu",
    "age out of range": "âge hors limites",
    "Cannot generate %(n)s demo incidents over the years %(years)s.": "Impossible de générer %(n)s incidents de démonstration sur les années %(years)s.",
    "Give a count of 0 or more and years (first, last) with first <= last.": "Indiquez un nombre d'au moins 0 et des années (première, dernière) avec première <= dernière.",
    "The UCR2 table has none of the categories the demo draws from.": "La table DUC2 ne contient aucune des catégories utilisées par la démonstration.",
    "Check the category column of taxonomy/ucr2_violations.csv.": "Vérifiez la colonne category de taxonomy/ucr2_violations.csv.",
    "Rejected rows": "Lignes rejetées",
    "row": "ligne",
    "column": "colonne",
    "value": "valeur",
    "List rejected rows (file, row, column, value, reason) so they can be fixed; --out writes them all to a CSV file.": "Lister les lignes rejetées (fichier, ligne, colonne, valeur, motif) pour les corriger; --out les écrit "
    "toutes dans un fichier CSV.",
    "Only the rejects of this imported file (its name).": "Seulement les rejets de ce fichier importé (son nom).",
    "How many rows to show.": "Nombre de lignes à afficher.",
    "Write every rejected row to this CSV file.": "Écrire toutes les lignes rejetées dans ce fichier CSV.",
    "%(n)s rejected rows written to %(path)s": "%(n)s lignes rejetées écrites dans %(path)s",
}


def write_catalog(pot: str, out: str) -> list[str]:
    """Write the French .po for the template pot; return the msgids that have no translation."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    with open(pot, "rb") as fh:
        template = read_po(fh)
    catalog = Catalog(locale="fr", domain="urbansafety", project="urbansafety")
    missing = []
    for message in template:
        if not message.id:
            continue
        text = FR.get(str(message.id), "")
        if not text:
            missing.append(str(message.id))
        catalog.add(message.id, text)
    with open(out, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    return missing


if __name__ == "__main__":
    import sys

    missing = write_catalog(
        "build/urbansafety.pot", "src/urbansafety/locale/fr/LC_MESSAGES/urbansafety.po"
    )
    for m in missing:
        print("missing French:", m)
    sys.exit(1 if missing else 0)
