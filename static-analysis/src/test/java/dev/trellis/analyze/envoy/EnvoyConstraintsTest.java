package dev.trellis.analyze.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.UInt32Value;
import dev.trellis.analyze.Fixtures;
import dev.trellis.render.RenderedResource;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.pgv.validate.Validate;
import java.io.File;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** The validator on real Envoy resources: pinned messages, and no false positives. */
class EnvoyConstraintsTest {

  private final ProtoValidator validator = new ProtoValidator();

  private List<String> texts(com.google.protobuf.Message m) {
    return validator.validate(m, Fixtures.types()).stream().map(Violation::text).toList();
  }

  @Test
  void everyResourceOfTheValidFixturesPasses() {
    List<RenderedResource> all = new ArrayList<>(Fixtures.paymentsSidecar().resources());
    all.addAll(Fixtures.paymentsGrpc().resources());
    for (RenderedResource r : all) {
      assertThat(texts(r.proto())).as(r.name()).isEmpty();
    }
  }

  @Test
  void constraintInsideTypedConfigNamesTheFullPath() {
    var hcm =
        Fixtures.rdsHcm("inbound", "inbound").toBuilder()
            .setMaxRequestHeadersKb(UInt32Value.of(0))
            .build();
    Listener l = Fixtures.httpListener("inbound", "0.0.0.0", 15006, hcm);
    assertThat(texts(l))
        .containsExactly(
            "field 'filter_chains[0].filters[0].typed_config.max_request_headers_kb' must be greater"
                + " than 0 (envoy.extensions.filters.network.http_connection_manager.v3"
                + ".HttpConnectionManager.max_request_headers_kb: uint32.gt)");
  }

  @Test
  void undefinedEnumValue() {
    Cluster c = Fixtures.edsCluster("ledger").toBuilder().setLbPolicyValue(99).build();
    assertThat(texts(c))
        .containsExactly(
            "field 'lb_policy' must be a defined value of enum"
                + " envoy.config.cluster.v3.Cluster.LbPolicy"
                + " (envoy.config.cluster.v3.Cluster.lb_policy: enum.defined_only)");
  }

  @Test
  void routeWithoutActionAndVirtualHostWithoutDomains() {
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName("outbound")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("ledger")
                    .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))))
            .build();
    assertThat(texts(rc))
        .containsExactly(
            "field 'virtual_hosts[0].domains' must not be empty"
                + " (envoy.config.route.v3.VirtualHost.domains: repeated.min_items)",
            "oneof 'virtual_hosts[0].routes[0].action' must have one of 'route', 'redirect',"
                + " 'direct_response', 'filter_action', 'non_forwarding_action' set"
                + " (envoy.config.route.v3.Route.action: oneof.required)");
  }

  @Test
  void headerValueWithNewline() {
    RouteConfiguration rc =
        Fixtures.routes("inbound", Fixtures.vhost("payments", List.of("*"), "local_app"))
            .toBuilder()
            .addRequestHeadersToAdd(
                HeaderValueOption.newBuilder()
                    .setHeader(HeaderValue.newBuilder().setKey("x-team").setValue("pay\nments")))
            .build();
    assertThat(texts(rc))
        .containsExactly(
            "field 'request_headers_to_add[0].header.value' must not contain NUL, CR or LF"
                + " (envoy.config.core.v3.HeaderValue.value: string.well_known_regex)");
  }

  @Test
  void typedConfigOfUnknownType() {
    Listener l =
        Listener.newBuilder()
            .setName("x")
            .setAddress(Fixtures.address("0.0.0.0", 1))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("f")
                            .setTypedConfig(
                                Any.newBuilder().setTypeUrl("type.googleapis.com/envoy.Nope"))))
            .build();
    List<Violation> v = validator.validate(l, Fixtures.types());
    assertThat(v).extracting(Violation::kind).containsExactly(Violation.Kind.UNRESOLVED_ANY);
    assertThat(v.get(0).text())
        .isEqualTo(
            "field 'filter_chains[0].filters[0].typed_config' holds type"
                + " 'type.googleapis.com/envoy.Nope', which Trellis does not know"
                + " (envoy.config.listener.v3.Filter.typed_config)");
  }

  /**
   * Every rule of every message in the Envoy API jar compiles: no rule kind this validator lacks,
   * and every pattern compiles as a Java regex.
   */
  @Test
  void everyRuleInTheEnvoyApiIsUnderstood() throws Exception {
    validator.prepare(Bootstrap.getDescriptor());
    File jar = new File(Validate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> seen = new HashSet<>();
    int messages = 0;
    try (ZipFile zip = new ZipFile(jar)) {
      for (var e : Collections.list(zip.entries())) {
        String n = e.getName();
        if (!n.startsWith("io/envoyproxy/envoy/") || !n.endsWith(".class") || n.contains("$")) {
          continue;
        }
        Class<?> c = Class.forName(n.replace('/', '.').replace(".class", ""));
        Method m;
        try {
          m = c.getMethod("getDescriptor");
        } catch (NoSuchMethodException notGenerated) {
          continue;
        }
        if (m.getReturnType() != FileDescriptor.class) {
          continue;
        }
        FileDescriptor file = (FileDescriptor) m.invoke(null);
        if (!seen.add(file.getName())) {
          continue;
        }
        for (Descriptor d : file.getMessageTypes()) {
          validator.prepare(d);
          messages++;
        }
      }
    }
    assertThat(messages).isGreaterThan(1000);
    assertThat(validator.unsupportedRules()).isEmpty();
  }
}
