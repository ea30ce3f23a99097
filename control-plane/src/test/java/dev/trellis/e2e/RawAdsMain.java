package dev.trellis.e2e;

import dev.trellis.mtls.PemFiles;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw SotW ADS client, as an attacker would write one: on one stream it asks for the SDS secrets
 * of each cluster named in turn (node {@code <cluster>-1}), ACKing the previous response, and
 * prints one line per outcome: {@code secrets NAMES keys=SPIFFE-IDS} (the identities whose private
 * key it received) or {@code err CODE DESCRIPTION}; then {@code listeners N} for its first cluster
 * if the stream is still open, and {@code done}.
 *
 * <p>Arguments: xDS port, a certificate directory ({@code key.pem}, {@code cert.pem}, {@code
 * ca.pem}, as {@code trellis certs issue} writes) or {@code plaintext}, then the clusters.
 */
public final class RawAdsMain {

  private static final String SECRET =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
  private static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";

  private RawAdsMain() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    ChannelCredentials credentials;
    if (args[1].equals("plaintext")) {
      credentials = InsecureChannelCredentials.create();
    } else {
      Path certs = Path.of(args[1]);
      // The server's certificate names no host: check its chain to the mesh root only.
      AdvancedTlsX509TrustManager trust =
          AdvancedTlsX509TrustManager.newBuilder()
              .setVerification(
                  AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
              .build();
      trust.updateTrustCredentials(certs.resolve(PemFiles.CA).toFile());
      credentials =
          TlsChannelCredentials.newBuilder()
              .keyManager(
                  certs.resolve(PemFiles.CHAIN).toFile(), certs.resolve(PemFiles.KEY).toFile())
              .trustManager(trust)
              .build();
    }
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse value) {
                    queue.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    queue.add(t);
                  }

                  @Override
                  public void onCompleted() {
                    queue.add(new IllegalStateException("stream completed"));
                  }
                });
    DiscoveryResponse last = null;
    boolean open = true;
    for (int i = 2; i < args.length && open; i++) {
      String cluster = args[i];
      DiscoveryRequest.Builder request =
          DiscoveryRequest.newBuilder()
              .setNode(Node.newBuilder().setId(cluster + "-1").setCluster(cluster))
              .setTypeUrl(SECRET)
              .addResourceNames("identity")
              .addResourceNames("trust_bundle");
      if (last != null) {
        request.setVersionInfo(last.getVersionInfo()).setResponseNonce(last.getNonce());
      }
      requests.onNext(request.build());
      Object outcome = queue.poll(30, TimeUnit.SECONDS);
      if (outcome instanceof DiscoveryResponse response) {
        last = response;
        System.out.println(describe(response));
      } else if (outcome instanceof Throwable t) {
        Status status = Status.fromThrowable(t);
        System.out.println("err " + status.getCode() + " " + status.getDescription());
        open = false;
      } else {
        System.out.println("err TIMEOUT no answer within 30 s");
        open = false;
      }
    }
    if (open) {
      requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(LISTENER).build());
      Object outcome = queue.poll(30, TimeUnit.SECONDS);
      System.out.println(
          outcome instanceof DiscoveryResponse r
              ? "listeners " + r.getResourcesCount()
              : "err listeners " + outcome);
      requests.onCompleted();
    }
    System.out.println("done");
    System.out.flush();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static String describe(DiscoveryResponse response) throws Exception {
    List<String> names = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (var any : response.getResourcesList()) {
      Secret secret = any.unpack(Secret.class);
      names.add(secret.getName());
      if (secret.hasTlsCertificate()
          && !secret.getTlsCertificate().getPrivateKey().getInlineBytes().isEmpty()) {
        X509Certificate leaf =
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(
                        new ByteArrayInputStream(
                            secret
                                .getTlsCertificate()
                                .getCertificateChain()
                                .getInlineBytes()
                                .toString(StandardCharsets.US_ASCII)
                                .getBytes(StandardCharsets.US_ASCII)));
        leaf.getSubjectAlternativeNames().forEach(san -> keys.add(String.valueOf(san.get(1))));
      }
    }
    return "secrets " + String.join(",", names) + " keys=" + String.join(",", keys);
  }
}
