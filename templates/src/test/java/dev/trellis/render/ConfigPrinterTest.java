package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigPrinterTest {

  private final RenderedMesh shop = new MeshRenderer().render(MeshFixture.shop().build());
  private final RenderedGroup web = shop.groups().get("web");

  @Test
  void yamlGroupsResourcesByTypeWithEnvoyFieldNames() throws Exception {
    String yaml = ConfigPrinter.print(web, ConfigPrinter.Format.YAML);
    assertThat(yaml)
        .startsWith("clusters:\n- name: catalog\n")
        .contains("\nendpoints:\n- cluster_name: catalog\n")
        .contains(
            "'@type': type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
        .contains("port_value: 15006")
        .contains("route_config_name: outbound");
    JsonNode tree = new YAMLMapper().readTree(yaml);
    List<String> keys = new ArrayList<>();
    tree.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("clusters", "endpoints", "listeners", "routes");
    assertThat(tree.get("clusters")).hasSize(4);
  }

  @Test
  void jsonAndYamlCarryTheSameTree() throws Exception {
    JsonNode json =
        new ObjectMapper().readTree(ConfigPrinter.print(web, ConfigPrinter.Format.JSON));
    JsonNode yaml = new YAMLMapper().readTree(ConfigPrinter.print(web, ConfigPrinter.Format.YAML));
    assertThat(yaml).isEqualTo(json);
    assertThat(json.at("/listeners/2/name").asText()).isEqualTo("outbound_tcp_redis");
    assertThat(json.at("/routes/1/virtual_hosts/0/routes/0/route/timeout").asText())
        .isEqualTo("2s");
  }

  @Test
  void wholeMeshIsKeyedByGroupId() throws Exception {
    JsonNode tree =
        new ObjectMapper().readTree(ConfigPrinter.print(shop, ConfigPrinter.Format.JSON));
    List<String> groups = new ArrayList<>();
    tree.fieldNames().forEachRemaining(groups::add);
    assertThat(groups).containsExactlyElementsOf(shop.groups().keySet());
    assertThat(tree.at("/grpc:payments/listeners/0/name").asText())
        .isEqualTo("grpc/server?xds.resource.listening_address=0.0.0.0:9091");
  }

  @Test
  void printedTextRoundTripsIntoTheSameProtos() throws Exception {
    // The printed YAML is valid template output: feed it back through an override.
    String clusters =
        new YAMLMapper()
            .writeValueAsString(
                new YAMLMapper()
                    .readTree(ConfigPrinter.print(web, ConfigPrinter.Format.YAML))
                    .get("clusters"))
            .replaceFirst("^---\n", "");
    RenderedGroup again =
        new MeshRenderer()
            .render(
                MeshFixture.shop()
                    .override("sidecar/clusters.yaml.j2", "{% raw %}" + clusters + "{% endraw %}")
                    .build())
            .groups()
            .get("web");
    assertThat(again.protos(ResourceType.CLUSTER, Object.class))
        .isEqualTo(web.protos(ResourceType.CLUSTER, Object.class));
  }
}
