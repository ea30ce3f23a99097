package dev.trellis.model;

/** A Kubernetes Service whose ready endpoints are the instances of a mesh service. */
public record KubernetesRef(String namespace, String service) {}
