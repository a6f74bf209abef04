package org.maclip.function;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.jboss.logging.Logger;
import org.maclip.scoring.ModelIdentity;
import org.maclip.scoring.Scorer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The two long-lived objects of a container, built once at start-up (Lambda's init phase): the
 * S3 client and the scorer with its model. Never per invocation. The scorer comes first: a local
 * bundle's ONNX Runtime session starts before the S3 client is built (0.3–0.4 s under Lambda's
 * C1-only JIT), so the session is ready by the time the first image is cut.
 */
@Singleton
public class Beans {
  private static final Logger LOG = Logger.getLogger(Beans.class);

  @Produces
  @Singleton
  @Startup(ObserverMethod.DEFAULT_PRIORITY + 1)
  S3Client s3(FunctionConfig config) {
    S3ClientBuilder builder = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .forcePathStyle(config.s3().pathStyle());
    config.s3().endpointOverride().ifPresent(builder::endpointOverride);
    config.s3().region().map(software.amazon.awssdk.regions.Region::of).ifPresent(builder::region);
    return builder.build();
  }

  @Produces
  @Singleton
  @Startup(ObserverMethod.DEFAULT_PRIORITY - 1)
  Scorer scorer(FunctionConfig config, Provider<S3Client> s3) {
    long start = System.nanoTime();
    NativeLibraries.configure();
    Path bundle = ModelSource.resolve(config.model().orElse(null), config.modelCache(), s3::get);
    long resolved = System.nanoTime();
    // ONNX Runtime creates the session, and the model's checksum runs, on threads of their own,
    // beside the rest of the start and the first invocation's fetch and decoding; the scorer
    // gives no result before both are done (Scorer.openInBackground). The first batch logs them.
    Scorer scorer = Scorer.openInBackground(bundle, ScorerConfig.options(config));
    pinned(scorer, config.modelSha256(), config.model().orElse(bundle.toString()));
    LOG.infof("Model %s/%s (sha256 %s) read from %s in %d ms (locating it %d ms, bundle read %d"
            + " ms); its session and checksum go on in the background; JVM start to here %d ms",
        scorer.bundle().backbone(), scorer.bundle().pretrained(), scorer.bundle().sha256(),
        bundle, (System.nanoTime() - start) / 1_000_000, (resolved - start) / 1_000_000,
        scorer.loadTimes().readMillis(), sinceJvmStart());
    if (ModelIdentity.recorded(bundle).isEmpty()) {
      LOG.warnf("The sha256 that results name the model by was not verified where the model %s"
          + " arrived (no %s beside it): run `maclip info --verify --model` on it where it is"
          + " packaged", bundle, ModelIdentity.RECORD);
    }
    return scorer;
  }

  /** The scorer, if its model is the one {@code maclip.model-sha256} names; else closed, thrown. */
  static Scorer pinned(Scorer scorer, java.util.Optional<String> pin, String location) {
    try {
      ModelPin.check(pin, scorer.bundle().sha256(), location);
      return scorer;
    } catch (IllegalStateException e) {
      scorer.close(); // waits for a session and self-check still being made
      throw e;
    }
  }

  /**
   * Milliseconds since the JVM started, as the JVM counts it (ProcessHandle's start instant is
   * only good to a second on Linux).
   */
  static long sinceJvmStart() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
  }

  void close(@Disposes Scorer scorer) {
    scorer.close();
  }

  void close(@Disposes S3Client s3) {
    s3.close();
  }
}
