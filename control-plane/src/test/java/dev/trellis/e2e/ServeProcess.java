package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cli.TrellisCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code trellis serve} in a child JVM on this test's class path, bound to loopback on free ports
 * (read from its banner); stderr goes to a file the failures quote. Closing sends SIGTERM, then
 * kills what is left.
 */
final class ServeProcess implements AutoCloseable {

  private static final Pattern PORTS =
      Pattern.compile("xDS on 127\\.0\\.0\\.1:(\\d+), admin on 127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final Path stderr;
  private final BufferedReader out;
  private final HttpClient http = HttpClient.newHttpClient();
  private int xdsPort = -1;
  private int adminPort = -1;

  private ServeProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts {@code trellis serve ARGS --xds-port 0 --admin-port 0 --bind 127.0.0.1}; the admin API
   * is left on its default address, which the banner must show as loopback.
   */
  static ServeProcess start(Path dir, Map<String, String> env, String... args) throws IOException {
    return start(dir, env, List.of("-Xmx384m"), args);
  }

  /**
   * As {@link #start(Path, Map, String...)}, with these JVM options instead of {@code -Xmx384m}.
   */
  static ServeProcess start(Path dir, Map<String, String> env, List<String> jvm, String... args)
      throws IOException {
    Path stderr = dir.resolve("serve-stderr.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvm);
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), TrellisCli.class.getName(), "serve"));
    command.addAll(List.of(args));
    command.addAll(List.of("--xds-port", "0", "--admin-port", "0", "--bind", "127.0.0.1"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
    builder.environment().putAll(env);
    return new ServeProcess(builder.start(), stderr);
  }

  /** The next line serve prints; the banner line also tells the ports. */
  String readLine() throws IOException {
    String line = out.readLine();
    assertThat(line).as("serve's output; stderr: %s", stderrText()).isNotNull();
    Matcher ports = PORTS.matcher(line);
    if (ports.find()) {
      xdsPort = Integer.parseInt(ports.group(1));
      adminPort = Integer.parseInt(ports.group(2));
    }
    return line;
  }

  /** Reads up to the banner and returns it. */
  String awaitBanner() throws IOException {
    String line = readLine();
    while (xdsPort < 0) {
      line = readLine();
    }
    return line;
  }

  int xdsPort() {
    return xdsPort;
  }

  HttpResponse<String> admin(String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  String stderrText() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** Waits up to {@code within} for the process to end by itself; its exit status, or empty. */
  java.util.OptionalInt awaitExit(Duration within) throws InterruptedException {
    return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)
        ? java.util.OptionalInt.of(process.exitValue())
        : java.util.OptionalInt.empty();
  }

  /**
   * The process's threads as {@code jcmd Thread.print} shows them, for a failure message when it
   * neither exits nor answers; bounded to 20 s.
   */
  String threadDump() {
    try {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(process.pid()),
                  "Thread.print")
              .redirectErrorStream(true)
              .start();
      byte[] text = jcmd.getInputStream().readAllBytes();
      return jcmd.waitFor(20, TimeUnit.SECONDS)
          ? new String(text, StandardCharsets.UTF_8)
          : "(jcmd did not finish)";
    } catch (IOException e) {
      return "(no thread dump: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  /** Sends SIGTERM and waits up to {@code within} for the exit; true if it exited. */
  boolean terminate(Duration within) throws InterruptedException {
    process.destroy();
    return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (!terminate(Duration.ofSeconds(20))) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
