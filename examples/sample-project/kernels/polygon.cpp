// Shoelace-formula area of a simple polygon.
#include "polygon.h"

namespace geometry::core {

double signed_area(const std::vector<Point>& points) {
  double twice = 0.0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& a = points[i];
    const Point& b = points[(i + 1) % points.size()];
    twice += a.x * b.y - b.x * a.y;
  }
  return twice / 2.0;
}

} // namespace geometry::core
