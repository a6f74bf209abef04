package org.maclip.scoring;

import java.util.Optional;

/**
 * How a {@link Scorer} runs and scores. Start from {@link #defaults()} and change what you need:
 * {@code ScorerOptions.defaults().withBatchSize(16).withDevice(Device.CUDA)}.
 *
 * @param batchSize views per encoder run: the memory bound, whatever the image sizes
 * @param threads ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose
 * @param device where the encoder runs
 * @param method which cue gives Q
 * @param params λ, α, b_sim, b_mag; empty takes the bundle's defaults
 * @param maxPixels refuse images (decoded, or as prepared for viewing) with more pixels than this
 * @param maxPixelsSetting how the user raises {@code maxPixels} where the refusal is read (a CLI
 *     flag, a property, a dialog field), named in the refusal: "...; raise it with SETTING"
 * @param maxSide cap on the longer side before cutting views (0: none, as in the paper)
 * @param preResize resize every image to this size first (8-bit bicubic, as the paper's code
 *     does for SPAQ and AGIQA); empty keeps the native size
 * @param memory what an image may use while decoded and prepared; an image whose header says it
 *     needs more is refused before decoding ({@link MemoryBudget})
 */
public record ScorerOptions(
    int batchSize,
    int threads,
    Device device,
    Method method,
    Optional<FusionParams> params,
    long maxPixels,
    String maxPixelsSetting,
    int maxSide,
    Optional<Size> preResize,
    MemoryBudget memory) {

  /** How a program that uses this library raises the limit, unless it names its own setting. */
  public static final String LIBRARY_MAX_PIXELS_SETTING = "ScorerOptions.withMaxPixels";

  /** Pillow's decompression-bomb limit, 89,478,485 pixels. */
  public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

  /** A width and height in pixels. */
  public record Size(int width, int height) {
    public Size {
      if (width < 1 || height < 1) {
        throw new IllegalArgumentException("size must be positive, not " + width + "x" + height);
      }
    }
  }

  public ScorerOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be 0 (automatic) or more, not " + threads);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("max pixels must be positive, not " + maxPixels);
    }
    if (maxPixelsSetting == null || maxPixelsSetting.isBlank()) {
      throw new IllegalArgumentException("the max-pixels setting needs a name");
    }
    if (memory == null) {
      throw new IllegalArgumentException("the memory budget is missing");
    }
    if (maxSide < 0) {
      throw new IllegalArgumentException("max side must be 0 (none) or positive, not " + maxSide);
    }
  }

  public static ScorerOptions defaults() {
    return new ScorerOptions(
        32, 0, Device.CPU, Method.MACLIP, Optional.empty(), DEFAULT_MAX_PIXELS,
        LIBRARY_MAX_PIXELS_SETTING, 0, Optional.empty(), MemoryBudget.HEAP);
  }

  public ScorerOptions withBatchSize(int value) {
    return new ScorerOptions(
        value, threads, device, method, params, maxPixels, maxPixelsSetting, maxSide, preResize,
        memory);
  }

  public ScorerOptions withThreads(int value) {
    return new ScorerOptions(
        batchSize, value, device, method, params, maxPixels, maxPixelsSetting, maxSide, preResize,
        memory);
  }

  public ScorerOptions withDevice(Device value) {
    return new ScorerOptions(
        batchSize, threads, value, method, params, maxPixels, maxPixelsSetting, maxSide, preResize,
        memory);
  }

  public ScorerOptions withMethod(Method value) {
    return new ScorerOptions(
        batchSize, threads, device, value, params, maxPixels, maxPixelsSetting, maxSide, preResize,
        memory);
  }

  public ScorerOptions withParams(FusionParams value) {
    return new ScorerOptions(
        batchSize, threads, device, method, Optional.of(value), maxPixels, maxPixelsSetting,
        maxSide, preResize,
        memory);
  }

  public ScorerOptions withMaxPixels(long value) {
    return new ScorerOptions(
        batchSize, threads, device, method, params, value, maxPixelsSetting, maxSide, preResize,
        memory);
  }

  /** Names how the user raises the pixel limit where refusals are read: {@code "--max-pixels"}. */
  public ScorerOptions withMaxPixelsSetting(String value) {
    return new ScorerOptions(
        batchSize, threads, device, method, params, maxPixels, value, maxSide, preResize,
        memory);
  }

  public ScorerOptions withMaxSide(int value) {
    return new ScorerOptions(
        batchSize, threads, device, method, params, maxPixels, maxPixelsSetting, value, preResize,
        memory);
  }

  public ScorerOptions withPreResize(Size value) {
    return new ScorerOptions(
        batchSize, threads, device, method, params, maxPixels, maxPixelsSetting, maxSide,
        Optional.ofNullable(value), memory);
  }

  /** Sets what an image may use while decoded and prepared, and how the user gives it more. */
  public ScorerOptions withMemory(MemoryBudget value) {
    return new ScorerOptions(
        batchSize, threads, device, method, params, maxPixels, maxPixelsSetting, maxSide, preResize,
        value);
  }
}
