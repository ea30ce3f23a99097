package dev.trellis.stream;

import dev.trellis.model.MeshConfig;
import dev.trellis.mtls.SpiffeId;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates xDS streams by Kubernetes service-account token, as Istio does: the proxy sends its
 * projected token as {@code authorization: Bearer <token>}; the API server's TokenReview says whose
 * it is, and {@code system:serviceaccount:<ns>:<sa>} stands for the service that the served mesh's
 * {@code serviceAccounts} binds it to ({@code <sa>} when it binds none). That identity then locks
 * the stream as a certificate's SPIFFE ID does. A stream without the header stays unauthenticated
 * (no keys); a token the API server does not accept, or an account bound to nothing, is refused.
 */
public final class ServiceAccountTokens implements ServerInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceAccountTokens.class);

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";
  private static final String PREFIX = "system:serviceaccount:";
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

  /** Positive reviews are trusted this long: a revoked token works at most this much longer. */
  static final Duration CACHED_FOR = Duration.ofMinutes(1);

  /** Tokens remembered at most (hashes only), so a flood of tokens cannot grow the heap. */
  static final int CACHED_TOKENS = 4096;

  private final KubernetesClient client;
  private final Optional<String> audience;
  private final Clock clock;
  private final XdsMetrics metrics;
  private final Supplier<Optional<MeshConfig>> served;

  /** A reviewed token's account; the service it stands for is looked up per stream. */
  private record Account(String user, String namespace, String name) {}

  private record Reviewed(Account account, Instant until) {}

  /** By SHA-256 of the token, least recently used first. Guarded by itself. */
  private final Map<String, Reviewed> reviewed =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Reviewed> eldest) {
          return size() > CACHED_TOKENS;
        }
      };

  ServiceAccountTokens(
      KubernetesClient client,
      Optional<String> audience,
      Supplier<Optional<MeshConfig>> served,
      Clock clock,
      XdsMetrics metrics) {
    this.served = served;
    this.client = client;
    this.audience = audience;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * A token check through this client, for {@code XdsServer.start}.
   *
   * @param served the settings of the mesh served now (empty before the first is published), whose
   *     {@code serviceAccounts} bind accounts to services
   */
  public record Settings(
      KubernetesClient client, Optional<String> audience, Supplier<Optional<MeshConfig>> served) {

    public Settings withServed(Supplier<Optional<MeshConfig>> mesh) {
      return new Settings(client, audience, mesh);
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String header = headers.get(AUTHORIZATION);
    if (header == null) {
      return next.startCall(call, headers);
    }
    Account account;
    try {
      if (!header.startsWith(BEARER)) {
        throw new Refused("The authorization header must be 'Bearer <service-account token>'");
      }
      account = account(header.substring(BEARER.length()).trim());
    } catch (Refused e) {
      metrics.refused(ProxyTracker.REFUSED_TOKEN);
      LOG.warn("Refused an xDS stream: {}", e.getMessage());
      call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Optional<MeshConfig> mesh = served.get();
    if (mesh.isEmpty()) {
      // Which service the account stands for is not known yet; the proxy retries.
      call.close(
          Status.UNAVAILABLE.withDescription(
              "No definitions are served yet, so service account "
                  + account.user()
                  + " stands for no service; retry"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Optional<String> service = mesh.get().serviceOf(account.namespace(), account.name());
    if (service.isEmpty()) {
      metrics.refused(ProxyTracker.REFUSED_IDENTITY);
      String message =
          "Service account "
              + account.namespace()
              + "/"
              + account.name()
              + " is bound to no service by mesh.yaml's serviceAccounts";
      LOG.warn("Refused an xDS stream: {}", message);
      call.close(Status.PERMISSION_DENIED.withDescription(message), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    SpiffeId.Kind kind =
        mesh.get().gateways().stream().anyMatch(g -> g.name().equals(service.get()))
            ? SpiffeId.Kind.GATEWAY
            : SpiffeId.Kind.SERVICE;
    ProxyIdentity identity = ProxyIdentity.serviceAccount(account.user(), kind, service.get());
    ProxyIdentity certificate = PeerIdentity.KEY.get();
    if (certificate != null
        && (certificate.kind() != identity.kind() || !certificate.name().equals(identity.name()))) {
      metrics.refused(ProxyTracker.REFUSED_IDENTITY);
      call.close(
          Status.PERMISSION_DENIED.withDescription(
              "The token's " + identity + " is not the certificate's " + certificate),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        Context.current().withValue(PeerIdentity.KEY, identity), call, headers, next);
  }

  /** Whose the token is, from the cache or a TokenReview. */
  Account account(String token) throws Refused {
    String key = sha256(token);
    Instant now = clock.instant();
    synchronized (reviewed) {
      Reviewed hit = reviewed.get(key);
      if (hit != null && now.isBefore(hit.until())) {
        return hit.account();
      }
    }
    TokenReview review;
    try {
      review =
          client
              .authentication()
              .v1()
              .tokenReviews()
              .create(
                  new TokenReviewBuilder()
                      .withNewSpec()
                      .withToken(token)
                      .withAudiences(audience.map(List::of).orElse(List.of()))
                      .endSpec()
                      .build());
    } catch (KubernetesClientException e) {
      // Not cached: the next stream asks again once the API server is back.
      throw new Refused(
          "The service-account token could not be checked (TokenReview failed: "
              + Printable.bounded(String.valueOf(e.getMessage()))
              + ")");
    }
    var status = review.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      String error = status == null || status.getError() == null ? "" : status.getError();
      throw new Refused(
          "The service-account token was not accepted by the Kubernetes API server"
              + (error.isEmpty() ? "" : ": " + Printable.bounded(error)));
    }
    String user = status.getUser() == null ? "" : status.getUser().getUsername();
    String[] parts = user.startsWith(PREFIX) ? user.substring(PREFIX.length()).split(":") : null;
    if (parts == null
        || parts.length != 2
        || !DNS_LABEL.matcher(parts[0]).matches()
        || !DNS_SUBDOMAIN.matcher(parts[1]).matches()) {
      throw new Refused(
          "The token authenticates '" + Printable.bounded(user) + "', not a service account");
    }
    Account account = new Account(user, parts[0], parts[1]);
    synchronized (reviewed) {
      reviewed.put(key, new Reviewed(account, now.plus(CACHED_FOR)));
    }
    return account;
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token that does not authenticate a stream; the message is safe to send back. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }
}
