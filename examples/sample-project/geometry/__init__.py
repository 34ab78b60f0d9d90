"""geometry-kit: measure circles and polygons."""

from .shapes import Circle, Polygon, area

__all__ = ["Circle", "Polygon", "area"]
