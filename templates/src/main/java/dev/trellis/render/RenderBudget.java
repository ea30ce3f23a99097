package dev.trellis.render;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The budget of one group's render ({@link RenderLimits}): a deadline the template nodes check as
 * they start, and the output of the group's templates so far. One budget is used by one thread at a
 * time; the {@link Stop} is shared by the groups of one mesh render.
 */
final class RenderBudget {

  /** Checking the clock every 64 nodes keeps the check off profiles; a node is microseconds. */
  private static final int CHECK_EVERY = 64;

  /** Set once a group of the mesh render went over budget: the other groups stop too. */
  static final class Stop {
    private final AtomicBoolean stopped = new AtomicBoolean();

    boolean stopped() {
      return stopped.get();
    }

    void stop() {
      stopped.set(true);
    }
  }

  /**
   * Thrown from a node hook when the deadline passed or the mesh render stopped. An {@link Error}
   * so that it gets through Jinjava's tags, which catch every {@link Exception} and go on
   * rendering; once thrown it is thrown again at every later node, so a macro call that wraps it
   * costs one more node at most. Caught by {@link TemplateSet#render} only.
   */
  static final class Exceeded extends Error {
    private static final long serialVersionUID = 1L;

    /** True if this group's own deadline passed; false if another group stopped the render. */
    final boolean own;

    Exceeded(boolean own) {
      super(own ? "render time budget exceeded" : "render stopped", null, false, false);
      this.own = own;
    }
  }

  /** The render of a group was stopped because another group of the mesh went over budget. */
  static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super("render stopped: another group went over budget", null, false, false);
    }
  }

  private final RenderLimits limits;
  private final Stop stop;
  private final long deadline;
  private long output;
  private int nodes;
  private Exceeded exceeded;

  RenderBudget(RenderLimits limits, Stop stop) {
    this.limits = limits;
    this.stop = stop;
    this.deadline = System.nanoTime() + limits.timeout().toNanos();
  }

  RenderLimits limits() {
    return limits;
  }

  Stop stop() {
    return stop;
  }

  /** What stopped this group's render, or null while it is within budget. */
  Exceeded exceeded() {
    return exceeded;
  }

  /** Called as each template node starts; throws once the budget is spent. */
  void nodeStarted() {
    if (exceeded == null && ++nodes % CHECK_EVERY == 0) {
      if (System.nanoTime() - deadline > 0) {
        stop.stop();
        exceeded = new Exceeded(true);
      } else if (stop.stopped()) {
        exceeded = new Exceeded(false);
      }
    }
    if (exceeded != null) {
      throw exceeded;
    }
  }

  /**
   * Adds one template's output to the group's; false (and the mesh render stopped) once the group
   * has produced more than its budget.
   */
  boolean addOutput(int length) {
    output += length;
    if (output > limits.maxOutputBytes()) {
      stop.stop();
      return false;
    }
    return true;
  }

  String timeMessage() {
    return "render exceeded " + limits.timeoutText() + " time budget (--render-timeout)";
  }

  String outputMessage() {
    return "render output exceeded " + limits.outputText() + " budget (--render-max-output)";
  }
}
