/** Runnable examples of Daak: the demo of every pattern ({@link io.daak.examples.Demo}). */
@NullMarked
package io.daak.examples;

import org.jspecify.annotations.NullMarked;
