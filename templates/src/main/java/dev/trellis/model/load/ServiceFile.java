package dev.trellis.model.load;

import dev.trellis.model.ServiceDef;
import java.util.List;
import java.util.Optional;

/**
 * What one file under {@code services/} yielded.
 *
 * @param stem the file name without directory and extension, which must equal the service name
 * @param name the service name, if it is a valid DNS label
 * @param dependencies the dependency names written, for checking that they exist
 * @param service the service, if the file read without error
 */
record ServiceFile(
    String file,
    String stem,
    Optional<Ref> name,
    List<Ref> dependencies,
    Optional<ServiceDef> service) {

  ServiceFile {
    dependencies = List.copyOf(dependencies);
  }

  /**
   * The names other files may use for this service: its file name, and its valid name if that
   * differs (already an error), so that one mistake is not reported again at every caller.
   */
  List<String> knownNames() {
    return name.filter(n -> !n.value().equals(stem))
        .map(n -> List.of(stem, n.value()))
        .orElse(List.of(stem));
  }
}
