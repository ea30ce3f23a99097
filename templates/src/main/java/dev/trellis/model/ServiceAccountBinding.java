package dev.trellis.model;

/**
 * A rule of {@code mesh.yaml}'s {@code serviceAccounts}: proxies that authenticate with the token
 * of Kubernetes service account {@code namespace}/{@code name} are the workloads of {@code service}
 * (a service or a gateway).
 */
public record ServiceAccountBinding(String namespace, String name, String service) {}
