package dev.trellis.e2e;

import dev.trellis.mtls.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The xDS bootstrap file of a test's proxyless gRPC app, read alike by grpc-java, grpc-node and
 * C-core: the loopback xDS server, the node (with a locality, which grpc-node requires) and the
 * server listener template; with certificates, the file_watcher provider instance {@code trellis}
 * that rendered TLS contexts name.
 */
final class GrpcBootstrapFile {

  private GrpcBootstrapFile() {}

  /**
   * Writes {@code <nodeId>-bootstrap.json} into {@code dir}; {@code certificates} (a directory of
   * key, chain and CA as {@link PemFiles} writes them, refreshed every second) may be null.
   */
  static Path write(Path dir, int xdsPort, String nodeId, String cluster, Path certificates)
      throws IOException {
    Path bootstrap = dir.resolve(nodeId + "-bootstrap.json");
    String providers =
        certificates == null
            ? ""
            : """
              ,
              "certificate_providers": {
                "trellis": {
                  "plugin_name": "file_watcher",
                  "config": {
                    "certificate_file": "%s",
                    "private_key_file": "%s",
                    "ca_certificate_file": "%s",
                    "refresh_interval": "1s"
                  }
                }
              }
              """
                .formatted(
                    certificates.resolve(PemFiles.CHAIN),
                    certificates.resolve(PemFiles.KEY),
                    certificates.resolve(PemFiles.CA));
    Files.writeString(
        bootstrap,
        """
        {
          "xds_servers": [{
            "server_uri": "127.0.0.1:%d",
            "channel_creds": [{"type": "insecure"}],
            "server_features": ["xds_v3"]
          }],
          "node": {"id": "%s", "cluster": "%s", "locality": {"zone": "e2e"}},
          "server_listener_resource_name_template": "grpc/server?xds.resource.listening_address=%%s"%s
        }
        """
            .formatted(xdsPort, nodeId, cluster, providers));
    return bootstrap;
  }
}
