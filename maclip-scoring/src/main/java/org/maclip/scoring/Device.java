package org.maclip.scoring;

/** Where ONNX Runtime runs the encoder. */
public enum Device {
  CPU,
  /** NVIDIA GPU through ONNX Runtime's CUDA provider; falls back to the CPU with one warning. */
  CUDA;

  public static Device parse(String text) {
    for (Device d : values()) {
      if (d.name().equalsIgnoreCase(text.trim())) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown device '" + text + "' (use cpu or cuda)");
  }
}
