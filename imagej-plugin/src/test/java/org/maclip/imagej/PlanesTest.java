package org.maclip.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ij.IJ;
import ij.ImagePlus;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanesTest {
  @Test
  void stackIndexIsImageJs() {
    ImagePlus imp = IJ.createHyperStack("h", 4, 4, 2, 3, 4, 8);
    for (int t = 1; t <= 4; t++) {
      for (int z = 1; z <= 3; z++) {
        for (int c = 1; c <= 2; c++) {
          assertEquals(imp.getStackIndex(c, z, t), Planes.at(2, 3, c, z, t).index());
        }
      }
    }
  }

  @Test
  void scopesPickTheirPlanesKeepingTheChannel() {
    Plane current = Planes.at(2, 3, 2, 2, 3);
    assertEquals(List.of(current), Planes.select(2, 3, 4, current, Planes.Scope.CURRENT));
    List<Plane> slices = Planes.select(2, 3, 4, current, Planes.Scope.SLICES);
    assertEquals(List.of(1, 2, 3), slices.stream().map(Plane::slice).toList());
    assertEquals(List.of(3, 3, 3), slices.stream().map(Plane::frame).toList());
    List<Plane> frames = Planes.select(2, 3, 4, current, Planes.Scope.FRAMES);
    assertEquals(List.of(1, 2, 3, 4), frames.stream().map(Plane::frame).toList());
    List<Plane> all = Planes.select(2, 3, 4, current, Planes.Scope.ALL);
    assertEquals(12, all.size());
    assertEquals(List.of(2), all.stream().map(Plane::channel).distinct().toList());
    assertEquals(Planes.at(2, 3, 2, 1, 2), all.get(3)); // slice-major within each frame
  }

  @Test
  void scopeWordsParse() {
    assertEquals(Planes.Scope.FRAMES, Planes.Scope.parse(" Frames "));
    assertThrows(IllegalArgumentException.class, () -> Planes.Scope.parse("channels"));
  }
}
