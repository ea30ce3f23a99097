package dev.trellis.bench.mesh;

/**
 * The size of a synthetic mesh: how many services, how many static endpoints each, and the seed
 * that makes the result reproducible.
 */
public record MeshParams(int services, int endpoints, long seed) {

  public MeshParams {
    if (services < 2) {
      throw new IllegalArgumentException("a mesh needs at least 2 services, got " + services);
    }
    if (endpoints < 1 || endpoints > 200) {
      throw new IllegalArgumentException("endpoints per service must be 1..200, got " + endpoints);
    }
  }
}
