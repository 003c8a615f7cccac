package io.daak.codec;

import java.util.List;
import java.util.Map;

/** A realistic nested value for the codec tests: a sensor reading. */
public record Reading(String sensor, double value, long timestamp, List<Double> history, Map<String, String> tags) {}
