package dev.trellis.analyze.diff;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.MeshConfig;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.Constants;
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

  /** How a symlink in the revision is refused (after {@code file:line:col: }). */
  public static final String SYMLINK =
      "is a symlink in Git (definitions read from Git must be regular files)";

  private static final Set<String> TOPS = Set.of("services", "templates");

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
   * DefinitionTree#fromDirectory} reads them from disk: each blob within the same limits, and
   * symlinks refused.
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
    DefinitionTree.Builder files = new DefinitionTree.Builder();
    try (TreeWalk walk = new TreeWalk(repository)) {
      walk.addTree(tree);
      walk.setRecursive(true);
      if (!prefix.isEmpty()) {
        walk.setFilter(PathFilter.create(prefix));
      }
      while (walk.next() && !files.full()) {
        FileMode mode = walk.getFileMode(0);
        String path = walk.getPathString();
        if (path.length() <= prefix.length()) {
          continue; // the directory itself as a file or link: it holds no definitions
        }
        String rel = prefix.isEmpty() ? path : path.substring(prefix.length() + 1);
        if (mode == FileMode.SYMLINK && (isDefinition(rel) || TOPS.contains(rel))) {
          // A link's target is only a path string: followed in a checkout it could name any file
          // on the server, so none is followed.
          files.refuse(rel, SYMLINK);
        } else if ((mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE)
            && isDefinition(rel)) {
          try (InputStream in =
              repository.open(walk.getObjectId(0), Constants.OBJ_BLOB).openStream()) {
            files.read(rel, in);
          }
        }
      }
    }
    return files.build();
  }

  private static boolean isDefinition(String rel) {
    return rel.equals(MeshConfig.FILE)
        || rel.startsWith("services/")
        || rel.startsWith("templates/");
  }

  @Override
  public void close() {
    repository.close();
  }
}
