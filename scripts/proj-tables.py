#!/usr/bin/env python3
"""Writes two tables from PROJ's proj.db (what GDAL uses) into src/main/resources/it/firenze/streetcad/importer/shapefile/:
esri-names.tsv, the ESRI names of EPSG datums and CRSs, which PrjCrs reads to identify ESRI .prj texts the way GDAL
does; epsg-areas.tsv, the area of use of each EPSG CRS in lon/lat, for the importer's plausibility check.
   python3 scripts/proj-tables.py [/usr/share/proj/proj.db]   (Debian: proj-data)"""
import sqlite3, sys
db = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/proj/proj.db"
out = "src/main/resources/it/firenze/streetcad/importer/shapefile/esri-names.tsv"
areas = "src/main/resources/it/firenze/streetcad/importer/shapefile/epsg-areas.tsv"
c = sqlite3.connect(db)
meta = dict(c.execute("SELECT key, value FROM metadata"))
with open(out, "w", encoding="utf-8") as f:
    f.write(f"# ESRI names of EPSG objects, from PROJ {meta.get('PROJ.VERSION')} proj.db (EPSG {meta.get('EPSG.VERSION')}, "
            f"ESRI {meta.get('ESRI.VERSION')}); written by scripts/esri-names.py\n")
    f.write("# datum<TAB>ESRI name<TAB>EPSG name   |   crs<TAB>ESRI name<TAB>EPSG code\n")
    for alt, name in c.execute("SELECT a.alt_name, d.name FROM alias_name a JOIN geodetic_datum d ON d.auth_name = a.auth_name "
                               "AND d.code = a.code WHERE a.table_name = 'geodetic_datum' AND a.source = 'ESRI' "
                               "AND a.auth_name = 'EPSG' ORDER BY a.alt_name"):
        f.write(f"datum\t{alt}\t{name}\n")
    for alt, code in c.execute("SELECT alt_name, code FROM alias_name WHERE table_name IN ('geodetic_crs', 'projected_crs') "
                               "AND source = 'ESRI' AND auth_name = 'EPSG' ORDER BY alt_name, CAST(code AS integer)"):
        f.write(f"crs\t{alt}\t{code}\n")
with open(areas, "w", encoding="utf-8") as f:
    f.write(f"# Area of use of EPSG CRSs (west, south, east, north in degrees; the first usage), from PROJ "
            f"{meta.get('PROJ.VERSION')} proj.db (EPSG {meta.get('EPSG.VERSION')}); written by scripts/proj-tables.py\n")
    seen = set()
    for code, name, w, s_, e, n in c.execute("SELECT u.object_code, x.name, x.west_lon, x.south_lat, x.east_lon, x.north_lat "
            "FROM usage u JOIN extent x ON x.auth_name = u.extent_auth_name AND x.code = u.extent_code "
            "WHERE u.object_auth_name = 'EPSG' AND u.object_table_name IN ('projected_crs', 'geodetic_crs') "
            "ORDER BY CAST(u.object_code AS integer), u.rowid"):
        if code in seen:
            continue
        seen.add(code)
        f.write(f"{code}\t{w}\t{s_}\t{e}\t{n}\t{name}\n")
