package org.maclip.function.worker;

import io.quarkus.runtime.Quarkus;

/**
 * Runs the function as a queue worker, off Lambda (GPU hosts, containers, the local chain):
 *
 * <pre>
 * MACLIP_WORKER_QUEUE_URL=https://sqs… MACLIP_MODEL=/opt/maclip/model \
 *   java -cp maclip-function-0.1.0-runner.jar org.maclip.function.worker.QueueWorkerMain
 * </pre>
 *
 * <p>(or {@code -cp 'function/:function/lib/*'} over an unpacked {@code function.zip}). The same
 * build serves Lambda, whose Java runtime calls the handler and never this class.
 */
public final class QueueWorkerMain {
  private QueueWorkerMain() {}

  public static void main(String... args) {
    Quarkus.run(QueueWorkerApp.class, args);
  }
}
