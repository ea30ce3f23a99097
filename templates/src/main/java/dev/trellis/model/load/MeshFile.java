package dev.trellis.model.load;

import dev.trellis.model.MeshConfig;
import java.util.List;
import java.util.Optional;

/**
 * What {@code mesh.yaml} yielded.
 *
 * @param config the settings, if the file read without error (the defaults without a file)
 * @param gateways every gateway name written, valid or not
 * @param gatewaysKnown whether {@code gateways} is complete; when it is not (a broken file),
 *     references to gateways are not checked, to avoid reporting one mistake many times
 * @param boundServices the services {@code serviceAccounts} binds accounts to, as written
 */
record MeshFile(
    Optional<MeshConfig> config,
    List<Ref> gateways,
    boolean gatewaysKnown,
    List<Ref> boundServices) {

  static final MeshFile ABSENT =
      new MeshFile(Optional.of(MeshConfig.defaults()), List.of(), true, List.of());

  MeshFile {
    gateways = List.copyOf(gateways);
    boundServices = List.copyOf(boundServices);
  }
}
