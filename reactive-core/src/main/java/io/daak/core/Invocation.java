package io.daak.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One call of an operation as {@link Interceptor}s see it: the operation, its target (topic, key,
 * queue or service name, or a selector's pattern), its fields and the value it carries.
 *
 * <p>Immutable and thread-safe.
 *
 * @param operation the operation
 * @param target the name or pattern it addresses
 * @param fields the optional fields; interceptors may replace them (e.g. to add trace headers)
 * @param value the published, put, sent or requested value; null for operations without one
 */
public record Invocation(
        Operation operation,
        String target,
        Fields fields,
        @Nullable Object value) {

    /**
     * Checks the components.
     *
     * @param operation the operation
     * @param target the name or pattern it addresses
     * @param fields the optional fields
     * @param value the value, if any
     */
    public Invocation {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(fields, "fields");
    }

    /**
     * This invocation with other fields.
     *
     * @param newFields the fields to use
     * @return a new invocation
     */
    public Invocation withFields(Fields newFields) {
        return new Invocation(operation, target, newFields, value);
    }
}
