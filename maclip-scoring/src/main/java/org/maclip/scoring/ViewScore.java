package org.maclip.scoring;

/** The scores of one view and where it lies (for quality maps). */
public record ViewScore(ViewBox box, double q, double qSim, double qMag, double wSim, double wMag) {}
