"""Shapes with an area and a perimeter.

Every shape is an immutable dataclass; `area()` dispatches on the shape type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import singledispatch

TAU = 2 * math.pi


@dataclass(frozen=True)
class Circle:
    """A circle given by its radius."""

    radius: float

    def perimeter(self) -> float:
        """Length of the boundary."""
        return TAU * self.radius


@dataclass(frozen=True)
class Polygon:
    """A simple polygon given by its vertices in order."""

    vertices: tuple[tuple[float, float], ...]

    def perimeter(self) -> float:
        """Sum of the edge lengths."""
        pts = self.vertices
        return sum(math.dist(pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts)))


@singledispatch
def area(shape) -> float:
    """Area of a shape."""
    raise TypeError(f"not a shape: {shape!r}")


@area.register
def _(shape: Circle) -> float:
    return math.pi * shape.radius**2


@area.register
def _(shape: Polygon) -> float:
    pts = shape.vertices
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True))
    return abs(twice) / 2
