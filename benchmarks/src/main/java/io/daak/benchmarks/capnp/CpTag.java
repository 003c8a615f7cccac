package io.daak.benchmarks.capnp;

import org.capnproto.SegmentBuilder;
import org.capnproto.SegmentReader;
import org.capnproto.StructBuilder;
import org.capnproto.StructFactory;
import org.capnproto.StructReader;
import org.capnproto.StructSize;
import org.capnproto.Text;

/** {@code struct Tag { key @0 :Text; value @1 :Text; }} in capnpc-java's generated form. */
public final class CpTag {

    private CpTag() {}

    /** No data words, two pointers. */
    public static final StructSize STRUCT_SIZE = new StructSize((short) 0, (short) 2);

    /** The factory. */
    public static final class Factory extends StructFactory<Builder, Reader> {
        /** The factory. */
        public Factory() {}

        @Override
        public Reader constructReader(
                SegmentReader segment, int data, int pointers, int dataSize, short pointerCount, int nestingLimit) {
            return new Reader(segment, data, pointers, dataSize, pointerCount, nestingLimit);
        }

        @Override
        public Builder constructBuilder(
                SegmentBuilder segment, int data, int pointers, int dataSize, short pointerCount) {
            return new Builder(segment, data, pointers, dataSize, pointerCount);
        }

        @Override
        public StructSize structSize() {
            return STRUCT_SIZE;
        }

        @Override
        public Reader asReader(Builder builder) {
            return builder.asReader();
        }
    }

    /** The factory, as generated code names it. */
    public static final Factory factory = new Factory();

    /** Writes a Tag. */
    public static final class Builder extends StructBuilder {
        Builder(SegmentBuilder segment, int data, int pointers, int dataSize, short pointerCount) {
            super(segment, data, pointers, dataSize, pointerCount);
        }

        /** @return a reader over the same bytes */
        public Reader asReader() {
            return new Reader(segment, data, pointers, dataSize, pointerCount, 0x7fffffff);
        }

        /** @param value the key */
        public void setKey(String value) {
            _setPointerField(Text.factory, 0, new Text.Reader(value));
        }

        /** @param value the value */
        public void setValue(String value) {
            _setPointerField(Text.factory, 1, new Text.Reader(value));
        }
    }

    /** Reads a Tag in place. */
    public static final class Reader extends StructReader {
        Reader(SegmentReader segment, int data, int pointers, int dataSize, short pointerCount, int nestingLimit) {
            super(segment, data, pointers, dataSize, pointerCount, nestingLimit);
        }

        /** @return the key */
        public Text.Reader getKey() {
            return _getPointerField(Text.factory, 0, null, 0, 0);
        }

        /** @return the value */
        public Text.Reader getValue() {
            return _getPointerField(Text.factory, 1, null, 0, 0);
        }
    }
}
