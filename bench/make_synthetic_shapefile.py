#!/usr/bin/env python3
"""Writes a synthetic PolyLine shapefile (.shp .shx .dbf .prj .cpg) of N lines around Florence, for benchmarks.

usage: make_synthetic_shapefile.py OUT_DIR [LINES]   (default 1,000,000 lines; about 150 MB of .shp and 110 MB of .dbf)
"""
import os
import random
import struct
import sys

out_dir = sys.argv[1]
lines = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
os.makedirs(out_dir, exist_ok=True)
base = os.path.join(out_dir, "synthetic_roads")
random.seed(42)

FIELDS = [(b"name", b"C", 60, 0), (b"highway", b"C", 14, 0), (b"lanes", b"N", 2, 0), (b"maxspeed", b"N", 3, 0),
          (b"oneway", b"C", 3, 0)]
HIGHWAYS = [b"residential", b"primary", b"secondary", b"tertiary", b"service", b"footway"]
NAMES = ["Via dell’Agnolo", "Località Ponte a Greve", "Piazza Niccolò Tommaseo", "Via dei Calzaiuoli", ""]
record_length = 1 + sum(f[2] for f in FIELDS)

with open(base + ".shp", "wb") as shp, open(base + ".shx", "wb") as shx, open(base + ".dbf", "wb") as dbf:
    shp.write(b"\0" * 100)
    shx.write(b"\0" * 100)
    header_length = 32 + 32 * len(FIELDS) + 1
    dbf.write(struct.pack("<B3BIHH20x", 3, 124, 11, 25, lines, header_length, record_length))
    for name, kind, length, decimals in FIELDS:
        dbf.write(struct.pack("<11sc4xBB14x", name, kind, length, decimals))
    dbf.write(b"\r")
    offset = 100
    xmin = ymin = float("inf")
    xmax = ymax = float("-inf")
    for i in range(lines):
        x, y = 11.15 + random.random() * 0.2, 43.72 + random.random() * 0.1
        points = []
        for _ in range(random.randint(2, 8)):
            points.append((x, y))
            x += (random.random() - 0.5) * 0.001
            y += (random.random() - 0.5) * 0.001
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (min(xs), min(ys), max(xs), max(ys))
        xmin, ymin, xmax, ymax = min(xmin, box[0]), min(ymin, box[1]), max(xmax, box[2]), max(ymax, box[3])
        content = struct.pack("<i4dii", 3, *box, 1, len(points)) + struct.pack("<i", 0) + b"".join(
            struct.pack("<2d", *p) for p in points)
        shp.write(struct.pack(">ii", i + 1, len(content) // 2) + content)
        shx.write(struct.pack(">ii", offset // 2, len(content) // 2))
        offset += 8 + len(content)
        name = (NAMES[i % len(NAMES)] + (" %d" % i if i % 5 != 4 else "")).encode("utf-8")
        dbf.write(b" " + name.ljust(60) + HIGHWAYS[i % len(HIGHWAYS)].ljust(14) + b"%2d" % (1 + i % 3)
                  + b"%3d" % (30 + 10 * (i % 5)) + (b"yes" if i % 7 == 0 else b"   "))
    dbf.write(b"\x1a")
    for f, length in ((shp, offset), (shx, 100 + 8 * lines)):
        f.seek(0)
        f.write(struct.pack(">i20xi", 9994, length // 2) + struct.pack("<ii4d4d", 1000, 3, xmin, ymin, xmax, ymax,
                                                                           0, 0, 0, 0))

with open(base + ".prj", "w") as prj:
    prj.write('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
              'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')
with open(base + ".cpg", "w") as cpg:
    cpg.write("UTF-8")
print(base + ".shp")
