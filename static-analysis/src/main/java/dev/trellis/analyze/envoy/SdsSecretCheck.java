package dev.trellis.analyze.envoy;

import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.envoy.EnvoyIndex.SdsRef;
import dev.trellis.render.MeshSecrets;
import dev.trellis.render.ProxyKind;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import java.util.List;

/** TLS contexts that ask SDS (over ADS) for a secret the group does not serve (TRL207). */
public final class SdsSecretCheck implements GroupCheck {

  public static final Rule RULE =
      new Rule(
          "TRL207",
          "sds-secret-not-served",
          Level.ERROR,
          "A TLS context asks SDS for a secret the group does not serve.",
          "A listener or cluster whose certificate or validation context comes from SDS over ADS"
              + " stays warming until the secret arrives: the listener takes no connections and"
              + " the cluster sends no traffic. Secrets with no sds_config come from the proxy's"
              + " bootstrap and are not checked; 'identity' and 'trust_bundle' are added to"
              + " sidecar and edge groups from the mesh CA when they are published, and so are"
              + " an edge group's 'edge_cert/<host>' certificates for its meshCa TLS hosts.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  private static boolean providedByControlPlane(GroupContext context, String secret) {
    ProxyKind kind = context.group().group().kind();
    return (kind != ProxyKind.GRPC && MeshSecrets.PROVIDED.contains(secret))
        || (kind == ProxyKind.EDGE && secret.startsWith(MeshSecrets.EDGE_CERTIFICATE_PREFIX));
  }

  @Override
  public void check(GroupContext context) {
    EnvoyIndex index = EnvoyIndex.of(context);
    for (SdsRef ref : index.sdsRefs) {
      SdsSecretConfig sds = ref.config();
      if (sds.hasSdsConfig()
          && sds.getSdsConfig().hasAds()
          && !index.secrets.containsKey(sds.getName())
          && !providedByControlPlane(context, sds.getName())) {
        context.report(
            RULE,
            ref.owner(),
            ref.path()
                + " asks SDS for secret '"
                + sds.getName()
                + "', which the group does not serve");
      }
    }
  }
}
