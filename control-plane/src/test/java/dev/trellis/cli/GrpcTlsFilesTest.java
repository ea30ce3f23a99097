package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files {@code trellis certs issue} writes, loaded the way grpc-java loads file_watcher files
 * (PEM chain + PKCS#8 key + CA file), carry a mutually authenticated call on loopback.
 */
class GrpcTlsFilesTest {

  static final MethodDescriptor.Marshaller<String> UTF8 =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<String, String> WHO_AM_I =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("trellis.test.Peer/WhoAmI")
          .setRequestMarshaller(UTF8)
          .setResponseMarshaller(UTF8)
          .build();

  @TempDir Path tmp;
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void issueCertificates() {
    Path ca = tmp.resolve("ca");
    for (String service : List.of("api", "web")) {
      issue(service, tmp.resolve(service), "--ca-dir", ca.toString());
    }
    issue("web", tmp.resolve("stranger"), "--ca-dir", tmp.resolve("other-ca").toString());
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverSeesTheClientsSpiffeId() throws Exception {
    startServer(tmp.resolve("api"));
    channel = channel(tmp.resolve("web"), tmp.resolve("web"));

    String peer =
        ClientCalls.blockingUnaryCall(
            channel, WHO_AM_I, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi");

    assertThat(peer).isEqualTo("spiffe://cluster.local/service/web");
  }

  @Test
  void aClientFromAnotherCaIsRefused() throws Exception {
    startServer(tmp.resolve("api"));
    // Trusts the server, but presents a certificate the server's CA did not sign.
    channel = channel(tmp.resolve("stranger"), tmp.resolve("web"));

    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    WHO_AM_I,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    "hi"))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  void issue(String service, Path out, String... more) {
    StringWriter err = new StringWriter();
    var cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    String[] args =
        Stream.concat(
                Stream.of("certs", "issue", "--service", service, "--out", out.toString()),
                Arrays.stream(more))
            .toArray(String[]::new);
    assertThat(cl.execute(args)).as(err.toString()).isZero();
  }

  void startServer(Path dir) throws Exception {
    ServerCallHandler<String, String> handler =
        (call, headers) -> {
          call.request(1);
          return new ServerCall.Listener<>() {
            @Override
            public void onMessage(String message) {
              String peer;
              try {
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
                peer = (String) leaf.getSubjectAlternativeNames().iterator().next().get(1);
              } catch (Exception e) {
                call.close(Status.INTERNAL.withDescription(e.toString()), new Metadata());
                return;
              }
              call.sendHeaders(new Metadata());
              call.sendMessage(peer);
              call.close(Status.OK, new Metadata());
            }
          };
        };
    server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TlsServerCredentials.newBuilder()
                    .keyManager(dir.resolve("cert.pem").toFile(), dir.resolve("key.pem").toFile())
                    .trustManager(trustManager(dir))
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                    .build())
            .addService(
                ServerServiceDefinition.builder("trellis.test.Peer")
                    .addMethod(WHO_AM_I, handler)
                    .build())
            .build()
            .start();
  }

  ManagedChannel channel(Path identity, Path trust) throws Exception {
    ChannelCredentials credentials =
        TlsChannelCredentials.newBuilder()
            .keyManager(identity.resolve("cert.pem").toFile(), identity.resolve("key.pem").toFile())
            .trustManager(trustManager(trust))
            .build();
    return Grpc.newChannelBuilderForAddress(
            InetAddress.getLoopbackAddress().getHostAddress(), server.getPort(), credentials)
        .build();
  }

  /** The roots in ca.pem, checking the chain but not a host name: SPIFFE certs carry none. */
  static AdvancedTlsX509TrustManager trustManager(Path dir) throws Exception {
    AdvancedTlsX509TrustManager trust =
        AdvancedTlsX509TrustManager.newBuilder()
            .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
            .build();
    trust.updateTrustCredentials(dir.resolve("ca.pem").toFile());
    return trust;
  }
}
