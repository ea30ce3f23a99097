package dev.trellis.analyze.envoy;

import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.render.RenderedResource;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.AdditionalAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Two listeners of one group bound to the same address and port (TRL209). */
public final class ListenerAddressCheck implements GroupCheck {

  public static final Rule RULE =
      new Rule(
          "TRL209",
          "listener-address-conflict",
          Level.ERROR,
          "Two listeners of a group listen on the same address and port.",
          "Envoy rejects a listener whose address another listener already has, so one of them"
              + " never serves. Usually two services or dependencies were given the same port:"
              + " TCP dependencies each get an outbound listener on their own port.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(GroupContext context) {
    Map<String, RenderedResource> taken = new HashMap<>();
    for (RenderedResource r : EnvoyIndex.of(context).listeners) {
      Listener l = (Listener) r.proto();
      List<Address> addresses = new ArrayList<>();
      if (l.hasAddress()) {
        addresses.add(l.getAddress());
      }
      for (AdditionalAddress a : l.getAdditionalAddressesList()) {
        addresses.add(a.getAddress());
      }
      for (Address a : addresses) {
        if (!a.hasSocketAddress()
            || a.getSocketAddress().getPortSpecifierCase()
                != SocketAddress.PortSpecifierCase.PORT_VALUE) {
          continue;
        }
        String key = key(a.getSocketAddress());
        RenderedResource first = taken.putIfAbsent(key, r);
        if (first != null && first != r) {
          context.report(
              RULE, r, "listens on " + key + ", as does listener '" + first.name() + "'");
        }
      }
    }
  }

  private static String key(SocketAddress s) {
    String host = s.getAddress().contains(":") ? "[" + s.getAddress() + "]" : s.getAddress();
    String protocol = s.getProtocol() == SocketAddress.Protocol.UDP ? " (UDP)" : "";
    return host + ":" + s.getPortValue() + protocol;
  }
}
