package io.daak.benchmarks.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from Linux's {@code /proc}: the whole machine's, this JVM's and the server process's, so
 * that each measurement reports what it cost and whether anything else was running. Elsewhere every
 * figure reads 0. Thread-safe (stateless).
 */
final class CpuMeter {

    /** Linux's USER_HZ: {@code /proc} counts CPU time in these ticks per second. */
    private static final double TICKS_PER_SECOND = 100.0;

    private CpuMeter() {}

    /**
     * CPU ticks at one moment.
     *
     * @param machineBusy ticks of all CPUs not idle
     * @param machineTotal ticks of all CPUs
     * @param self this JVM's ticks
     * @param server the server process's ticks
     * @param nanos {@link System#nanoTime()}
     */
    record Sample(long machineBusy, long machineTotal, long self, long server, long nanos) {}

    /**
     * CPUs in use on average between two samples (1.0 = one core fully busy).
     *
     * @param machine every process
     * @param self this JVM (the clients)
     * @param server the server process (Daak node or nats-server)
     */
    record Usage(double machine, double self, double server) {
        static final Usage NONE = new Usage(0, 0, 0);

        /** CPUs used by processes other than the benchmark's. */
        double others() {
            return Math.max(0, machine - self - server);
        }
    }

    /** Samples now. */
    static Sample sample(long serverPid) {
        long busy = 0;
        long total = 0;
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            for (int i = 1; i <= 8 && i < f.length; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i != 4 && i != 5) {
                    busy += v;
                }
            }
        } catch (IOException | RuntimeException e) {
            busy = 0;
            total = 0;
        }
        return new Sample(
                busy, total, processTicks(ProcessHandle.current().pid()), processTicks(serverPid), System.nanoTime());
    }

    /** Usage between two samples. */
    static Usage between(Sample a, Sample b) {
        Tally t = new Tally();
        t.add(a, b);
        return t.usage();
    }

    /**
     * The sums of several intervals, each between two samples of the same server: one system's share
     * of a measurement in which systems take turns. Not thread-safe.
     */
    static final class Tally {
        private long busy;
        private long total;
        private long self;
        private long server;
        private long nanos;

        /** Adds the interval from {@code a} to {@code b}. */
        void add(Sample a, Sample b) {
            busy += b.machineBusy() - a.machineBusy();
            total += b.machineTotal() - a.machineTotal();
            self += b.self() - a.self();
            server += b.server() - a.server();
            nanos += b.nanos() - a.nanos();
        }

        /** The intervals' total length in seconds. */
        double seconds() {
            return nanos / 1e9;
        }

        /** Usage over the intervals added. */
        Usage usage() {
            double seconds = seconds();
            if (seconds <= 0 || total <= 0) {
                return Usage.NONE;
            }
            double cpus = Runtime.getRuntime().availableProcessors();
            return new Usage(
                    cpus * busy / total, self / TICKS_PER_SECOND / seconds, server / TICKS_PER_SECOND / seconds);
        }
    }

    /** A process's user + system ticks, 0 when unknown. */
    private static long processTicks(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
