package dev.trellis.cli;

import dev.trellis.analyze.TrellisVersion;
import dev.trellis.analyze.diff.DiffCommand;
import dev.trellis.analyze.lint.LintCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trellis} command: every subcommand is registered here, in one place. */
@Command(
    name = "trellis",
    mixinStandardHelpOptions = true,
    versionProvider = TrellisCli.Version.class,
    description = "An xDS control plane for an Envoy sidecar mesh.",
    subcommands = {
      CommandLine.HelpCommand.class,
      RenderCommand.class,
      CertsCommand.class,
      ServeCommand.class,
      LintCommand.class,
      DiffCommand.class,
      RolloutCommand.class,
      BootstrapCommand.class
    })
public final class TrellisCli implements Runnable {

  /** Exit code for invalid definitions or findings at or above the threshold. */
  public static final int EXIT_INVALID = 1;

  /** Exit code for a usage error or an internal error. */
  public static final int EXIT_USAGE = 2;

  /**
   * Exit code after an {@link Error} such as out of memory: the code the JVM's {@code
   * -XX:+ExitOnOutOfMemoryError} exits with, so both ways read the same to a supervisor.
   */
  public static final int EXIT_FATAL = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Builds the command line with the exit-code conventions: 0 ok, 1 invalid input, 2 usage. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TrellisCli());
    cl.setExitCodeExceptionMapper(e -> EXIT_USAGE);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("trellis: " + ex.getMessage());
          err.println(tryHelp(ex.getCommandLine()));
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("trellis: internal error: " + ex);
          return EXIT_USAGE;
        });
    return cl;
  }

  /** The line after a usage error, naming the help of the command it was given to. */
  static String tryHelp(CommandLine cl) {
    return "Try '" + cl.getCommandSpec().qualifiedName() + " --help'";
  }

  /** {@code trellis -V}: the same version the SARIF report's driver states. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"trellis " + TrellisVersion.get()};
    }
  }

  public static void main(String[] args) {
    CommandLine cl = commandLine();
    int code;
    try {
      code = cl.execute(args);
    } catch (Error e) {
      // picocli passes Errors through; left to the main thread, serve's server threads would keep
      // a process alive that never serves (e.g. out of memory in the first reload).
      e.printStackTrace();
      System.err.println("trellis: fatal error: " + e);
      System.exit(EXIT_FATAL);
      return;
    }
    // print() does not flush picocli's writers; exit would drop what is buffered.
    cl.getOut().flush();
    cl.getErr().flush();
    System.exit(code);
  }
}
