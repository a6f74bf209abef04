package org.maclip.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The resize kernels against values computed by torch 2.14.1 and Pillow 13.0.0: the numbers below
 * are what these lines print when run with the reference's interpreter (the venv {@code .ci/run}
 * makes, each result {@code .flatten().tolist()}):
 *
 * <pre>
 * import torch, torch.nn.functional as F, numpy as np
 * from PIL import Image
 * src = torch.tensor([[(r*7+c)*0.019 + ((r+c)%3)*0.1 for c in range(7)] for r in range(5)],
 *                    dtype=torch.float32)                         # 5 rows x 7 columns
 * F.interpolate(src[None,None], size=(3,4), mode="bilinear", align_corners=False)
 * F.interpolate(src[None,None], size=(8,11), mode="bilinear", align_corners=False)
 * F.interpolate(src[None,None], size=(3,4), mode="bicubic", align_corners=False, antialias=True)
 * F.interpolate(src[None,None], size=(8,11), mode="bicubic", align_corners=False, antialias=True)
 * u8 = np.array([[(r*37 + c*53 + (r*c)%7*20) % 256 for c in range(7)] for r in range(5)],
 *               dtype=np.uint8)
 * np.array(Image.fromarray(u8, "L").resize((4,3), Image.Resampling.BICUBIC))   # (w, h)
 * np.array(Image.fromarray(u8, "L").resize((11,8), Image.Resampling.BICUBIC))
 * np.array(Image.fromarray(u8, "L").resize((3,5), Image.Resampling.BICUBIC))
 * </pre>
 */
class ResizeTest {
  static final int W = 7;
  static final int H = 5;

  /** The float source, as the script builds it (float32 arithmetic of a Python double). */
  static float[] source() {
    float[] src = new float[W * H];
    for (int r = 0; r < H; r++) {
      for (int c = 0; c < W; c++) {
        src[r * W + c] = (float) ((r * 7 + c) * 0.019 + ((r + c) % 3) * 0.1);
      }
    }
    return src;
  }

  static byte[] source8() {
    byte[] src = new byte[W * H];
    for (int r = 0; r < H; r++) {
      for (int c = 0; c < W; c++) {
        src[r * W + c] = (byte) ((r * 37 + c * 53 + (r * c) % 7 * 20) % 256);
      }
    }
    return src;
  }

  /** Row 0 and row 7 of an 8 x 11 single-channel result, to torch's float32 within 1e-6. */
  static void assertEndRows(float[] row0, float[] row7, float[] actual) {
    assertEquals(8 * 11, actual.length);
    assertArrayEquals(row0, Arrays.copyOfRange(actual, 0, 11), 1e-6f);
    assertArrayEquals(row7, Arrays.copyOfRange(actual, 77, 88), 1e-6f);
  }

  @Test
  void bilinearShrinksAsTorch() {
    float[] expected = {
      0.122291662f, 0.205541685f, 0.238791674f, 0.222041667f, 0.398124993f, 0.418875009f,
      0.364625007f, 0.535374999f, 0.598958313f, 0.594708383f, 0.715458333f, 0.661208332f
    };
    assertArrayEquals(expected, Resize.bilinear(source(), 1, W, H, 4, 3), 1e-6f);
  }

  @Test
  void bilinearEnlargesAsTorch() {
    float[] actual = Resize.bilinear(source(), 1, W, H, 11, 8);
    // row 0 and row 7 of the 8 x 11 result (align_corners=False clamps the first source index)
    float[] row0 = {
      0.0f, 0.0540909097f, 0.129818171f, 0.20554547f, 0.172181845f, 0.057f, 0.13272725f,
      0.20845452f, 0.284181803f, 0.196272731f, 0.114f
    };
    float[] row7 = {
      0.632000029f, 0.686090887f, 0.734545469f, 0.619363606f, 0.613272727f, 0.68900001f,
      0.764727294f, 0.758636415f, 0.643454492f, 0.691909075f, 0.745999992f
    };
    assertEndRows(row0, row7, actual);
  }

  @Test
  void bilinearKeepsTheSizeUnchanged() {
    assertArrayEquals(source(), Resize.bilinear(source(), 1, W, H, W, H), 0f);
  }

