package dev.trellis.e2e;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsServerBuilder;
import io.grpc.xds.XdsServerCredentials;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The proxyless gRPC server of the end-to-end tests, in its own JVM: {@code XdsServerBuilder} on
 * port {@code args[0]} with {@code XdsServerCredentials} (TLS as the server listener's filter chain
 * says, plaintext when it says none), answering {@link Echo#WHO} with {@code args[1]}. Prints
 * "serving" or "not-serving STATUS" on each serving-status change; ends when stdin closes.
 */
public final class XdsServerMain {

  private XdsServerMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int port = Integer.parseInt(args[0]);
    String name = args[1];
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("trellis.e2e.Echo")
            .addMethod(
                Echo.WHO,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      response.onNext(name);
                      response.onCompleted();
                    }))
            .build();
    Server server =
        XdsServerBuilder.forPort(
                port, XdsServerCredentials.create(InsecureServerCredentials.create()))
            .addService(service)
            .xdsServingStatusListener(
                new XdsServerBuilder.XdsServingStatusListener() {
                  @Override
                  public void onServing() {
                    out.println("serving");
                  }

                  @Override
                  public void onNotServing(Throwable throwable) {
                    out.println("not-serving " + String.valueOf(throwable).replace('\n', ' '));
                  }
                })
            .build()
            .start();
    try {
      // Serve until the test closes stdin.
      while (System.in.read() >= 0) {
        // ignore input
      }
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
