"""Load and save shapes as JSON."""

import json

from .shapes import Circle, Polygon


def load(path):
    """Read a list of shapes from a JSON file."""
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    return [Circle(**item) if "radius" in item else Polygon(tuple(map(tuple, item["vertices"]))) for item in raw]


def save(shapes, path):
    """Write shapes to a JSON file."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump([s.__dict__ for s in shapes], handle)
