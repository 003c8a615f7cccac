/** JMH benchmarks of Daak, each beside its baseline in the same run. */
@NullMarked
package io.daak.benchmarks;

import org.jspecify.annotations.NullMarked;