  @Test
  void antialiasedBicubicShrinksAsTorch() {
    float[] expected = {
      0.147027493f, 0.185277641f, 0.231837794f, 0.23123315f, 0.375603735f, 0.40893513f,
      0.431023508f, 0.490458935f, 0.594775558f, 0.616716802f, 0.674403846f, 0.66504544f
    };
    assertArrayEquals(expected, Resize.bicubicAntialias(source(), 1, W, H, 4, 3), 1e-6f);
  }

  @Test
  void antialiasedBicubicEnlargesAsTorchWithoutClamping() {
    float[] actual = Resize.bicubicAntialias(source(), 1, W, H, 11, 8);
    float[] row0 = {
      -0.025132874f, 0.0252230484f, 0.115493156f, 0.228647128f, 0.180890277f, 0.0402343161f,
      0.100841865f, 0.205301017f, 0.299850911f, 0.188768581f, 0.0829899684f
    };
    float[] row7 = {
      0.640398502f, 0.708867133f, 0.760140181f, 0.604376197f, 0.591942072f, 0.705765665f,
      0.806079209f, 0.783427656f, 0.628912389f, 0.693701506f, 0.772650659f
    };
    assertEndRows(row0, row7, actual);
    assertEquals(0f, Resize.clamp01(actual)[0]);
  }

  @Test
  void antialiasedBicubicKeepsEachChannelApart() {
    float[] one = source();
    float[] two = new float[2 * W * H];
    System.arraycopy(one, 0, two, W * H, W * H); // channel 0 zero, channel 1 the source
    float[] out = Resize.bicubicAntialias(two, 2, W, H, 4, 3);
    float[] expected = Resize.bicubicAntialias(one, 1, W, H, 4, 3);
    assertArrayEquals(new float[12], Arrays.copyOfRange(out, 0, 12), 0f);
    assertArrayEquals(expected, Arrays.copyOfRange(out, 12, 24), 0f);
  }

  @Test
  void pillowBicubicShrinksExactly() {
    int[] expected = {41, 117, 118, 101, 121, 82, 77, 208, 122, 72, 130, 95};
    assertArrayEquals(expected, unsigned(Resize.pilBicubic(source8(), 1, W, H, 4, 3)));
  }

  @Test
  void pillowBicubicEnlargesExactlyWithClipping() {
    int[] expected = {
      0, 16, 54, 86, 125, 170, 225, 173, 10, 17, 55, 11, 33, 80, 135, 130, 91, 141, 140, 67, 93,
      127, 34, 66, 121, 179, 121, 0, 32, 90, 142, 198, 229, 56, 103, 147, 73, 50, 68, 45, 63, 139,
      205, 242, 78, 140, 187, 52, 26, 89, 82, 92, 138, 210, 255, 100, 165, 223, 119, 55, 53, 127,
      164, 141, 210, 255, 137, 126, 101, 55, 62, 111, 152, 141, 72, 87, 110, 161, 92, 5, 0, 62,
      158, 163, 112, 20, 0, 0
    };
    assertArrayEquals(expected, unsigned(Resize.pilBicubic(source8(), 1, W, H, 11, 8)));
  }

  @Test
  void pillowBicubicResizesOneAxisOnly() {
    int[] expected = {39, 155, 69, 99, 74, 157, 100, 60, 163, 152, 96, 191, 67, 105, 45};
    assertArrayEquals(expected, unsigned(Resize.pilBicubic(source8(), 1, W, H, 3, 5)));
  }

  @Test
  void torchTapsWidenTheKernelWhenShrinking() {
    // 7 -> 4: scale 1.75, support 3.5, so up to 2 * ceil(3.5) + 1 = 9 taps, clipped at the edges
    Resize.Taps taps = Resize.torchTaps(7, 4);
    assertEquals(9, taps.stride());
    assertEquals(0, taps.start()[0]);
    double sum = 0;
    for (int j = 0; j < taps.count()[1]; j++) {
      sum += taps.weights()[taps.stride() + j];
    }
    assertEquals(1.0, sum, 1e-6);
  }

  private static int[] unsigned(byte[] bytes) {
    int[] out = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[i] & 0xff;
    }
    return out;
  }
}
