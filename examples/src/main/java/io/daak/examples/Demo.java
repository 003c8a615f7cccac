package io.daak.examples;
/** Demo. */
public final class Demo {
    private Demo() {}
    /** Main. @param a args */
    public static void main(String[] a) {}
}
