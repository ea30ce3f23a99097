package dev.trellis.e2e;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.services.MetricRecorder;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.orca.OrcaMetricReportingServerInterceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A plain gRPC backend on an ephemeral loopback port that answers with its name. */
final class EchoBackend implements AutoCloseable {

  final String name;
  final AtomicInteger calls = new AtomicInteger();
  private final Server server;

  EchoBackend(String name) {
    this(name, null);
  }

  /**
   * A backend that also reports its load on every answer (ORCA, as weighted round robin reads it):
   * 100 requests per second at this CPU utilization; null reports nothing.
   */
  EchoBackend(String name, Double utilization) {
    this.name = name;
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("trellis.e2e.Echo")
            .addMethod(
                Echo.WHO,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      calls.incrementAndGet();
                      response.onNext(name);
                      response.onCompleted();
                    }))
            .build();
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .addService(
                  utilization == null
                      ? service
                      : ServerInterceptors.intercept(service, orca(utilization)))
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static OrcaMetricReportingServerInterceptor orca(double utilization) {
    MetricRecorder recorder = MetricRecorder.newInstance();
    recorder.setQpsMetric(100);
    recorder.setCpuUtilizationMetric(utilization);
    return OrcaMetricReportingServerInterceptor.create(recorder);
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
