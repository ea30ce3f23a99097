package dev.trellis.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issued certificates in a real JDK TLS 1.3 handshake on loopback, both sides authenticated. */
class MutualTlsTest {

  static final int TIMEOUT_MS = 10_000;
  static final char[] PASSWORD = "unused".toCharArray();
  static final SpiffeId WEB = SpiffeId.of("cluster.local", "web");
  static final SpiffeId API = SpiffeId.of("cluster.local", "api");

  final Clock clock = Clock.systemUTC(); // the JDK checks validity against the real time
  final ExecutorService serverThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    serverThread.shutdownNow();
  }

  @Test
  void twoCertificatesFromOneRootAuthenticateEachOther() throws Exception {
    // Two intermediates under one root, as two `trellis certs issue --ca-dir` runs make.
    RootCa root = RootCa.generate("cluster.local", clock);
    IssuedCertificate api =
        CertificateAuthority.withIntermediate(root, "cluster.local", clock).issue(API);
    IssuedCertificate web =
        CertificateAuthority.withIntermediate(root, "cluster.local", clock).issue(WEB);

    Outcome outcome = handshake(api, web);

    assertThat(outcome.serverError()).isNull();
    assertThat(outcome.clientError()).isNull();
    assertThat(outcome.peerSeenByServer()).containsExactly(WEB.toString());
    assertThat(outcome.peerSeenByClient()).containsExactly(API.toString());
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefused() throws Exception {
    IssuedCertificate api = CertificateAuthority.generate("cluster.local", clock).issue(API);
    IssuedCertificate stranger = CertificateAuthority.generate("cluster.local", clock).issue(WEB);
    // The stranger trusts the server's roots, so only the server's check can fail.
    IssuedCertificate client =
        new IssuedCertificate(
            WEB, stranger.key(), stranger.chain(), api.trustBundle(), stranger.notAfter());

    Outcome outcome = handshake(api, client);

    assertThat(outcome.serverError())
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("PKIX path");
    assertThat(outcome.peerSeenByServer()).isNull();
    assertThat(outcome.clientError()).isNotNull();
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefused() throws Exception {
    IssuedCertificate web = CertificateAuthority.generate("cluster.local", clock).issue(WEB);
    IssuedCertificate stranger = CertificateAuthority.generate("cluster.local", clock).issue(API);
    IssuedCertificate server =
        new IssuedCertificate(
            API, stranger.key(), stranger.chain(), web.trustBundle(), stranger.notAfter());

    Outcome outcome = handshake(server, web);

    assertThat(outcome.clientError())
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("PKIX path");
    assertThat(outcome.peerSeenByClient()).isNull();
    assertThat(outcome.serverError()).isNotNull();
  }

  record Outcome(
      Throwable serverError,
      Throwable clientError,
      List<String> peerSeenByServer,
      List<String> peerSeenByClient) {}

  Outcome handshake(IssuedCertificate server, IssuedCertificate client) throws Exception {
    try (SSLServerSocket listener =
        (SSLServerSocket)
            context(server)
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      listener.setSoTimeout(TIMEOUT_MS);
      Future<List<String>> serverSide =
          serverThread.submit(
              () -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                  socket.setSoTimeout(TIMEOUT_MS);
                  socket.startHandshake();
                  List<String> peer = peerSans(socket);
                  socket.getOutputStream().write('k');
                  socket.getOutputStream().flush();
                  socket.getInputStream().read(); // until the client is done
                  return peer;
                }
              });

      Throwable clientError = null;
      List<String> seenByClient = null;
      try (SSLSocket socket = (SSLSocket) context(client).getSocketFactory().createSocket()) {
        socket.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
            TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
        socket.startHandshake();
        // In TLS 1.3 the server judges the client's certificate after the client's handshake
        // ends: a byte from the server proves it accepted.
        InputStream in = socket.getInputStream();
        if (in.read() != 'k') {
          throw new IllegalStateException("server closed the connection");
        }
        seenByClient = peerSans(socket);
        socket.getOutputStream().write('x');
        socket.getOutputStream().flush();
      } catch (Exception e) {
        clientError = e;
      }

      Throwable serverError = null;
      List<String> seenByServer = null;
      try {
        seenByServer = serverSide.get(2L * TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        serverError = e.getCause();
      }
      return new Outcome(serverError, clientError, seenByServer, seenByClient);
    }
  }

  static List<String> peerSans(SSLSocket socket) throws Exception {
    X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
    return Certificates.uriSans(peer);
  }

  /** An SSLContext with the certificate's key and chain, trusting its trust bundle only. */
  static SSLContext context(IssuedCertificate certificate) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "identity",
        certificate.key(),
        PASSWORD,
        certificate.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);

    KeyStore roots = KeyStore.getInstance("PKCS12");
    roots.load(null, null);
    for (int i = 0; i < certificate.trustBundle().size(); i++) {
      roots.setCertificateEntry("root-" + i, certificate.trustBundle().get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(roots);

    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }
}
