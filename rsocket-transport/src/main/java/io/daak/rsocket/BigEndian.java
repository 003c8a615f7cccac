package io.daak.rsocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Big-endian numbers read from arrays (one load each, no bounds work beyond the array's own). */
final class BigEndian {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private BigEndian() {}

    /** The 32-bit number at {@code at}. */
    static int getInt(byte[] a, int at) {
        return (int) INT.get(a, at);
    }

    /** The 64-bit number at {@code at}. */
    static long getLong(byte[] a, int at) {
        return (long) LONG.get(a, at);
    }
}
