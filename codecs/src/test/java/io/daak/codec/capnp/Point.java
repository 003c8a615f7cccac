package io.daak.codec.capnp;

import org.capnproto.SegmentBuilder;
import org.capnproto.SegmentReader;
import org.capnproto.StructBuilder;
import org.capnproto.StructFactory;
import org.capnproto.StructReader;
import org.capnproto.StructSize;
import org.capnproto.Text;

/**
 * {@code struct Point} of src/test/capnp/point.capnp, in the form capnpc-java generates: a factory, a
 * Builder and a Reader over the struct's data section (two Float64 words) and pointer section (one
 * Text pointer).
 */
public final class Point {

    private Point() {}

    /** Two data words (x, y) and one pointer (label). */
    public static final StructSize STRUCT_SIZE = new StructSize((short) 2, (short) 1);

    /** Makes readers and builders of Point. */
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

    /** Writes a Point. */
    public static final class Builder extends StructBuilder {
        Builder(SegmentBuilder segment, int data, int pointers, int dataSize, short pointerCount) {
            super(segment, data, pointers, dataSize, pointerCount);
        }

        /** @return a reader over the same bytes */
        public Reader asReader() {
            return new Reader(segment, data, pointers, dataSize, pointerCount, 0x7fffffff);
        }

        /** @return x */
        public double getX() {
            return _getDoubleField(0);
        }

        /** @param value x */
        public void setX(double value) {
            _setDoubleField(0, value);
        }

        /** @return y */
        public double getY() {
            return _getDoubleField(1);
        }

        /** @param value y */
        public void setY(double value) {
            _setDoubleField(1, value);
        }

        /** @return whether label is set */
        public boolean hasLabel() {
            return !_pointerFieldIsNull(0);
        }

        /** @return label */
        public Text.Builder getLabel() {
            return _getPointerField(Text.factory, 0, null, 0, 0);
        }

        /** @param value label */
        public void setLabel(String value) {
            _setPointerField(Text.factory, 0, new Text.Reader(value));
        }
    }

    /** Reads a Point in place. */
    public static final class Reader extends StructReader {
        Reader(SegmentReader segment, int data, int pointers, int dataSize, short pointerCount, int nestingLimit) {
            super(segment, data, pointers, dataSize, pointerCount, nestingLimit);
        }

        /** @return x */
        public double getX() {
            return _getDoubleField(0);
        }

        /** @return y */
        public double getY() {
            return _getDoubleField(1);
        }

        /** @return whether label is set */
        public boolean hasLabel() {
            return !_pointerFieldIsNull(0);
        }

        /** @return label */
        public Text.Reader getLabel() {
            return _getPointerField(Text.factory, 0, null, 0, 0);
        }
    }
}
