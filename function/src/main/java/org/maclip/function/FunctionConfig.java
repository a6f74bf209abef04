package org.maclip.function;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.maclip.scoring.ScorerOptions;

/**
 * Everything the function reads from {@code application.properties}; each key can be overridden
 * by an environment variable ({@code maclip.results-prefix} → {@code MACLIP_RESULTS_PREFIX}).
 */
@ConfigMapping(prefix = "maclip")
public interface FunctionConfig {

  /** The model bundle: a directory, a {@code .zip}, or {@code s3://bucket/key} (zip or prefix). */
  Optional<String> model();

  /**
   * The sha256 of the model this deployment scores with ({@code maclip info} prints it); a model
   * with another refuses to start ({@link ModelPin}). Empty: any.
   */
  Optional<String> modelSha256();

  /** Where a bundle read from S3 is kept on local disk between invocations. */
  @WithDefault("/tmp/maclip-model")
  Path modelCache();

  /** Only keys under this prefix are scored; empty scores the whole bucket. */
  Optional<String> inputPrefix();

  /**
   * Image suffixes scored, compared without regard to case; by default every format maclip-scoring
   * reads ({@link org.maclip.scoring.ImageFormats#SUFFIXES}).
   */
  Optional<List<String>> suffixes();

  /** Result JSON files go under this prefix; never scored, whatever the other settings. */
  @WithDefault("maclip-results/")
  String resultsPrefix();

  /** Results go to this bucket instead of the source object's own bucket. */
  Optional<String> resultsBucket();

  /** Objects larger than this are refused with an error result (not retried). */
  @WithDefault("52428800")
  long maxObjectBytes();

  /**
   * Images with more pixels than this, decoded or as prepared for viewing, get an error result
   * (the decompression-bomb guard); by default Pillow's limit, as in the CLI and the plugin.
   */
  @WithDefault("" + ScorerOptions.DEFAULT_MAX_PIXELS)
  long maxPixels();

  /**
   * The function's memory size in MB: Lambda's {@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE} unless set.
   * An image that needs more than this less {@link #modelMemoryMb} (known from its header) gets
   * an error result before it is decoded; unset (outside Lambda), the JVM heap's headroom bounds
   * an image.
   */
  Optional<Long> memoryMb();

  /** What the model, ONNX Runtime and the JVM take of {@link #memoryMb} before any image. */
  @WithDefault("1300")
  long modelMemoryMb();

  /** Views per ONNX Runtime run (the memory bound); images of one invocation share runs. */
  @WithDefault("32")
  int batchSize();

  /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose. */
  @WithDefault("0")
  int threads();

  /** {@code cpu} or {@code cuda} (needs the -Pgpu build; falls back to the CPU with a warning). */
  @WithDefault("cpu")
  String device();

  /** {@code maclip}, {@code clipiqa} or {@code magnitude}. */
  @WithDefault("maclip")
  String method();

  Tagging tagging();

  Metrics metrics();

  Events events();

  S3 s3();

  /** Optional tag on the source object carrying its score. */
  interface Tagging {
    @WithDefault("false")
    boolean enabled();

    @WithDefault("maclip-q")
    String key();
  }

  /** Metric lines in CloudWatch's embedded metric format on standard output (QualityMetrics). */
  interface Metrics {
    @WithDefault("true")
    boolean enabled();

    /** The CloudWatch namespace of every metric. */
    @WithDefault("maclip")
    String namespace();

    /**
     * The {@code Function} dimension: by default Lambda's {@code AWS_LAMBDA_FUNCTION_NAME}, else
     * {@code maclip-function}; a GPU worker sets its scoring stack's function name, so that the
     * dashboard and alarms count it too.
     */
    Optional<String> functionName();
  }

  /** Images announced on EventBridge (QualityEvents); off unless one of the first two is set. */
  interface Events {
    /** A scored image with a Q under this is low quality: in its result, tagged, announced. */
    OptionalDouble lowQualityBelow();

    /** Announce every image that gets an error result too, with its cause. */
    @WithDefault("false")
    boolean errors();

    /** The event bus: the account's default bus unless named. */
    @WithDefault("default")
    String busName();

    /** A local EventBridge (moto); by default the SDK's endpoint for the region. */
    Optional<URI> endpointOverride();

    /** Region; by default the SDK's chain ({@code AWS_REGION} on Lambda). */
    Optional<String> region();
  }

  /** The S3 client; the endpoint override and path style are for local servers (tests, moto). */
  interface S3 {
    Optional<URI> endpointOverride();

    @WithDefault("false")
    boolean pathStyle();

    /** Region; by default the SDK's chain ({@code AWS_REGION} on Lambda). */
    Optional<String> region();
  }

  /** The function's own version, written into every result. */
  @WithName("function-version")
  @WithDefault("${quarkus.application.version:unknown}")
  String functionVersion();
}
