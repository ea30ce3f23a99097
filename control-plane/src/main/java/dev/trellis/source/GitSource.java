package dev.trellis.source;

import dev.trellis.analyze.diff.GitDefinitions;
import dev.trellis.model.DefinitionTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.RefSpec;

/**
 * Definitions kept in a Git repository, followed at a ref (branch, tag or commit): each {@link
 * #sync} fetches, and when the ref points at another commit than last time, writes the definitions
 * of that commit ({@code mesh.yaml}, {@code services/**}, {@code templates/**} under {@code path})
 * into the checkout directory, removing files the commit no longer has. Not thread-safe: one caller
 * syncs.
 *
 * <p>Files are read as {@link DefinitionTree#fromDirectory} reads them, within the same limits; a
 * commit with a file over a limit, not UTF-8, or a symlink is not written (the error names each).
 *
 * <p>The repository (a URL JGit can fetch, or a local path) is cloned bare into the cache directory
 * once; later syncs fetch every branch and tag into it.
 */
public final class GitSource implements AutoCloseable {

  /** A problem the user can fix: the repository cannot be reached or the ref does not resolve. */
  public static final class GitSourceException extends Exception {
    private static final long serialVersionUID = 1L;

    GitSourceException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final String uri;
  private final String ref;
  private final String path;
  private final Path cache;
  private final Path checkout;
  private final Path owned;
  private Repository repository;
  private ObjectId current;
  private boolean closed;

  /**
   * @param path the definitions directory inside the repository, empty for its top
   * @param cache where the bare clone is kept (created on the first sync)
   * @param checkout where the definitions are written; files Trellis did not write there are
   *     removed too, so give it a directory of its own
   */
  public GitSource(String uri, String ref, String path, Path cache, Path checkout) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.ref = Objects.requireNonNull(ref, "ref");
    this.path = Objects.requireNonNull(path, "path");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.checkout = Objects.requireNonNull(checkout, "checkout");
    this.owned = null;
  }

  private GitSource(String uri, String ref, String path, Path owned) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.ref = Objects.requireNonNull(ref, "ref");
    this.path = Objects.requireNonNull(path, "path");
    this.cache = owned.resolve("clone.git");
    this.checkout = owned.resolve("definitions");
    this.owned = owned;
  }

  /**
   * A source keeping its clone and checkout in a new temporary directory, which {@link #close}
   * removes.
   */
  public static GitSource inTemporaryDirectory(String uri, String ref, String path)
      throws IOException {
    return new GitSource(uri, ref, path, Files.createTempDirectory("trellis-git"));
  }

  /** Where the definitions are written. */
  public Path checkout() {
    return checkout;
  }

  /** The commit whose definitions are in the checkout directory, if any yet. */
  public Optional<ObjectId> current() {
    return Optional.ofNullable(current);
  }

  /**
   * Fetches and writes the definitions at the ref if it moved; returns the new commit, or empty if
   * it did not move.
   *
   * @throws GitSourceException if the repository cannot be fetched, the ref does not resolve or the
   *     commit has files that are refused; the checkout directory is then left as it was
   */
  public synchronized Optional<ObjectId> sync() throws GitSourceException, IOException {
    if (closed) {
      return Optional.empty();
    }
    fetch();
    ObjectId commit;
    try {
      commit = repository.resolve(ref + "^{commit}");
    } catch (RevisionSyntaxException e) {
      throw new GitSourceException("'" + ref + "' is not a Git revision", e);
    }
    if (commit == null) {
      throw new GitSourceException(
          "ref '" + ref + "' is not a branch, tag or commit of " + uri, null);
    }
    if (commit.equals(current)) {
      return Optional.empty();
    }
    DefinitionTree tree;
    try {
      tree = GitDefinitions.of(repository, path).at(commit.name());
    } catch (GitDefinitions.GitException e) {
      throw new GitSourceException(e.getMessage(), e);
    }
    if (tree.files().isEmpty()) {
      throw new GitSourceException(
          "commit "
              + commit.abbreviate(12).name()
              + " of "
              + uri
              + " has no definitions under '"
              + (path.isEmpty() ? "/" : path)
              + "' (mesh.yaml, services/, templates/)",
          null);
    }
    if (!tree.refused().isEmpty()) {
      // Written out, the rest would load without these files as if they had been deleted.
      throw new GitSourceException(
          "commit "
              + commit.abbreviate(12).name()
              + " of "
              + uri
              + " has files that are not read: "
              + tree.refused().stream()
                  .map(r -> r.location() + ": " + r.message())
                  .collect(Collectors.joining("; ")),
          null);
    }
    write(tree);
    current = commit;
    return Optional.of(commit);
  }

  private void fetch() throws GitSourceException {
    try {
      if (repository == null && Files.isDirectory(cache.resolve("objects"))) {
        repository = Git.open(cache.toFile()).getRepository();
      }
      if (repository == null) {
        repository =
            Git.cloneRepository()
                .setURI(uri)
                .setBare(true)
                .setCloneAllBranches(true)
                .setDirectory(cache.toFile())
                .call()
                .getRepository();
      }
      try (Git git = Git.wrap(repository)) {
        git.fetch()
            .setRemote("origin")
            .setRefSpecs(
                new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"))
            .setRemoveDeletedRefs(true)
            .call();
      }
    } catch (GitAPIException | IOException e) {
      throw new GitSourceException("cannot fetch " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Writes each file (only when its content differs), then removes the ones the tree lacks. */
  private void write(DefinitionTree tree) throws IOException {
    Files.createDirectories(checkout);
    Set<Path> keep = new HashSet<>();
    for (var file : tree.files().entrySet()) {
      Path target = checkout.resolve(file.getKey()).normalize();
      if (!target.startsWith(checkout)) {
        throw new IOException("path '" + file.getKey() + "' leaves the checkout directory");
      }
      keep.add(target);
      byte[] bytes = file.getValue().getBytes(StandardCharsets.UTF_8);
      if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
        continue;
      }
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    List<Path> stale;
    try (Stream<Path> all = Files.walk(checkout)) {
      stale =
          all.filter(p -> !p.equals(checkout) && !keep.contains(p))
              .sorted(Comparator.reverseOrder())
              .toList();
    }
    for (Path p : stale) {
      if (Files.isRegularFile(p) || isEmptyDirectory(p)) {
        Files.delete(p);
      }
    }
  }

  private static boolean isEmptyDirectory(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return false;
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isEmpty();
    }
  }

  /**
   * Closes the clone; a source made by {@link #inTemporaryDirectory} also removes its directory.
   */
  @Override
  public synchronized void close() throws IOException {
    closed = true;
    if (repository != null) {
      repository.close();
    }
    if (owned != null && Files.exists(owned)) {
      try (Stream<Path> all = Files.walk(owned)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
