package org.maclip.scoring;

/**
 * Where one view lies in the prepared image, in pixels. Patches are {@code size×size} crops;
 * the global view covers the whole prepared image ({@code top = left = 0}).
 */
public record ViewBox(int top, int left, int height, int width, boolean global) {}
