package dev.trellis.analyze.diff;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.MeshConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * A definitions directory as Git holds it at some revision. The directory may be anywhere inside
 * the work tree of its repository: its files are read from the revision's tree under the same path.
 */
public final class GitDefinitions implements AutoCloseable {

  /** A problem the user can fix: not a repository, an unknown revision. */
  public static final class GitException extends Exception {
    private static final long serialVersionUID = 1L;

    GitException(String message) {
      super(message);
    }
  }

  private final Repository repository;
  private final String prefix;

  private GitDefinitions(Repository repository, String prefix) {
    this.repository = repository;
    this.prefix = prefix;
  }

  /**
   * The repository whose work tree holds {@code dir}.
   *
   * @throws GitException if no repository with a work tree contains it
   */
  public static GitDefinitions open(Path dir) throws GitException, IOException {
    File start = dir.toAbsolutePath().normalize().toFile();
    FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment().findGitDir(start);
    if (builder.getGitDir() == null) {
      throw new GitException(dir + " is not inside a Git repository");
    }
    Repository repository = builder.setMustExist(true).build();
    if (repository.isBare()) {
      repository.close();
      throw new GitException(dir + " is in a bare Git repository");
    }
    Path top = repository.getWorkTree().toPath().toRealPath();
    Path here = start.toPath().toRealPath();
    if (!here.startsWith(top)) {
      repository.close();
      throw new GitException(dir + " is not inside the work tree " + top);
    }
    String prefix = top.relativize(here).toString().replace(File.separatorChar, '/');
    return new GitDefinitions(repository, prefix);
  }

  /**
   * The definitions under {@code prefix} (a directory path inside the repository, empty for its
   * top) of an open repository, bare or not; closing the result closes {@code repository}.
   */
  public static GitDefinitions of(Repository repository, String prefix) {
    String p = prefix.replaceAll("^/+|/+$", "");
    return new GitDefinitions(repository, p);
  }

  /** The definitions directory's path inside the repository, empty at its top. */
  public String prefix() {
    return prefix;
  }

  /**
   * The definitions at {@code revision} (a branch, tag, commit, {@code HEAD~1}...): {@code
   * mesh.yaml}, {@code services/**} and {@code templates/**} under the directory, as {@link
   * DefinitionTree#fromDirectory} reads them from disk.
   *
   * @throws GitException if the revision does not resolve to a commit or tree
   */
  public DefinitionTree at(String revision) throws GitException, IOException {
    ObjectId tree;
    try {
      tree = repository.resolve(revision + "^{tree}");
    } catch (RevisionSyntaxException | AmbiguousObjectException | IncorrectObjectTypeException e) {
      throw new GitException("'" + revision + "' is not a revision: " + e.getMessage());
    }
    if (tree == null) {
      throw new GitException("unknown revision '" + revision + "'");
    }
    SortedMap<String, String> files = new TreeMap<>();
    try (TreeWalk walk = new TreeWalk(repository)) {
      walk.addTree(tree);
      walk.setRecursive(true);
      if (!prefix.isEmpty()) {
        walk.setFilter(PathFilter.create(prefix));
      }
      while (walk.next()) {
        FileMode mode = walk.getFileMode(0);
        if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
          continue;
        }
        String path = walk.getPathString();
        String rel = prefix.isEmpty() ? path : path.substring(prefix.length() + 1);
        if (rel.equals(MeshConfig.FILE)
            || rel.startsWith("services/")
            || rel.startsWith("templates/")) {
          byte[] bytes = repository.open(walk.getObjectId(0)).getBytes();
          files.put(rel, new String(bytes, StandardCharsets.UTF_8));
        }
      }
    }
    return new DefinitionTree(files);
  }

  @Override
  public void close() {
    repository.close();
  }
}
