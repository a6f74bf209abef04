package org.maclip.function.monitoring;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Where metric lines go: standard output, one line each, beside (not through) the log, because
 * CloudWatch Logs extracts metrics only from a line that is the JSON object alone; Lambda sends
 * standard output to the function's log group, and the GPU host's log agent sends the worker's.
 */
@ApplicationScoped
public class MetricsSink {

  /** Writes one line (PrintStream's println is synchronized: threads never interleave lines). */
  public void emit(String line) {
    System.out.println(line);
  }
}
