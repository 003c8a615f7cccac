package io.daak.tracing;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import io.daak.codec.ProtobufCodec;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MCAP schema: what a channel's messages are, for readers that decode them (Foxglove, the MCAP
 * libraries). Made where the codec has one: for Protocol Buffers values whose class (the recorded Java
 * type) is on the class path, the message's full name and a {@code FileDescriptorSet} holding its
 * {@code .proto} file and every file it imports, with schema encoding {@code protobuf}; the channel's
 * message encoding is then MCAP's well-known {@code protobuf}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the message's full name, e.g. {@code google.protobuf.Timestamp}
 * @param encoding the schema encoding, {@code protobuf}
 * @param data the serialized {@code FileDescriptorSet}
 */
record McapSchema(String name, String encoding, byte[] data) {

    private static final Logger log = LoggerFactory.getLogger(McapSchema.class);

    /** MCAP's well-known schema and message encoding for Protocol Buffers. */
    static final String PROTOBUF = "protobuf";

    /**
     * The schema of the values of one format and Java type, if the codec has one and the class is here.
     *
     * @param mimeType the values' MIME type
     * @param javaType the class they were encoded from, or null when the sender did not say
     * @return the schema, or empty
     */
    static Optional<McapSchema> of(String mimeType, @Nullable String javaType) {
        if (javaType == null || !mimeType.equals(ProtobufCodec.MIME_TYPE)) {
            return Optional.empty();
        }
        try {
            Class<?> type = Class.forName(javaType, false, classLoader());
            if (!Message.class.isAssignableFrom(type)) {
                return Optional.empty(); // a lite message: no descriptors at run time
            }
            Method getDescriptor = type.getMethod("getDescriptor");
            if (!Modifier.isStatic(getDescriptor.getModifiers())) {
                return Optional.empty();
            }
            Descriptor descriptor = (Descriptor) getDescriptor.invoke(null);
            return Optional.of(new McapSchema(descriptor.getFullName(), PROTOBUF, fileDescriptorSet(descriptor)));
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            log.debug("no MCAP schema for {} values of {}: {}", mimeType, javaType, e.toString());
            return Optional.empty();
        }
    }

    /** The message's file and every file it imports, each once, imports before the files that use them. */
    static byte[] fileDescriptorSet(Descriptor descriptor) {
        Map<String, FileDescriptor> files = new LinkedHashMap<>();
        addWithImports(descriptor.getFile(), files);
        FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
        files.values().forEach(f -> set.addFile(f.toProto()));
        return set.build().toByteArray();
    }

    private static void addWithImports(FileDescriptor file, Map<String, FileDescriptor> files) {
        if (files.containsKey(file.getName())) {
            return;
        }
        for (FileDescriptor imported : file.getDependencies()) {
            addWithImports(imported, files);
        }
        files.put(file.getName(), file);
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : McapSchema.class.getClassLoader();
    }
}
