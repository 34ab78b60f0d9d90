"""Tests for geometry.shapes."""

import unittest

from geometry.shapes import Circle, Polygon, area


class AreaTest(unittest.TestCase):
    def test_unit_square(self):
        self.assertEqual(area(Polygon(((0, 0), (1, 0), (1, 1), (0, 1)))), 1)

    def test_circle_perimeter(self):
        self.assertAlmostEqual(Circle(1).perimeter(), 6.283185307179586)


if __name__ == "__main__":
    unittest.main()
