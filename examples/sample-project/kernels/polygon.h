// Polygon measurements for the geometry-kit native core.
#pragma once

#include <cstddef>
#include <vector>

namespace geometry::core {

struct Point {
  double x;
  double y;
};

// Signed area by the shoelace formula.
double signed_area(const std::vector<Point>& points);

template <typename T>
T clamp_positive(T value) {
  return value < T(0) ? -value : value;
}

} // namespace geometry::core
