"""Indonesia at a glance: the 38 provinces as a tile map, one square each in roughly
its place (issue 13 §6), coloured by how many verified cooperatives or partnerships
it counts.

Why tiles, not the provinces' shapes: a tile map needs no map data, so nothing to
license, ship or keep current as provinces split (four Papuan provinces appeared in
2022); every province is one square, so DKI Jakarta and DI Yogyakarta, where many
cooperatives sit, are as visible as Papua; and the squares stay legible at 375 px.
What it loses, the exact shapes, the numbers do not need. The same numbers are in the
page's tables ("... by province"), which screen readers read: the picture is
decoration beside them, as the charts are.
"""

import bisect

# Province code: (column, row, short name) on a grid of 15 columns and 6 rows, west
# to east and north to south: Sumatra, Java and the Lesser Sunda Islands, Kalimantan,
# Sulawesi, Maluku, Papua.
TILES = {
    "11": (0, 0, "Aceh"),
    "12": (1, 0, "Sumut"),
    "21": (3, 0, "Kepri"),
    "13": (1, 1, "Sumbar"),
    "14": (2, 1, "Riau"),
    "17": (1, 2, "Bengkulu"),
    "15": (2, 2, "Jambi"),
    "19": (3, 2, "Babel"),
    "16": (2, 3, "Sumsel"),
    "18": (3, 3, "Lampung"),
    "36": (3, 4, "Banten"),
    "31": (4, 4, "DKI"),
    "32": (5, 4, "Jabar"),
    "33": (6, 4, "Jateng"),
    "34": (6, 5, "DIY"),
    "35": (7, 4, "Jatim"),
    "51": (8, 4, "Bali"),
    "52": (9, 4, "NTB"),
    "53": (10, 4, "NTT"),
    "61": (5, 1, "Kalbar"),
    "65": (7, 0, "Kaltara"),
    "64": (7, 1, "Kaltim"),
    "62": (6, 2, "Kalteng"),
    "63": (7, 2, "Kalsel"),
    "75": (9, 1, "Gtlo"),
    "71": (10, 1, "Sulut"),
    "76": (8, 2, "Sulbar"),
    "72": (9, 2, "Sulteng"),
    "73": (8, 3, "Sulsel"),
    "74": (9, 3, "Sultra"),
    "82": (11, 1, "Malut"),
    "81": (11, 3, "Maluku"),
    "96": (12, 1, "PBD"),
    "92": (13, 1, "Pabar"),
    "91": (14, 1, "Papua"),
    "94": (13, 2, "Papteng"),
    "95": (14, 2, "Papeg"),
    "93": (14, 3, "Papsel"),
}
COLUMNS, ROWS = 15, 6
# Shades of a count, from the fewest (1) to the most (LEVELS); 0 is none.
LEVELS = 5


def tiles(counted, names):
    """The tile of every province (those counting nothing included), in reading order:
    dicts of code, name, short, count, column and row (from 1, as CSS grids count)
    and level, 0 for none, else 1 (the fewest) to LEVELS (the most) by the province's
    rank among those that count some, in equal steps (on a linear scale, a few large
    provinces would leave every other one pale). `counted`: {province code: count}; `names`: {code: name}."""
    some = sorted(count for count in counted.values() if count)
    found = []
    for code, (column, row, short) in TILES.items():
        count = counted.get(code, 0)
        level = 0
        if count:
            # Its rank among them (ties share the lowest), the first 1, the last LEVELS.
            rank, last = bisect.bisect_left(some, count), len(some) - 1
            level = 1 + int(rank * (LEVELS - 1) / last + 0.5) if last else LEVELS
        found.append(
            {
                "code": code, "name": names.get(code, code), "short": short, "count": count,
                "column": column + 1, "row": row + 1, "level": level,
            }
        )  # fmt: skip
    return sorted(found, key=lambda tile: (tile["row"], tile["column"]))
