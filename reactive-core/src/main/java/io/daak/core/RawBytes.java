package io.daak.core;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The plain {@link RawValue}; equal when bytes, MIME type and Java type are. Immutable. */
record RawBytes(byte[] bytes, String mimeType, @Nullable String javaType) implements RawValue {

    @Override
    public boolean equals(Object o) {
        return o instanceof RawBytes b
                && Arrays.equals(bytes, b.bytes)
                && mimeType.equals(b.mimeType)
                && Objects.equals(javaType, b.javaType);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + mimeType.hashCode();
    }

    @Override
    public String toString() {
        return "RawValue[" + bytes.length + " bytes " + mimeType + (javaType != null ? " " + javaType : "") + "]";
    }
}
