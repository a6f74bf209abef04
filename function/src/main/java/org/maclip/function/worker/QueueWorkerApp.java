package org.maclip.function.worker;

import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import java.time.Duration;
import org.jboss.logging.Logger;
import org.maclip.function.ScoringService;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The function as a queue worker (started by {@link QueueWorkerMain}): the same beans as on
 * Lambda (configuration, S3 client, model, {@link ScoringService}), fed by a {@link QueueWorker}
 * instead of Lambda's event source mapping. SIGTERM (how ECS, Docker and systemd stop a task)
 * runs Quarkus' shutdown hook, whose shutdown event stops the worker and waits for the batches
 * in progress to be settled before the model and the clients are closed.
 */
@ApplicationScoped
@Unremovable
public class QueueWorkerApp implements QuarkusApplication {
  private static final Logger LOG = Logger.getLogger(QueueWorkerApp.class);
  /** Longer than any stop a host waits for (ECS: 120 s at most); its SIGKILL comes first. */
  private static final Duration STOP_WAIT = Duration.ofMinutes(15);

  private final WorkerConfig config;
  private final ScoringService service;
  private volatile QueueWorker worker;
  private volatile boolean shuttingDown;

  public QueueWorkerApp(WorkerConfig config, ScoringService service) {
    this.config = config;
    this.service = service;
  }

  @Override
  public int run(String... args) {
    WorkerSettings settings;
    try {
      settings = WorkerSettings.of(config);
    } catch (IllegalArgumentException e) {
      LOG.error("The queue worker cannot start: " + e.getMessage());
      return 2;
    }
    QueueWorker started;
    try (SqsClient sqs = sqsClient()) {
      started = new QueueWorker(sqs, settings, event -> service.handle(event));
      worker = started;
      if (shuttingDown) { // SIGTERM came before the worker was there: it takes no batch
        started.stop();
      }
      started.run();
    }
    return started.failed() == null ? 0 : 1;
  }

  private SqsClient sqsClient() {
    SqsClientBuilder builder = SqsClient.builder().httpClient(UrlConnectionHttpClient.create());
    config.endpointOverride().ifPresent(builder::endpointOverride);
    config.region().map(Region::of).ifPresent(builder::region);
    return builder.build();
  }

  /** Quarkus' shutdown (SIGTERM): no new batch; wait for those in progress, then let it close. */
  void onShutdown(@Observes(notifyObserver = Reception.IF_EXISTS) ShutdownEvent event)
      throws InterruptedException {
    shuttingDown = true; // before reading worker: run() reads them the other way round
    QueueWorker running = worker;
    if (running != null) {
      running.stop();
      if (!running.awaitFinished(STOP_WAIT)) {
        LOG.warn("Batches still running after " + STOP_WAIT.toMinutes() + " minutes; their"
            + " messages return to the queue after their visibility timeout");
      }
    }
  }
}
