package dev.trellis.stream;

import dev.trellis.mtls.SpiffeId;
import dev.trellis.render.ProxyGroup;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * On an xDS server that requires client certificates: reads the SPIFFE identity each proxy
 * presents, and refuses a proxy that asks for another group's config. A service's identity may have
 * its sidecars' group ({@code <service>}) and its proxyless group ({@code grpc:<service>}); a
 * gateway's identity its edge group.
 */
public final class PeerIdentity implements ServerInterceptor {

  /** The identity of the proxy on the current call, when the server requires one. */
  static final Context.Key<ProxyIdentity> KEY = Context.key("trellis-peer-identity");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Optional<SpiffeId> id;
    try {
      id = identity(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    } catch (IllegalArgumentException e) {
      call.close(Status.PERMISSION_DENIED.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (id.isEmpty()) {
      call.close(
          Status.UNAUTHENTICATED.withDescription(
              "xDS requires a client certificate with a SPIFFE ID"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        Context.current().withValue(KEY, ProxyIdentity.of(id.get())), call, headers, next);
  }

  /** The SPIFFE ID in the URI SAN of the peer's certificate, if it presented one. */
  static Optional<SpiffeId> identity(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          // 6: uniformResourceIdentifier
          if (Integer.valueOf(6).equals(san.get(0))
              && String.valueOf(san.get(1)).startsWith(SpiffeId.SCHEME_PREFIX)) {
            return Optional.of(SpiffeId.parse(String.valueOf(san.get(1))));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("unreadable client certificate: " + e.getMessage());
    }
    throw new IllegalArgumentException("the client certificate has no SPIFFE ID");
  }

  /**
   * Why a proxy presenting {@code id} may not have group {@code groupId}'s config, if it may not.
   */
  static Optional<String> denial(ProxyIdentity id, String groupId) {
    String service =
        groupId.startsWith(ProxyGroup.GRPC_PREFIX)
            ? groupId.substring(ProxyGroup.GRPC_PREFIX.length())
            : groupId;
    boolean allowed =
        switch (id.kind()) {
          case SERVICE -> id.name().equals(service);
          case GATEWAY -> id.name().equals(groupId);
          case CONTROL_PLANE -> false;
        };
    if (allowed) {
      return Optional.empty();
    }
    return Optional.of(
        "A proxy presenting " + id + " may not have the config of group '" + groupId + "'");
  }
}
