@0xe1f2a3b4c5d6e7f8;
# The codec benchmark's sensor reading in Cap'n Proto. No capnpc-java plugin is obtainable on the
# project's network: io.daak.benchmarks.capnp.CpReading and CpTag are written by hand in the form
# capnpc-java generates for this schema.

using Java = import "/capnp/java.capnp";
$Java.package("io.daak.benchmarks.capnp");
$Java.outerClassname("BenchSchema");

struct Tag {
  key @0 :Text;
  value @1 :Text;
}

struct Reading {
  sensor @0 :Text;
  value @1 :Float64;
  timestamp @2 :Int64;
  history @3 :List(Float64);
  tags @4 :List(Tag);
}

struct Record {
  id @0 :Text;
  owner @1 :Text;
  labels @2 :List(Text);
  payload @3 :Data;
  created @4 :Int64;
}
