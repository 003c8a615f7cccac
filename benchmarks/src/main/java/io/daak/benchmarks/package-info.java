/** b */
package io.daak.benchmarks;
