/**
 * The {@code daak} command-line tool: runs a node ({@code daak node}), talks to one
 * ({@code pub}, {@code sub}, {@code put}, {@code get}, {@code send}, {@code recv}, {@code request},
 * {@code serve}) and to any RSocket server ({@code daak rsocket}). Entry point: {@link
 * io.daak.examples.cli.DaakCli}; every subcommand is described in {@code docs/cli.md}.
 */
@NullMarked
package io.daak.examples.cli;

import org.jspecify.annotations.NullMarked;
