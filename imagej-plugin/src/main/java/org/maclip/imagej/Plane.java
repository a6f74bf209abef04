package org.maclip.imagej;

/**
 * One displayed plane of an image: a channel, slice and frame (1-based, as ImageJ counts) and its
 * index in the image's stack ({@code setSlice(index)} in a macro goes back to it).
 */
public record Plane(int channel, int slice, int frame, int index) {}
