package dev.trellis.serve;

import dev.trellis.admin.ReloadStatus.Reason;
import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.GroupFindings;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Suppressions;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadError;
import dev.trellis.model.load.LoadResult;
import dev.trellis.publish.PublishResult;
import dev.trellis.render.DiscoveredEndpoints;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderError;
import dev.trellis.render.RenderException;
import dev.trellis.render.RenderLimits;
import dev.trellis.render.RenderedMesh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the control plane serving a definitions directory: load, render, analyze (errors block),
 * publish; again after each change, a short debounce after the last file event. A failed reload
 * keeps the last good config and is shown by the admin API.
 *
 * <p>Rendering is bounded ({@link RenderLimits}), so a reload ends within about one render budget
 * however hostile the templates; file events that arrive meanwhile never wait for it. An {@link
 * Error} in a reload (out of memory) is logged, shown, and handed to {@link #onFatal}: the process
 * should end rather than serve on with a reloader in an unknown state.
 */
public final class DefinitionsReloader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DefinitionsReloader.class);

  private final Path root;
  private final ControlPlane controlPlane;
  private final MeshRenderer renderer;
  private final Analyzer analyzer = Analyzer.standard();
  private final ReloadMetrics metrics;

  /** Service files are read again only when their text (or mesh.yaml's) changed. */
  private final DefinitionLoader.Cache loads = new DefinitionLoader.Cache();

  /** What the last good reload rendered and found, for the next one to reuse. */
  private record Good(RenderedMesh rendered, Analyzer.Incremental analysis) {}

  /** Guarded by this. */
  private Good last;

  private final ScheduledExecutorService reloads =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "trellis-reload"));
  private WatchService watcher;

  /**
   * Guards {@link #pending} only, not the reload: the watcher thread and discovery callbacks
   * schedule reloads while one runs instead of queueing behind its lock.
   */
  private final Object scheduling = new Object();

  private ScheduledFuture<?> pending;
  private volatile Consumer<Error> fatal = e -> {};

  private final DiscoveredEndpoints discovered;
  private final Consumer<Mesh> onLoaded;
  private volatile Duration debounce = Duration.ofMillis(100);

  public DefinitionsReloader(Path root, ControlPlane controlPlane) {
    this(root, controlPlane, DiscoveredEndpoints.NONE, mesh -> {});
  }

  /**
   * @param discovered instances found at run time, rendered with the static ones; call {@link
   *     #endpointsChanged} when they change
   * @param onLoaded called with each mesh that loaded, before it is rendered (a discovery source
   *     follows the services it names from there)
   */
  public DefinitionsReloader(
      Path root,
      ControlPlane controlPlane,
      DiscoveredEndpoints discovered,
      Consumer<Mesh> onLoaded) {
    this(root, controlPlane, discovered, onLoaded, RenderLimits.DEFAULT);
  }

  /**
   * @param limits what one group's render may take (a group over it fails the reload)
   */
  public DefinitionsReloader(
      Path root,
      ControlPlane controlPlane,
      DiscoveredEndpoints discovered,
      Consumer<Mesh> onLoaded,
      RenderLimits limits) {
    this.renderer = new MeshRenderer(limits);
    this.root = root.toAbsolutePath().normalize();
    this.controlPlane = controlPlane;
    this.discovered = discovered;
    this.onLoaded = onLoaded;
    this.metrics = new ReloadMetrics(controlPlane.registry());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Loads and publishes the definitions now. Returns what the publish changed, or empty if the
   * definitions are invalid (the error, with file:line:col, is in {@link ControlPlane#reloads()}).
   */
  public synchronized Optional<PublishResult> reload() {
    Optional<String> problem;
    Reason reason;
    try {
      long started = System.nanoTime();
      DefinitionTree tree = DefinitionTree.fromDirectory(root);
      LoadResult loaded = DefinitionLoader.load(tree, loads);
      if (!loaded.ok()) {
        problem = Optional.of(lines(loaded.errors().stream().map(LoadError::toString)));
        reason = Reason.DEFINITIONS;
      } else {
        Mesh mesh = loaded.orElseThrow();
        onLoaded.accept(mesh);
        // Only groups whose inputs changed are rendered and analyzed again (see MeshRenderer).
        RenderedMesh rendered =
            renderer.render(
                mesh,
                discovered,
                last != null ? last.rendered() : new RenderedMesh(mesh, new TreeMap<>()));
        Analyzer.Incremental incremental =
            analyzer.analyze(
                mesh,
                rendered,
                Suppressions.scan(tree, analyzer.registry()),
                last != null ? last.analysis().groups() : GroupFindings.NONE);
        AnalysisResult analysis = incremental.result();
        long analyzed = System.nanoTime();
        PublishResult result = controlPlane.publish(rendered, analysis);
        last = new Good(rendered, incremental);
        metrics.record(rendered.state(), incremental.groups(), analyzed - started);
        LOG.info(
            "Reloaded {}: {}, {} group(s) analyzed, in {} ms (publish {} ms)",
            root,
            rendered.state(),
            incremental.groups().analyzed(),
            TimeUnit.NANOSECONDS.toMillis(analyzed - started),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - analyzed));
        var blocked = controlPlane.analysis().current().blocked();
        if (blocked.isEmpty()) {
          LOG.info("Serving definitions of {}: {}", root, result);
        } else {
          LOG.error(
              "Definitions of {} published except {} group(s) held back by error findings ({}):\n{}",
              root,
              blocked.size(),
              result,
              lines(
                  analysis.findings().stream()
                      .filter(f -> f.level() == Level.ERROR)
                      .map(DefinitionsReloader::finding)));
        }
        return Optional.of(result);
      }
    } catch (RenderException e) {
      problem = Optional.of(lines(e.errors().stream().map(RenderError::toString)));
      reason = e.overBudget() ? Reason.RENDER_BUDGET : Reason.RENDER;
    } catch (UncheckedIOException e) {
      problem = Optional.of(e.getMessage() + ": " + e.getCause().getMessage());
      reason = Reason.IO;
    } catch (IllegalArgumentException e) {
      // ControlPlane.publish recorded it already.
      LOG.error(
          "Definitions of {} not published, the last good config stays: {}", root, e.getMessage());
      return Optional.empty();
    }
    controlPlane.reloads().failed(reason, problem.get());
    LOG.error(
        "Definitions of {} are invalid, the last good config stays:\n{}", root, problem.get());
    return Optional.empty();
  }

  private static String finding(Finding f) {
    return f.location()
        + ": "
        + f.level().label()
        + " "
        + f.ruleId()
        + ": "
        + f.message()
        + f.group().map(g -> " (group '" + g + "')").orElse("");
  }

  private static String lines(Stream<String> lines) {
    return lines.collect(Collectors.joining("\n"));
  }

  /** Reloads after the debounce: discovered instances changed. */
  public void endpointsChanged() {
    schedule(debounce);
  }

  /**
   * What to do after an {@link Error} in a scheduled reload, once it is logged and shown (e.g.
   * exit, so that a supervisor starts a fresh process); by default nothing more. The Error is
   * rethrown after, which a scheduled task cannot pass on.
   */
  public void onFatal(Consumer<Error> handler) {
    this.fatal = handler;
  }

  /**
   * Reloads after changes under the directory ({@code mesh.yaml}, {@code services/}, {@code
   * templates/}), once the files have been quiet for {@code debounce}.
   *
   * @throws IOException if the directory cannot be watched
   */
  public synchronized void watch(Duration debounce) throws IOException {
    if (watcher != null) {
      throw new IllegalStateException("already watching " + root);
    }
    watcher = FileSystems.getDefault().newWatchService();
    this.debounce = debounce;
    registerTree(root);
    Thread thread = daemon(() -> watchLoop(watcher, debounce), "trellis-watch");
    thread.start();
    LOG.info("Watching {} for changes (debounce {} ms)", root, debounce.toMillis());
  }

  private void watchLoop(WatchService service, Duration debounce) {
    try {
      while (true) {
        WatchKey key = service.take();
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
            Path created = dir.resolve((Path) event.context());
            if (Files.isDirectory(created)) {
              registerTree(created);
            }
          }
        }
        key.reset();
        schedule(debounce);
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed: stop watching
    } catch (IOException e) {
      LOG.error("Stopped watching {}: {}", root, e.getMessage());
    }
  }

  private void schedule(Duration debounce) {
    synchronized (scheduling) {
      if (pending != null) {
        pending.cancel(false);
      }
      pending = reloads.schedule(this::reloadLogged, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * {@link #reload()} for a background thread: a failure is logged and shown, never lost in an
   * executor's future; an {@link Error} also goes to {@link #onFatal} and is rethrown.
   */
  public void reloadLogged() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.error("Reload of {} failed unexpectedly", root, e);
      controlPlane.reloads().failed(Reason.INTERNAL, "internal error while reloading: " + e);
    } catch (Error e) {
      // Memory may still be short here: whatever fails while telling, the handler runs.
      try {
        LOG.error("Reload of {} failed with {}; the process cannot go on safely", root, e, e);
        controlPlane.reloads().failed(Reason.INTERNAL, "fatal error while reloading: " + e);
      } finally {
        fatal.accept(e);
      }
      throw e;
    }
  }

  private void registerTree(Path dir) throws IOException {
    try (Stream<Path> dirs = Files.walk(dir)) {
      for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
        d.register(
            watcher,
            List.of(
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY)
                .toArray(WatchEvent.Kind<?>[]::new));
      }
    }
  }

  @Override
  public synchronized void close() {
    reloads.shutdownNow();
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        LOG.debug("closing the watch service of {}", root, e);
      }
    }
  }
}
