package io.daak.shm;

/** Checks that this JVM can run Agrona before any shared memory is touched. Thread-safe. */
final class ShmRuntime {

    /** The JVM flag Agrona 2.x needs. */
    static final String FLAG = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    private ShmRuntime() {}

    /**
     * Fails with the exact flag when {@code jdk.internal.misc} is not exported to this code.
     *
     * @throws IllegalStateException naming the missing flag
     */
    static void check() {
        Module base = Object.class.getModule();
        Module me = ShmRuntime.class.getModule();
        if (!base.isExported("jdk.internal.misc", me)) {
            throw new IllegalStateException("shm-flux needs the JVM option '" + FLAG
                    + "' (Agrona reaches jdk.internal.misc.Unsafe); add it to the java command line, or"
                    + " 'Add-Exports: java.base/jdk.internal.misc' to an executable jar's manifest"
                    + (me.isNamed() ? " (for a named module use =" + me.getName() + " instead of =ALL-UNNAMED)" : ""));
        }
    }
}
