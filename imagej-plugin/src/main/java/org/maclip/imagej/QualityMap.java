package org.maclip.imagej;

import java.awt.Rectangle;
import java.util.Arrays;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.maclip.scoring.ScoreResult;
import org.maclip.scoring.ViewScore;

/**
 * Where an image is good or poor: each patch view's score spread over the pixels it covers,
 * averaged where patches overlap (the global view covers everything and is left out). The map is
 * kept as cells between the patch edges, so its size follows the number of views, not pixels.
 * Right and bottom margins that no patch reaches take the nearest covered value.
 *
 * @param xEdges cell column edges in image pixels, from 0 to the width
 * @param yEdges cell row edges, from 0 to the height
 * @param values cell values, row by row ({@code (yEdges.length - 1) × (xEdges.length - 1)})
 * @param field the score mapped
 */
public record QualityMap(int[] xEdges, int[] yEdges, double[] values, Field field) {

  /** The per-view scores a map can show. */
  public enum Field {
    Q("Q", ViewScore::q),
    Q_SIM("Q_sim", ViewScore::qSim),
    Q_MAG("Q_mag", ViewScore::qMag),
    W_SIM("w_sim", ViewScore::wSim),
    W_MAG("w_mag", ViewScore::wMag);

    private final String label;
    private final ToDoubleFunction<ViewScore> value;

    Field(String label, ToDoubleFunction<ViewScore> value) {
      this.label = label;
      this.value = value;
    }

    /** The column name, also the word in dialogs and macros. */
    public String label() {
      return label;
    }

    double of(ViewScore view) {
      return value.applyAsDouble(view);
    }

    static String[] labels() {
      return Arrays.stream(values()).map(Field::label).toArray(String[]::new);
    }

    public static Field parse(String text) {
      for (Field f : values()) {
        if (f.label.equalsIgnoreCase(text.trim())) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "unknown map '" + text + "' (use " + String.join(", ", labels()).toLowerCase(Locale.ROOT)
              + ")");
    }
  }

  /** The map of a scored image, in the image's own pixel frame. */
  public static QualityMap of(ScoreResult result, Field field) {
    if (!result.ok()) {
      throw new IllegalArgumentException(result.name() + ": no map for an image that failed ("
          + result.error() + ")");
    }
    var patches = result.views().stream().filter(v -> !v.box().global()).toList();
    if (patches.isEmpty()) {
      patches = result.views();
    }
    int width = result.width();
    int height = result.height();
    TreeSet<Integer> xs = new TreeSet<>(java.util.List.of(0, width));
    TreeSet<Integer> ys = new TreeSet<>(java.util.List.of(0, height));
    Rectangle[] rects = new Rectangle[patches.size()];
    for (int i = 0; i < rects.length; i++) {
      rects[i] = ViewGeometry.toImage(patches.get(i).box(), result);
      xs.add(clamp(rects[i].x, width));
      xs.add(clamp(rects[i].x + rects[i].width, width));
      ys.add(clamp(rects[i].y, height));
      ys.add(clamp(rects[i].y + rects[i].height, height));
    }
    int[] xEdges = xs.stream().mapToInt(Integer::intValue).toArray();
    int[] yEdges = ys.stream().mapToInt(Integer::intValue).toArray();
    int cols = xEdges.length - 1;
    int rows = yEdges.length - 1;
    double[] total = new double[rows * cols];
    int[] count = new int[rows * cols];
    for (int i = 0; i < rects.length; i++) {
      double v = field.of(patches.get(i));
      int c0 = Arrays.binarySearch(xEdges, clamp(rects[i].x, width));
      int c1 = Arrays.binarySearch(xEdges, clamp(rects[i].x + rects[i].width, width));
      int r0 = Arrays.binarySearch(yEdges, clamp(rects[i].y, height));
      int r1 = Arrays.binarySearch(yEdges, clamp(rects[i].y + rects[i].height, height));
      for (int r = r0; r < r1; r++) {
        for (int c = c0; c < c1; c++) {
          total[r * cols + c] += v;
          count[r * cols + c]++;
        }
      }
    }
    double[] values = new double[rows * cols];
    for (int k = 0; k < values.length; k++) {
      values[k] = count[k] > 0 ? total[k] / count[k] : Double.NaN;
    }
    fillMargins(values, rows, cols);
    return new QualityMap(xEdges, yEdges, values, field);
  }

  private static int clamp(int v, int limit) {
    return Math.max(0, Math.min(limit, v));
  }

  /** Uncovered cells take the value on their left, then rows with none take the row above. */
  private static void fillMargins(double[] values, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      for (int c = 1; c < cols; c++) {
        if (Double.isNaN(values[r * cols + c])) {
          values[r * cols + c] = values[r * cols + c - 1];
        }
      }
    }
    for (int r = 1; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        if (Double.isNaN(values[r * cols + c])) {
          values[r * cols + c] = values[(r - 1) * cols + c];
        }
      }
    }
  }

  public int columns() {
    return xEdges.length - 1;
  }

  public int rows() {
    return yEdges.length - 1;
  }

  /** The value of the cell at {@code (row, column)}. */
  public double cell(int row, int column) {
    return values[row * columns() + column];
  }

  /** The value at image pixel {@code (x, y)}. */
  public double at(int x, int y) {
    return cell(cellIndex(yEdges, y), cellIndex(xEdges, x));
  }

  private static int cellIndex(int[] edges, int v) {
    int i = Arrays.binarySearch(edges, v);
    return Math.min(i >= 0 ? i : -i - 2, edges.length - 2);
  }

  public double min() {
    return Arrays.stream(values).filter(Double::isFinite).min().orElse(Double.NaN);
  }

  public double max() {
    return Arrays.stream(values).filter(Double::isFinite).max().orElse(Double.NaN);
  }

  /** The map as one value per pixel, row by row (for a 32-bit image). */
  public float[] pixels() {
    int width = xEdges[xEdges.length - 1];
    int height = yEdges[yEdges.length - 1];
    float[] out = new float[width * height];
    for (int r = 0; r < rows(); r++) {
      for (int c = 0; c < columns(); c++) {
        float v = (float) cell(r, c);
        for (int y = yEdges[r]; y < yEdges[r + 1]; y++) {
          Arrays.fill(out, y * width + xEdges[c], y * width + xEdges[c + 1], v);
        }
      }
    }
    return out;
  }
}
