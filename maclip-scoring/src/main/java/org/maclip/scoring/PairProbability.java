package org.maclip.scoring;

/** Mean probability, over an image's views, of the positive prompt of one antonym pair. */
public record PairProbability(String positive, String negative, double probability) {}
