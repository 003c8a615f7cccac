package io.daak.benchmarks.capnp;

import org.capnproto.Data;
import org.capnproto.SegmentBuilder;
import org.capnproto.SegmentReader;
import org.capnproto.StructBuilder;
import org.capnproto.StructFactory;
import org.capnproto.StructReader;
import org.capnproto.StructSize;
import org.capnproto.Text;
import org.capnproto.TextList;

/**
 * {@code struct Record { id @0 :Text; owner @1 :Text; labels @2 :List(Text); payload @3 :Data;
 * created @4 :Int64; }} in capnpc-java's generated form.
 */
public final class CpRecord {

    private CpRecord() {}

    /** One data word (created), four pointers (id, owner, labels, payload). */
    public static final StructSize STRUCT_SIZE = new StructSize((short) 1, (short) 4);

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

    /** Writes a Record. */
    public static final class Builder extends StructBuilder {
        Builder(SegmentBuilder segment, int data, int pointers, int dataSize, short pointerCount) {
            super(segment, data, pointers, dataSize, pointerCount);
        }

        /** @return a reader over the same bytes */
        public Reader asReader() {
            return new Reader(segment, data, pointers, dataSize, pointerCount, 0x7fffffff);
        }

        /** @param value the id */
        public void setId(String value) {
            _setPointerField(Text.factory, 0, new Text.Reader(value));
        }

        /** @param value the owner */
        public void setOwner(String value) {
            _setPointerField(Text.factory, 1, new Text.Reader(value));
        }

        /**
         * @param size the number of labels
         * @return the list to fill
         */
        public TextList.Builder initLabels(int size) {
            return _initPointerField(TextList.factory, 2, size);
        }

        /** @param value the payload */
        public void setPayload(byte[] value) {
            _setPointerField(Data.factory, 3, new Data.Reader(value));
        }

        /** @param value when it was created */
        public void setCreated(long value) {
            _setLongField(0, value);
        }
    }

    /** Reads a Record in place. */
    public static final class Reader extends StructReader {
        Reader(SegmentReader segment, int data, int pointers, int dataSize, short pointerCount, int nestingLimit) {
            super(segment, data, pointers, dataSize, pointerCount, nestingLimit);
        }

        /** @return the id */
        public Text.Reader getId() {
            return _getPointerField(Text.factory, 0, null, 0, 0);
        }

        /** @return the owner */
        public Text.Reader getOwner() {
            return _getPointerField(Text.factory, 1, null, 0, 0);
        }

        /** @return the labels */
        public TextList.Reader getLabels() {
            return _getPointerField(TextList.factory, 2, null, 0);
        }

        /** @return the payload */
        public Data.Reader getPayload() {
            return _getPointerField(Data.factory, 3, null, 0, 0);
        }

        /** @return when it was created */
        public long getCreated() {
            return _getLongField(0);
        }
    }
}
