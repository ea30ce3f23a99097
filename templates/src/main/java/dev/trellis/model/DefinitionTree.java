package dev.trellis.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a definitions repo at one moment, by path relative to the repo root with '/'
 * separators, and the files that were refused rather than read (over a limit, not UTF-8, a symlink
 * leaving the tree). Loading works on this snapshot so that a directory, a Git ref or any other
 * source loads the same way, and reports a refused file as an error at its path.
 */
public record DefinitionTree(SortedMap<String, String> files, List<Refusal> refused) {

  /** The largest definitions file read, in bytes. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  /** The longest line of a definitions file, in bytes without the line break. */
  public static final int MAX_LINE_BYTES = 16 << 10;

  /** The most bytes read from all files of one tree together. */
  public static final int MAX_TREE_BYTES = 64 << 20;

  /** The most files and directories of one tree, refused ones included. */
  public static final int MAX_ENTRIES = 100_000;

  public static final String TREE_TOO_LARGE =
      "is past the limit of "
          + MAX_TREE_BYTES
          + " bytes (64 MiB) for all definitions files together (not read, nor any after it)";
  public static final String TOO_MANY_ENTRIES =
      "is past the limit of "
          + MAX_ENTRIES
          + " files and directories in a definitions directory (not read, nor any after it)";
  public static final String FILE_TOO_LARGE =
      "file is larger than " + MAX_FILE_BYTES + " bytes (1 MiB), the limit for a definitions file";
  public static final String LINE_TOO_LONG =
      "line is longer than "
          + MAX_LINE_BYTES
          + " bytes (16 KiB), the limit for a line of a definitions file";
  public static final String SYMLINK_OUTSIDE = "is a symlink outside the definitions directory";
  public static final String SYMLINK_DANGLING = "is a symlink whose target does not exist";

  /** A file not read, and why; the message reads well after {@code file:line:col: }. */
  public record Refusal(SourceLocation location, String message) {}

  public DefinitionTree {
    files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    refused = refused.stream().sorted(Comparator.comparing(Refusal::location)).toList();
  }

  public DefinitionTree(SortedMap<String, String> files) {
    this(files, List.of());
  }

  /**
   * Collects the files of a tree, each read within the limits or refused. Past {@link
   * #MAX_TREE_BYTES} or {@link #MAX_ENTRIES} it is full: the file over is refused, later ones are
   * ignored, so that neither many files nor symlinks fanning out can make a load of any size.
   */
  public static final class Builder {
    private final SortedMap<String, String> files = new TreeMap<>();
    private final List<Refusal> refused = new ArrayList<>();
    private final int maxEntries;
    private final String tooMany;
    private long bytes;
    private int entries;
    private boolean full;

    public Builder() {
      this(MAX_ENTRIES, TOO_MANY_ENTRIES);
    }

    /** With a lower entry limit, for tests that would otherwise create 100,000 entries. */
    Builder(int maxEntries, String tooMany) {
      this.maxEntries = maxEntries;
      this.tooMany = tooMany;
    }

    /**
     * Reads {@code path}'s text from {@code in}, never past the first byte over a limit; a file
     * over a limit or not UTF-8 is refused with the line where that shows.
     */
    public Builder read(String path, InputStream in) throws IOException {
      if (!enter(path)) {
        return this;
      }
      BoundedText.Read read = BoundedText.read(path, in);
      bytes += read.bytes();
      if (bytes > MAX_TREE_BYTES) {
        full = true;
        refused.add(new Refusal(SourceLocation.ofFile(path), TREE_TOO_LARGE));
      } else if (read.refusal() != null) {
        refused.add(read.refusal());
      } else {
        files.put(path, read.text());
      }
      return this;
    }

    /** Refuses {@code path} as a whole, without reading it. */
    public Builder refuse(String path, String message) {
      if (enter(path)) {
        refused.add(new Refusal(SourceLocation.ofFile(path), message));
      }
      return this;
    }

    /** Whether the tree is past a limit, so that reading more is pointless. */
    public boolean full() {
      return full;
    }

    /** Counts one more entry; false (after refusing the first one over) when full. */
    boolean enter(String path) {
      if (full) {
        return false;
      }
      if (++entries > maxEntries) {
        full = true;
        refused.add(new Refusal(SourceLocation.ofFile(path), tooMany));
        return false;
      }
      return true;
    }

    public DefinitionTree build() {
      return new DefinitionTree(files, refused);
    }
  }

  /**
   * Reads {@code mesh.yaml}, {@code services/**} and {@code templates/**} under {@code root}.
   *
   * <p>A symlink is followed only when its target lies inside {@code root}: what it shows is then
   * part of the tree anyway (and Kubernetes ConfigMap volumes are made of such links), while one
   * pointing outside could make an error message or a rendered config show any file the process can
   * read. Special files (FIFOs, devices) are skipped, as before.
   */
  public static DefinitionTree fromDirectory(Path root) {
    return fromDirectory(root, new Builder());
  }

  static DefinitionTree fromDirectory(Path root, Builder tree) {
    try {
      Path top = root.toRealPath();
      Deque<Path> walking = new ArrayDeque<>();
      walking.push(top);
      for (String name : new String[] {MeshConfig.FILE, "services", "templates"}) {
        Path p = top.resolve(name);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          visit(top, p, tree, walking);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read definitions under " + root, e);
    }
    return tree.build();
  }

  /** {@code walking}: the real paths of the directories being read, to stop at a symlink loop. */
  private static void visit(Path top, Path p, Builder tree, Deque<Path> walking)
      throws IOException {
    String rel = top.relativize(p).toString().replace('\\', '/');
    BasicFileAttributes attrs =
        Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Path target = p;
    if (attrs.isSymbolicLink()) {
      try {
        target = p.toRealPath();
      } catch (NoSuchFileException e) {
        tree.refuse(rel, SYMLINK_DANGLING);
        return;
      }
      if (!target.startsWith(top)) {
        tree.refuse(rel, SYMLINK_OUTSIDE);
        return;
      }
      attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }
    if (attrs.isDirectory()) {
      Path real = target.toRealPath();
      if (walking.contains(real)) {
        return; // a link back to a directory being read: its files are read there
      }
      if (!tree.enter(rel)) {
        return;
      }
      List<Path> entries;
      try (Stream<Path> list = Files.list(p)) {
        entries = list.sorted().toList();
      }
      walking.push(real);
      for (Path entry : entries) {
        if (tree.full()) {
          break;
        }
        visit(top, entry, tree, walking);
      }
      walking.pop();
    } else if (attrs.isRegularFile()) {
      // NOFOLLOW_LINKS: a file swapped for a symlink after the check above is not opened.
      try (InputStream in = Files.newInputStream(target, LinkOption.NOFOLLOW_LINKS)) {
        tree.read(rel, in);
      }
    }
  }
}
