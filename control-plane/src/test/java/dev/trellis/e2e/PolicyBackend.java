package dev.trellis.e2e;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC backend on an ephemeral loopback port that misbehaves on purpose, to see a client's
 * traffic policy at work.
 */
final class PolicyBackend implements AutoCloseable {

  enum Behavior {
    /** Odd-numbered calls fail with UNAVAILABLE, even ones succeed: every first try fails. */
    FAIL_EVERY_OTHER_CALL,
    /** Never answers; calls end when the client gives up (or the backend closes). */
    HANG
  }

  final String name;

  /** Calls received, attempts of retried RPCs included. */
  final AtomicInteger calls = new AtomicInteger();

  private final Server server;

  PolicyBackend(String name, Behavior behavior) {
    this.name = name;
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("trellis.e2e.Echo")
            .addMethod(
                Echo.WHO,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      int n = calls.incrementAndGet();
                      switch (behavior) {
                        case FAIL_EVERY_OTHER_CALL -> {
                          if (n % 2 == 1) {
                            response.onError(
                                Status.UNAVAILABLE
                                    .withDescription(name + " fails call " + n)
                                    .asRuntimeException());
                          } else {
                            response.onNext(name + " call " + n);
                            response.onCompleted();
                          }
                        }
                        case HANG -> {
                          // no answer
                        }
                      }
                    }))
            .build();
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .addService(service)
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
