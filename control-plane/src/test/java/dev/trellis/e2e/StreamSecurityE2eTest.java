package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trellis.cli.TrellisCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trellis serve} on the sample mesh in its own JVM, and a raw ADS client in another: with
 * ADS over mTLS, a proxy holding payments' certificate that asks for ledger on the same stream is
 * cut off and gets no ledger key; on default (plaintext) serve a stream gets no private key at all.
 */
class StreamSecurityE2eTest {

  private static final Duration CATCH_UP = Duration.ofSeconds(90);
  private static final String TD = "shop.example.internal";
  private static final Path SAMPLE = Path.of("..", "samples", "mesh").toAbsolutePath().normalize();

  @TempDir Path dir;

  private static void trellis(String... args) {
    StringWriter err = new StringWriter();
    var cli = TrellisCli.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err, true));
    assertThat(cli.execute(args)).as(err.toString()).isZero();
  }

  private List<String> rawClient(int port, String certificates, String... clusters)
      throws Exception {
    String[] args = new String[clusters.length + 2];
    args[0] = String.valueOf(port);
    args[1] = certificates;
    System.arraycopy(clusters, 0, args, 2, clusters.length);
    Path unused = Files.writeString(dir.resolve("unused-bootstrap.json"), "{}");
    try (XdsClientProcess client =
        XdsClientProcess.start(dir, unused, "raw-" + clusters[0], false, RawAdsMain.class, args)) {
      List<String> lines = new java.util.ArrayList<>();
      String line = client.nextLine();
      while (!line.equals("done")) {
        lines.add(line);
        line = client.nextLine();
      }
      return lines;
    }
  }

  @Test
  void overMtlsAStreamOfPaymentsAskingForLedgerIsCutOffWithoutLedgersKey() throws Exception {
    Path ca = dir.resolve("ca");
    Path payments = dir.resolve("payments");
    trellis("certs", "init", "--ca-dir", ca.toString(), "--trust-domain", TD);
    trellis(
        "certs",
        "issue",
        "--service",
        "payments",
        "--out",
        payments.toString(),
        "--ca-dir",
        ca.toString());
    try (ServeProcess serve =
        ServeProcess.start(
            dir, Map.of(), "--defs", SAMPLE.toString(), "--ads-tls", "--ca-dir", ca.toString())) {
      serve.awaitBanner();
      await().atMost(CATCH_UP).until(() -> serve.admin("/readyz").statusCode() == 200);

      assertThat(rawClient(serve.xdsPort(), payments.toString(), "payments", "ledger"))
          .containsExactly(
              "secrets identity,trust_bundle keys=spiffe://" + TD + "/service/payments",
              "err PERMISSION_DENIED An xDS stream serves the node it was opened with (node"
                  + " 'payments-1' of group 'payments'); open another stream for another node");
      assertThat(serve.admin("/metrics").body())
          .contains("trellis_xds_streams_refused_total{reason=\"node-changed\"} 1.0");
      await()
          .atMost(CATCH_UP)
          .until(
              () ->
                  serve
                      .stderrText()
                      .contains(
                          "Closed xDS stream 0 of node 'payments-1' (group 'payments',"
                              + " spiffe://"
                              + TD
                              + "/service/payments): a later request named node 'ledger-1' of"
                              + " group 'ledger'"));
      // Asking for ledger from the start is refused as before.
      assertThat(rawClient(serve.xdsPort(), payments.toString(), "ledger"))
          .containsExactly(
              "err PERMISSION_DENIED A proxy presenting spiffe://"
                  + TD
                  + "/service/payments may not have the config of group 'ledger'");
    }
  }

  @Test
  void onDefaultServeAPlaintextStreamGetsConfigButNoKey() throws Exception {
    try (ServeProcess serve = ServeProcess.start(dir, Map.of(), "--defs", SAMPLE.toString())) {
      serve.awaitBanner();
      await().atMost(CATCH_UP).until(() -> serve.admin("/readyz").statusCode() == 200);

      List<String> lines = rawClient(serve.xdsPort(), "plaintext", "payments");
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0)).isEqualTo("secrets trust_bundle keys=");
      assertThat(lines.get(1)).startsWith("listeners ").isNotEqualTo("listeners 0");
      assertThat(serve.admin("/readyz").body())
          .contains(
              "but xDS streams are not authenticated, so their proxies get no private key;"
                  + " turn on authentication with --ads-tls (with --ca-dir) or"
                  + " --auth-kubernetes-tokens");
    }
  }
}
