package dev.trellis.model;

/**
 * What a service's inbound authorization does with callers that are not declared dependents: the
 * allowed identities are those of the services that declare it as a dependency (and of the edge
 * gateways exposing it).
 */
public enum AuthzMode {
  /** Allow every caller; count and log the calls the policy would deny (shadow rules). */
  AUDIT,
  /** Deny callers outside the policy. */
  ENFORCE
}
