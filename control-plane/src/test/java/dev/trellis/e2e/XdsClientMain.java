package dev.trellis.e2e;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.xds.XdsChannelCredentials;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The proxyless gRPC client of the end-to-end tests, run in its own JVM with grpc-xds (bootstrap
 * from {@code -Dio.grpc.xds.bootstrap}). Reads commands from stdin, one per line, and answers each
 * with one line on stdout:
 *
 * <pre>
 * call TARGET [DEADLINE_MS [fresh]]  → "ok REPLY" or "err CODE DESCRIPTION" (deadline 10 s by
 *                                     default, none for 0)
 * </pre>
 *
 * Channels are kept per target, so later calls use the config the client has received since; {@code
 * fresh} makes the call on a new channel (a new connection and handshake) and closes it. With
 * {@code -Dtrellis.e2e.credentials=xds} channels take their transport security from the clusters'
 * TLS contexts (XdsChannelCredentials, plaintext when a cluster has none); otherwise they are
 * always plaintext. Ends when stdin closes.
 */
public final class XdsClientMain {

  private XdsClientMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Map<String, ManagedChannel> channels = new HashMap<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] command = line.trim().split(" ");
        if (command.length >= 2 && command[0].equals("call")) {
          long deadlineMs = command.length > 2 ? Long.parseLong(command[2]) : 10_000;
          if (command.length > 3 && command[3].equals("fresh")) {
            ManagedChannel fresh = channel(command[1]);
            try {
              out.println(call(fresh, deadlineMs));
            } finally {
              fresh.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
          } else {
            out.println(
                call(channels.computeIfAbsent(command[1], XdsClientMain::channel), deadlineMs));
          }
        } else {
          out.println("err UNKNOWN_COMMAND " + line);
        }
      }
    } finally {
      for (ManagedChannel channel : channels.values()) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static ManagedChannel channel(String target) {
    ChannelCredentials plaintext = InsecureChannelCredentials.create();
    boolean xds = "xds".equals(System.getProperty("trellis.e2e.credentials"));
    return Grpc.newChannelBuilder(target, xds ? XdsChannelCredentials.create(plaintext) : plaintext)
        .build();
  }

  private static String call(ManagedChannel channel, long deadlineMs) {
    try {
      return "ok "
          + ClientCalls.blockingUnaryCall(
              channel,
              Echo.WHO,
              deadlineMs > 0
                  ? CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                  : CallOptions.DEFAULT,
              "who");
    } catch (StatusRuntimeException e) {
      String description = String.valueOf(e.getStatus().getDescription()).replace('\n', ' ');
      return "err " + e.getStatus().getCode() + " " + description;
    }
  }
}
