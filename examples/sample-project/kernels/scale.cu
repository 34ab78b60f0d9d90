// Scales a point cloud on the GPU.
#include "polygon.h"

namespace geometry::cuda {

__global__ void scale_points(geometry::core::Point* points, int n, double factor) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    points[i].x *= factor;
    points[i].y *= factor;
  }
}

void launch_scale(geometry::core::Point* points, int n, double factor) {
  scale_points<<<(n + 255) / 256, 256>>>(points, n, factor);
}

} // namespace geometry::cuda
