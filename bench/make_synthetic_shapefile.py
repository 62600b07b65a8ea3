#!/usr/bin/env python3
"""Writes a synthetic PolyLine shapefile (.shp .shx .dbf .prj .cpg) of N lines around Florence, for benchmarks.

usage: make_synthetic_shapefile.py OUT_DIR [LINES]   (default 1,000,000 lines; about 150 MB of .shp and 80 MB of .dbf)

The lines are a street network, not scattered strokes: a grid of blocks about 100 m across whose crossroads are
moved at random, each street from one crossroads to the next (1-5 bends), so that lines meet at shared end points
and almost never cross. About 8% of the streets are missing (dead ends, crossroads of two streets) and a few
carry the faults real deliveries have: an end stopping 30 cm short of its crossroads (undershoot), a diagonal across a
block crossing another one without a junction, a street given twice (duplicate). A random scatter of a million
lines crosses itself some 17.6 million times, which no street network does (BENCHMARKS.md, "Importer").
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
NAMES = ["Via dell’Agnolo", "Località Ponte a Greve", "Piazza Niccolò Tommaseo", "Via dei Calzaiuoli"]
record_length = 1 + sum(f[2] for f in FIELDS)

# About 100 m between crossroads (degrees at 43.7° N), crossroads moved by up to a fifth of that.
DX, DY = 0.00125, 0.0009
X0, Y0 = 11.0, 43.5
MISSING, UNDERSHOOT, DIAGONAL, DUPLICATE = 0.08, 0.003, 0.001, 0.0005
# Columns of crossroads: a square grid gives two streets per crossroads (one east, one north).
columns = max(2, int((lines / 2 / (1 - MISSING)) ** 0.5) + 1)


def crossroads_row(r):
    return [(X0 + c * DX + (random.random() - 0.5) * 0.4 * DX, Y0 + r * DY + (random.random() - 0.5) * 0.4 * DY)
            for c in range(columns)]


def street(a, b):
    """From crossroads a to b with 1-5 bends, each off the straight line by at most a tenth of a block."""
    bends = random.randint(1, 5)
    points = [a]
    for k in range(1, bends + 1):
        t = k / (bends + 1)
        points.append((a[0] + (b[0] - a[0]) * t + (random.random() - 0.5) * 0.1 * DX,
                       a[1] + (b[1] - a[1]) * t + (random.random() - 0.5) * 0.1 * DY))
    points.append(b)
    return points


def road(axis, i, j):
    """The name of road i of line j of the grid (one in five has none)."""
    return "" if (i + j) % 5 == 4 else "%s %s%d-%d" % (NAMES[(i + j) % 4], axis, i, j)


def streets():
    """Streets row by row, with their faults, until there are enough."""
    below, above = crossroads_row(0), crossroads_row(1)
    r = 0
    while True:
        for c in range(columns):
            ends = [(below[c], below[c + 1]) if c + 1 < columns else None, (below[c], above[c])]
            if c + 1 < columns and random.random() < DIAGONAL:
                # both diagonals of the block: they cross in its middle with no junction
                ends += [(below[c], above[c + 1]), (below[c + 1], above[c])]
            # a road (one name) is ten blocks of one row or column: a few hundred metres to a km, as a city's are
            names = [road("E", c // 10, r), road("N", r // 10, c)] + [road("D", c, r)] * (len(ends) - 2)
            for ab, name in zip(ends, names):
                a, b = ab or (None, None)
                if a is None or random.random() < MISSING:
                    continue
                points = street(a, b)
                if random.random() < UNDERSHOOT:
                    # the last stretch stops 30 cm short of the crossroads (within the 0.5 m tolerance)
                    (x1, y1), (x2, y2) = points[-2], points[-1]
                    short = 0.3 / (((x2 - x1) * 80_400) ** 2 + ((y2 - y1) * 111_200) ** 2) ** 0.5
                    points[-1] = (x2 - (x2 - x1) * short, y2 - (y2 - y1) * short)
                yield points, name
                if random.random() < DUPLICATE:
                    yield points, name
        r += 1
        below, above = above, crossroads_row(r + 1)


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
    for i, (points, name) in zip(range(lines), streets()):
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (min(xs), min(ys), max(xs), max(ys))
        xmin, ymin, xmax, ymax = min(xmin, box[0]), min(ymin, box[1]), max(xmax, box[2]), max(ymax, box[3])
        content = struct.pack("<i4dii", 3, *box, 1, len(points)) + struct.pack("<i", 0) + b"".join(
            struct.pack("<2d", *p) for p in points)
        shp.write(struct.pack(">ii", i + 1, len(content) // 2) + content)
        shx.write(struct.pack(">ii", offset // 2, len(content) // 2))
        offset += 8 + len(content)
        name = name.encode("utf-8")
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
