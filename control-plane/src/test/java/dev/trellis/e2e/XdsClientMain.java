package dev.trellis.e2e;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
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
 * call TARGET [DEADLINE_MS]   → "ok REPLY" or "err CODE DESCRIPTION" (deadline 10 s by default)
 * </pre>
 *
 * Channels are kept per target, so later calls use the config the client has received since. Ends
 * when stdin closes.
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
          ManagedChannel channel =
              channels.computeIfAbsent(
                  command[1],
                  t -> Grpc.newChannelBuilder(t, InsecureChannelCredentials.create()).build());
          long deadlineMs = command.length > 2 ? Long.parseLong(command[2]) : 10_000;
          out.println(call(channel, deadlineMs));
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

  private static String call(ManagedChannel channel, long deadlineMs) {
    try {
      return "ok "
          + ClientCalls.blockingUnaryCall(
              channel,
              Echo.WHO,
              CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS),
              "who");
    } catch (StatusRuntimeException e) {
      String description = String.valueOf(e.getStatus().getDescription()).replace('\n', ' ');
      return "err " + e.getStatus().getCode() + " " + description;
    }
  }
}
