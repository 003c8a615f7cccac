@0xd6a1e2b3c4f50617;
# The Cap'n Proto test schema of the codecs module. No capnpc-java plugin is obtainable on the
# project's network, so io.daak.codec.capnp.Point is written by hand in the exact form capnpc-java
# generates for this schema (see docs/codecs.md for bringing your own generated classes).

using Java = import "/capnp/java.capnp";
$Java.package("io.daak.codec.capnp");
$Java.outerClassname("PointSchema");

struct Point {
  x @0 :Float64;
  y @1 :Float64;
  label @2 :Text;
}
