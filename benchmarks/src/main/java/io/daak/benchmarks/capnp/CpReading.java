package io.daak.benchmarks.capnp;

import org.capnproto.PrimitiveList;
import org.capnproto.SegmentBuilder;
import org.capnproto.SegmentReader;
import org.capnproto.StructBuilder;
import org.capnproto.StructFactory;
import org.capnproto.StructList;
import org.capnproto.StructReader;
import org.capnproto.StructSize;
import org.capnproto.Text;

/**
 * {@code struct Reading { sensor @0 :Text; value @1 :Float64; timestamp @2 :Int64;
 * history @3 :List(Float64); tags @4 :List(Tag); }} in capnpc-java's generated form.
 */
public final class CpReading {

    private CpReading() {}

    /** Two data words (value, timestamp), three pointers (sensor, history, tags). */
    public static final StructSize STRUCT_SIZE = new StructSize((short) 2, (short) 3);

    private static final StructList.Factory<CpTag.Builder, CpTag.Reader> TAGS = new StructList.Factory<>(CpTag.factory);

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

    /** Writes a Reading. */
    public static final class Builder extends StructBuilder {
        Builder(SegmentBuilder segment, int data, int pointers, int dataSize, short pointerCount) {
            super(segment, data, pointers, dataSize, pointerCount);
        }

        /** @return a reader over the same bytes */
        public Reader asReader() {
            return new Reader(segment, data, pointers, dataSize, pointerCount, 0x7fffffff);
        }

        /** @param value the sensor */
        public void setSensor(String value) {
            _setPointerField(Text.factory, 0, new Text.Reader(value));
        }

        /** @param value the value */
        public void setValue(double value) {
            _setDoubleField(0, value);
        }

        /** @param value the timestamp */
        public void setTimestamp(long value) {
            _setLongField(1, value);
        }

        /**
         * @param size the number of history entries
         * @return the list to fill
         */
        public PrimitiveList.Double.Builder initHistory(int size) {
            return _initPointerField(PrimitiveList.Double.factory, 1, size);
        }

        /**
         * @param size the number of tags
         * @return the list to fill
         */
        public StructList.Builder<CpTag.Builder> initTags(int size) {
            return _initPointerField(TAGS, 2, size);
        }
    }

    /** Reads a Reading in place. */
    public static final class Reader extends StructReader {
        Reader(SegmentReader segment, int data, int pointers, int dataSize, short pointerCount, int nestingLimit) {
            super(segment, data, pointers, dataSize, pointerCount, nestingLimit);
        }

        /** @return the sensor */
        public Text.Reader getSensor() {
            return _getPointerField(Text.factory, 0, null, 0, 0);
        }

        /** @return the value */
        public double getValue() {
            return _getDoubleField(0);
        }

        /** @return the timestamp */
        public long getTimestamp() {
            return _getLongField(1);
        }

        /** @return the history */
        public PrimitiveList.Double.Reader getHistory() {
            return _getPointerField(PrimitiveList.Double.factory, 1, null, 0);
        }

        /** @return the tags */
        public StructList.Reader<CpTag.Reader> getTags() {
            return _getPointerField(TAGS, 2, null, 0);
        }
    }
}
