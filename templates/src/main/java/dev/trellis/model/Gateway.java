package dev.trellis.model;

/** An edge gateway declared in {@code mesh.yaml}: a group of edge proxies at the front door. */
public record Gateway(String name, int httpsPort, int httpPort) {}
