package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.HostPort;
import dev.trellis.model.ServiceDef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two static instances of a service with a sidecar on one address (TRL314): callers reach each
 * instance at its address and the mesh's inbound port, so both become one endpoint, and their two
 * sidecars would both listen on that port of the host.
 */
public final class SidecarAddressSharedCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL314",
          "sidecar-instances-share-address",
          Level.ERROR,
          "Two instances of a service behind sidecars have the same address.",
          "Behind a sidecar an instance is reached at its address and the mesh's inbound port,"
              + " not at its own port: two instances on one host (10.0.0.7:8080 and"
              + " 10.0.0.7:8081) become the single endpoint 10.0.0.7:15006, so half the"
              + " instances get no traffic, and their two sidecars cannot both listen on the"
              + " inbound port of that host. Give each instance its own address (a pod or VM"
              + " each), or keep the service without a sidecar until they have one.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    int inbound = context.mesh().config().inboundPort();
    for (ServiceDef s : context.mesh().services().values()) {
      if (!s.sidecar()) {
        continue;
      }
      Map<String, Integer> firstByHost = new LinkedHashMap<>();
      List<HostPort> instances = s.endpoints().staticEndpoints();
      for (int i = 0; i < instances.size(); i++) {
        HostPort hp = instances.get(i);
        Integer first = firstByHost.putIfAbsent(hp.host(), i);
        if (first == null) {
          continue;
        }
        context.report(
            RULE,
            s.provenance().locate("endpoints.static[" + i + "]"),
            "instance "
                + hp
                + " of service '"
                + s.name()
                + "' has the address of instance "
                + instances.get(first)
                + " (endpoints.static["
                + first
                + "]): behind their sidecars both are "
                + hp.host()
                + ":"
                + inbound
                + ", one endpoint, and both sidecars would listen on port "
                + inbound
                + " of that host",
            s.name());
      }
    }
  }
}
