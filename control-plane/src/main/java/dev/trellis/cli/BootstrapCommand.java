package dev.trellis.cli;

import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.Bootstraps;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trellis bootstrap}: the file a proxy of a group starts from to reach Trellis. */
@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Print the bootstrap a proxy of a group starts from: an Envoy bootstrap for a sidecar or an"
          + " edge proxy (envoy -c FILE), or a grpc-xds bootstrap for a proxyless gRPC app"
          + " (GRPC_XDS_BOOTSTRAP=FILE).",
      "The format follows the definitions: grpc for a proxyless service, envoy otherwise."
    })
public final class BootstrapCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--defs", required = true, paramLabel = "DIR", description = "definitions")
  Path defs;

  @Option(
      names = "--proxy",
      required = true,
      paramLabel = "NAME",
      description = "a service (its sidecars or its proxyless app) or an edge gateway")
  String proxy;

  @Option(
      names = "--node-id",
      paramLabel = "ID",
      description =
          "this proxy's node id, unique per proxy (default: NAME-HOST, with this host's name"
              + " from the operating system)")
  String nodeId;

  @Option(
      names = "--xds",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:18000",
      description = "where trellis serve listens for xDS (default: ${DEFAULT-VALUE})")
  String xds;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "envoy or grpc (default: from the definitions)")
  String format;

  @Option(
      names = "--certs",
      paramLabel = "DIR",
      description =
          "the proxy's key.pem, cert.pem and ca.pem (trellis certs issue --out DIR): a proxyless"
              + " app's file_watcher provider, or Envoy's client certificate with --ads-tls")
  Path certs;

  @Option(
      names = "--ads-tls",
      description = "the control plane serves xDS over TLS (serve --ads-tls); Envoy only")
  boolean adsTls;

  @Option(
      names = "--admin-port",
      defaultValue = "15000",
      description = "Envoy's admin interface on 127.0.0.1 (default: ${DEFAULT-VALUE})")
  int adminPort;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "write the bootstrap to FILE instead of standard output")
  Path output;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Optional<Mesh> loaded = RolloutCommand.load(spec, defs);
    if (loaded.isEmpty()) {
      return TrellisCli.EXIT_INVALID;
    }
    Mesh mesh = loaded.get();
    Optional<ServiceDef> service = Optional.ofNullable(mesh.services().get(proxy));
    if (service.isEmpty() && mesh.gateway(proxy).isEmpty()) {
      err.println(
          "trellis: --proxy: no service or gateway '"
              + proxy
              + "' in "
              + defs
              + " (services: "
              + String.join(", ", mesh.services().keySet())
              + ")");
      return TrellisCli.EXIT_INVALID;
    }
    boolean grpc = service.map(ServiceDef::proxyless).orElse(false);
    if (format != null) {
      switch (format) {
        case "envoy" -> grpc = false;
        case "grpc" -> {
          if (service.isEmpty()) {
            throw usage("--format grpc: '" + proxy + "' is a gateway, whose proxies are Envoy");
          }
          grpc = true;
        }
        default -> throw usage("--format: expected envoy or grpc; got '" + format + "'");
      }
    }
    int colon = xds.lastIndexOf(':');
    int port;
    try {
      port = colon > 0 ? Integer.parseInt(xds.substring(colon + 1)) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw usage("--xds: expected HOST:PORT; got '" + xds + "'");
    }
    String host = xds.substring(0, colon).replaceAll("^\\[|\\]$", "");
    String id = nodeId;
    if (id == null) {
      Optional<String> hostname = Hostname.of();
      if (hostname.isEmpty()) {
        throw usage(
            "--node-id: this host's name is unknown (no resolver name, no /etc/hostname);"
                + " give the proxy a unique id");
      }
      id = proxy + "-" + hostname.get();
    }
    String text;
    try {
      Bootstraps.Spec s =
          new Bootstraps.Spec(id, proxy, host, port, adminPort, Optional.ofNullable(certs), adsTls);
      text = grpc ? Bootstraps.grpcJson(s) : Bootstraps.envoyYaml(s);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    if (output == null) {
      spec.commandLine().getOut().print(text);
      spec.commandLine().getOut().flush();
      return 0;
    }
    try {
      Files.writeString(output, text);
    } catch (IOException e) {
      err.println("trellis: cannot write " + output + ": " + e.getMessage());
      return TrellisCli.EXIT_INVALID;
    }
    return 0;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
