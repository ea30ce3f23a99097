package dev.trellis.model.load;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Loads a definitions repo ({@code mesh.yaml}, {@code services/**}, {@code templates/**}) into a
 * validated {@link Mesh}, or reports every error found, each with file, line, column and field.
 */
public final class DefinitionLoader {

  static final String SERVICES = "services/";
  static final String TEMPLATES = "templates/";

  private DefinitionLoader() {}

  /**
   * Service files read by earlier loads, by path, for a caller that loads the same repo again and
   * again ({@code trellis serve}). Reading a service file is a function of its path, its text and
   * {@code mesh.yaml}'s text, so a file whose texts are all unchanged is not read again and yields
   * the very same {@link ServiceDef} object. Thread-safe.
   */
  public static final class Cache {
    private final Map<String, Read> byPath = new ConcurrentHashMap<>();

    private record Read(String text, String meshText, ServiceFile file, List<LoadError> errors) {}
  }

  /** Reads every file of {@code tree}; the result holds a mesh exactly when no error was found. */
  public static LoadResult load(DefinitionTree tree) {
    return load(tree, new Cache());
  }

  /**
   * As {@link #load(DefinitionTree)}, taking from {@code cache} the service files read before with
   * the same texts, and leaving there those of this tree (and only those).
   */
  public static LoadResult load(DefinitionTree tree, Cache cache) {
    Problems problems = new Problems();
    tree.refused().forEach(r -> problems.add(r.location(), "", r.message()));
    String meshText = tree.files().get(MeshConfig.FILE);
    MeshFile mesh = meshText == null ? MeshFile.ABSENT : MeshConfigReader.read(meshText, problems);

    List<ServiceFile> services = new ArrayList<>();
    SortedMap<String, String> templates = new TreeMap<>();
    tree.files()
        .forEach(
            (path, text) -> {
              if (path.startsWith(SERVICES)) {
                cached(cache, path, text, meshText, problems, mesh).ifPresent(services::add);
              } else if (path.startsWith(TEMPLATES)) {
                templates.put(path.substring(TEMPLATES.length()), text);
              }
            });

    cache.byPath.keySet().retainAll(tree.files().keySet());
    checkNames(services, mesh, problems);
    checkDependencies(services, problems);
    checkServiceAccounts(services, mesh, problems);

    List<LoadError> errors = problems.sorted();
    if (!errors.isEmpty()) {
      return new LoadResult(Optional.empty(), errors);
    }
    SortedMap<String, ServiceDef> byName = new TreeMap<>();
    services.stream().map(s -> s.service().orElseThrow()).forEach(s -> byName.put(s.name(), s));
    return new LoadResult(
        Optional.of(new Mesh(mesh.config().orElseThrow(), byName, templates)), List.of());
  }

  private static Optional<ServiceFile> cached(
      Cache cache, String path, String text, String meshText, Problems problems, MeshFile mesh) {
    Cache.Read read = cache.byPath.get(path);
    if (read == null || !read.text().equals(text) || !Objects.equals(read.meshText(), meshText)) {
      Problems own = new Problems();
      Optional<ServiceFile> file = serviceFile(path, text, own, mesh);
      read = new Cache.Read(text, meshText, file.orElse(null), own.all());
      cache.byPath.put(path, read);
    }
    problems.addAll(read.errors());
    return Optional.ofNullable(read.file());
  }

  private static Optional<ServiceFile> serviceFile(
      String path, String text, Problems problems, MeshFile mesh) {
    String fileName = path.substring(path.lastIndexOf('/') + 1);
    int dot = fileName.lastIndexOf('.');
    String extension = dot < 0 ? "" : fileName.substring(dot);
    if (dot <= 0 || !(extension.equals(".yaml") || extension.equals(".yml"))) {
      problems.add(
          SourceLocation.ofFile(path),
          "",
          "not a service definition (files under services/ must end in .yaml or .yml)");
      return Optional.empty();
    }
    return Optional.of(ServiceReader.read(path, fileName.substring(0, dot), text, problems, mesh));
  }

  /**
   * Service names are unique, and gateways share their namespace (both are proxy group ids). A
   * service whose name differs from its file name is already reported and takes no part here.
   */
  private static void checkNames(List<ServiceFile> services, MeshFile mesh, Problems problems) {
    Map<String, ServiceFile> byName = new HashMap<>();
    for (ServiceFile s : services) {
      Optional<Ref> name = s.name().filter(n -> n.value().equals(s.stem()));
      if (name.isEmpty()) {
        continue;
      }
      ServiceFile first = byName.putIfAbsent(name.get().value(), s);
      if (first != null) {
        problems.add(
            name.get().at(),
            name.get().field(),
            name.get().field()
                + ": service '"
                + name.get().value()
                + "' is already defined in "
                + first.file());
      }
    }
    for (Ref gateway : mesh.gateways()) {
      ServiceFile service = byName.get(gateway.value());
      if (service != null) {
        problems.add(
            gateway.at(),
            gateway.field(),
            gateway.field()
                + ": gateway '"
                + Values.quote(gateway.value())
                + "' has the name of the service in "
                + service.file()
                + " (gateways and services need distinct names)");
      }
    }
  }

  private static void checkDependencies(List<ServiceFile> services, Problems problems) {
    Set<String> known =
        services.stream().flatMap(s -> s.knownNames().stream()).collect(Collectors.toSet());
    for (ServiceFile s : services) {
      for (Ref dependency : s.dependencies()) {
        if (!known.contains(dependency.value())) {
          problems.add(
              dependency.at(),
              dependency.field(),
              dependency.field()
                  + ": unknown service '"
                  + dependency.value()
                  + "' (no file under services/ defines it"
                  + Suggestions.hint(dependency.value(), validNames(known))
                  + ")");
        }
      }
    }
  }

  /** Each service account is bound to a service or gateway that exists. */
  private static void checkServiceAccounts(
      List<ServiceFile> services, MeshFile mesh, Problems problems) {
    if (!mesh.gatewaysKnown()) {
      return;
    }
    Set<String> known =
        services.stream().flatMap(s -> s.knownNames().stream()).collect(Collectors.toSet());
    mesh.gateways().forEach(g -> known.add(g.value()));
    for (Ref bound : mesh.boundServices()) {
      if (!known.contains(bound.value())) {
        problems.add(
            bound.at(),
            bound.field(),
            bound.field()
                + ": unknown service '"
                + bound.value()
                + "' (no file under services/ defines it, and no gateway has that name"
                + Suggestions.hint(bound.value(), validNames(known))
                + ")");
      }
    }
  }

  /**
   * The valid names among {@code names}, sorted: only those are suggested, since an invalid one has
   * its own error and quoting it would carry whatever it holds into another message.
   */
  private static Set<String> validNames(Set<String> names) {
    return names.stream()
        .filter(n -> Syntax.DNS_LABEL.problem(n).isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
