package org.maclip.function.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.maclip.function.BatchResponse;
import org.maclip.function.event.LambdaEvent;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Takes S3 notifications from an SQS queue and hands them, a batch at a time, to the same
 * handler as the Lambda function ({@code ScoringService::handle}, fed the event Lambda's SQS
 * event source would send), with the same contract as Lambda's event source mapping: the messages
 * of a batch that the handler does not report failed are deleted; the failed ones are left on
 * the queue, which delivers them again after their visibility timeout and, after its
 * {@code maxReceiveCount}, moves them to its dead-letter queue.
 *
 * <p>{@link WorkerSettings#concurrency()} threads each long-poll, score and settle their own
 * batch (the handler, and the one ONNX Runtime session behind it, are shared). While a batch
 * runs, its messages' visibility is renewed every third of the visibility timeout, so a long
 * batch is never delivered twice, and a worker that dies hands its messages back within one
 * timeout; renewal ends at the batch's deadline ({@link WorkerSettings#batchDeadline()}), so the
 * messages of a batch that hangs return to the queue and, after its {@code maxReceiveCount}, to
 * the dead-letter queue. {@link #stop()} (SIGTERM: {@code QueueWorkerApp}) takes no new batch:
 * the batches in progress finish and are settled; messages a receive returns after the stop are
 * handed back at once. A thread that ends on an {@link Error} (not one image's failure: the
 * scorer turns those into results) is logged and stops the worker, which then reports {@link
 * #failed()} so that the process exits with a non-zero status and its host starts a new one.
 */
public final class QueueWorker implements Runnable {
  private static final Logger LOG = Logger.getLogger(QueueWorker.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final WorkQueue queue;
  private final WorkerSettings settings;
  private final Function<LambdaEvent, BatchResponse> handler;
  private final ScheduledExecutorService heartbeats;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  /**
   * Guards {@code stopping} and {@code inProgress}: a batch either begins before the stop and is
   * counted (and settled) or is handed back, and "Stopping: … N in progress" is followed by
   * exactly N "Batch of" lines.
   */
  private final Object state = new Object();
  private boolean stopping;
  private int inProgress;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private volatile Throwable failure;

  public QueueWorker(SqsClient sqs, WorkerSettings settings,
      Function<LambdaEvent, BatchResponse> handler) {
    this.queue = new WorkQueue(sqs, settings);
    this.settings = settings;
    this.handler = handler;
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "maclip-worker-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }

  /** Works until {@link #stop()}; returns once every batch in progress is settled. */
  @Override
  public void run() {
    LOG.infof("Taking work from %s: batches of up to %d message(s), %d at once, visibility %d s"
            + " renewed every %d s", settings.queueUrl(), settings.batchSize(),
        settings.concurrency(), settings.visibilityTimeout(), settings.heartbeat().toSeconds());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < settings.concurrency(); i++) {
      Thread t = new Thread(this::loopUntilStopOrError, "maclip-worker-" + i);
      threads.add(t);
      t.start();
    }
    try {
      for (Thread t : threads) {
        t.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      heartbeats.shutdownNow();
      LOG.infof("Stopped after %d batch(es): %d message(s) done and deleted, %d left for retry",
          batches.get(), deleted.get(), retried.get());
      finished.countDown();
    }
  }

  /** Takes no more batches; those in progress finish (see {@link #awaitFinished}). */
  public void stop() {
    synchronized (state) {
      if (stopping) {
        return;
      }
      stopping = true;
      LOG.infof("Stopping: no new batches; finishing the %d in progress", inProgress);
    }
    stopRequested.countDown();
  }

  public boolean stopping() {
    return stopRequested.getCount() == 0;
  }

  /** The error that ended a worker thread (and so the worker), or null. */
  public Throwable failed() {
    return failure;
  }

  /** Counts a batch in, unless the worker is stopping. */
  private boolean begin(int size) {
    synchronized (state) {
      if (stopping) {
        return false;
      }
      inProgress++;
      LOG.debugf("Began a batch of %d message(s)", size);
      return true;
    }
  }

  /** Counts a settled batch out, logging it in the same step (see {@code state}). */
  private void end(String summary) {
    synchronized (state) {
      LOG.info(summary);
      inProgress--;
    }
  }

  /** Waits until {@link #run()} has returned; false if it had not within {@code timeout}. */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A worker thread: its loop, until the stop or an {@link Error}, which is logged and stops the
   * worker (the other threads finish their batches) with {@link #failed()} set.
   */
  private void loopUntilStopOrError() {
    try {
      loop();
    } catch (Error e) {
      failure = e;
      LOG.errorf(e, "Worker thread %s ended on %s; stopping the worker (its process exits with"
          + " status 1); the batch's messages come back after their visibility timeout",
          Thread.currentThread().getName(), e);
      stop();
    }
  }

  private void loop() {
    Duration backoff = Duration.ofSeconds(1);
    while (!stopping()) {
      List<Message> messages;
      try {
        messages = queue.receive();
        backoff = Duration.ofSeconds(1);
      } catch (SdkException e) {
        LOG.warnf("Cannot receive from %s: %s; trying again in %d s", settings.queueUrl(),
            e.getMessage(), backoff.toSeconds());
        pause(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
            ? MAX_BACKOFF : backoff.multipliedBy(2);
        continue;
      }
      if (messages.isEmpty()) {
        continue;
      }
      if (!begin(messages.size())) {
        release(messages);
        return;
      }
      String summary = "Batch of " + messages.size() + " message(s) abandoned";
      try {
        summary = work(messages);
      } catch (RuntimeException e) {
        // Not the handler's (work catches that): a bug here. The messages come back after their
        // visibility timeout; this thread goes on with the next batch.
        LOG.errorf(e, "Unexpected failure; the batch's messages come back after their"
            + " visibility timeout");
      } finally {
        end(summary);
      }
    }
  }

  /**
   * One batch: renew its visibility while the handler runs, until its deadline, then settle it;
   * its summary.
   */
  private String work(List<Message> messages) {
    long start = System.nanoTime();
    long period = settings.heartbeat().toMillis();
    long deadline = start + settings.batchDeadline().toNanos();
    ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(
        () -> renew(messages, deadline), period, period, TimeUnit.MILLISECONDS);
    Set<String> failed = failedIds(messages, heartbeat);
    List<Message> done = messages.stream().filter(m -> !failed.contains(m.messageId())).toList();
    queue.delete(done);
    batches.incrementAndGet();
    deleted.addAndGet(done.size());
    retried.addAndGet(messages.size() - done.size());
    return String.format("Batch of %d message(s) in %d ms: %d done and deleted, %d left for retry",
        messages.size(), (System.nanoTime() - start) / 1_000_000, done.size(),
        messages.size() - done.size());
  }

  /**
   * Renews the batch's visibility, unless it is past its deadline: then the renewal ends (this
   * heartbeat's task throws to end its schedule) and the messages return to the queue when their
   * visibility ends.
   */
  private void renew(List<Message> messages, long deadline) {
    if (System.nanoTime() - deadline > 0) {
      LOG.errorf("A batch of %d message(s) has run past its deadline of %d s"
              + " (maclip.worker.batch-deadline); its visibility is no longer renewed, so its"
              + " messages return to the queue within %d s", messages.size(),
          settings.batchDeadline().toSeconds(), settings.visibilityTimeout());
      throw new DeadlineException();
    }
    queue.changeVisibility(messages, settings.visibilityTimeout());
  }

  /** Ends a heartbeat's schedule (a scheduled task that throws is not run again). */
  private static final class DeadlineException extends RuntimeException {
    DeadlineException() {
      super(null, null, false, false);
    }
  }

  /** The handler's verdict; as on Lambda, a handler that throws fails the whole batch. */
  private Set<String> failedIds(List<Message> messages, ScheduledFuture<?> heartbeat) {
    try {
      Set<String> ids = new HashSet<>();
      for (BatchResponse.ItemFailure failure : handler.apply(event(messages)).batchItemFailures()) {
        ids.add(failure.itemIdentifier());
      }
      return ids;
    } catch (RuntimeException e) {
      LOG.errorf(e, "The batch of %d message(s) failed as a whole; all will be retried",
          messages.size());
      return new HashSet<>(messages.stream().map(Message::messageId).toList());
    } finally {
      heartbeat.cancel(false);
    }
  }

  /** The event Lambda's SQS event source mapping would send for these messages. */
  static LambdaEvent event(List<Message> messages) {
    return new LambdaEvent(messages.stream()
        .map(m -> new LambdaEvent.EventRecord("aws:sqs", null, null, m.messageId(), m.body()))
        .toList());
  }

  /** Hands messages received after the stop back to the queue at once. */
  private void release(List<Message> messages) {
    LOG.infof("Stopping: %d message(s) received after the stop handed back", messages.size());
    queue.changeVisibility(messages, 0);
  }

  private void pause(Duration duration) {
    try {
      stopRequested.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
    }
  }
}
