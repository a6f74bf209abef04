package org.maclip.imagej;

import ij.IJ;
import java.nio.file.Path;
import java.util.Locale;
import org.maclip.scoring.Bundle;
import org.maclip.scoring.Scorer;
import org.maclip.scoring.ScorerOptions;

/** The one model the plugin keeps loaded between commands, keyed by bundle path and options. */
final class KeptModel {
  /** What identifies a loaded model. */
  record Key(Path bundle, ScorerOptions options) {}

  private static final ModelHolder<Key, Scorer> SHARED =
      new ModelHolder<>(
          key -> {
            NativeLibraries.configure();
            Scorer scorer = Scorer.open(key.bundle(), key.options());
            if (scorer.device() != key.options().device()) {
              IJ.log("MA-CLIP: device=" + key.options().device().name().toLowerCase(Locale.ROOT)
                  + " could not start here (no CUDA, or not the GPU build of ONNX Runtime);"
                  + " running on the CPU");
            }
            return scorer;
          });

  private KeptModel() {}

  /** The scorer for these settings, loaded on first use; close the lease when done. */
  static ModelHolder<Key, Scorer>.Lease acquire(Settings settings) throws UserError {
    return SHARED.acquire(new Key(settings.bundle(), settings.options()));
  }

  /** Unloads the kept model (the settings changed). */
  static void release() {
    SHARED.release();
  }

  /** The model's name for the table: backbone/pretrained, e.g. {@code RN50/openai}. */
  static String describe(Scorer scorer) {
    Bundle b = scorer.bundle();
    return b.backbone() + "/" + b.pretrained();
  }
}
