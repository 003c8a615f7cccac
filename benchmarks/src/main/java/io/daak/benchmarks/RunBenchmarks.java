package io.daak.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks and prints, for each Daak benchmark, its baseline's score, its own score and
 * the ratio Daak/baseline.
 *
 * <pre>{@code
 * java -jar benchmarks/target/daak-benchmarks.jar            # everything
 * java -jar benchmarks/target/daak-benchmarks.jar -quick     # a smoke run: fewer, shorter iterations
 * java -jar benchmarks/target/daak-benchmarks.jar PubSub     # the benchmarks whose name matches
 * java -jar benchmarks/target/daak-benchmarks.jar net        # the network benchmarks instead (NetBenchmarks)
 * java -jar benchmarks/target/daak-benchmarks.jar shm        # the shared-memory benchmarks instead (ShmBenchmarks)
 * java -jar benchmarks/target/daak-benchmarks.jar observability   # paired observability overhead (ObservabilityPaired)
 * }</pre>
 */
public final class RunBenchmarks {

    /** Each Daak benchmark and the baseline it is compared with. */
    private static final Map<String, String> BASELINES = Map.ofEntries(
            Map.entry("ViewCodecBenchmark.daakFlatBuffers", "ViewCodecBenchmark.directFlatBuffers"),
            Map.entry("ViewCodecBenchmark.daakFlatBuffersView", "ViewCodecBenchmark.directFlatBuffers"),
            Map.entry("ViewCodecBenchmark.daakCapnp", "ViewCodecBenchmark.directCapnp"),
            Map.entry("ViewCodecBenchmark.daakCapnpView", "ViewCodecBenchmark.directCapnp"),
            Map.entry("CodecBenchmark.daakJson", "CodecBenchmark.directJson"),
            Map.entry("CodecBenchmark.daakCbor", "CodecBenchmark.directCbor"),
            Map.entry("CodecBenchmark.daakProtobuf", "CodecBenchmark.directProtobuf"),
            Map.entry("CodecBenchmark.directCbor", "CodecBenchmark.directJson"),
            Map.entry("CodecBenchmark.directProtobuf", "CodecBenchmark.directJson"),
            Map.entry("PubSubBenchmark.daakTryPublish", "PubSubBenchmark.rawSink"),
            Map.entry("PubSubBenchmark.daakTryPublishCachedClock", "PubSubBenchmark.rawSink"),
            Map.entry("PubSubBenchmark.daakPublishMono", "PubSubBenchmark.rawSink"),
            Map.entry("RequestReplyBenchmark.daakRequest", "RequestReplyBenchmark.directCall"),
            Map.entry("ObservabilityBenchmark.metricsOn", "ObservabilityBenchmark.registryOff"),
            Map.entry("ObservabilityBenchmark.metricsTracingUnsampled", "ObservabilityBenchmark.registryOff"),
            Map.entry("ObservabilityBenchmark.metricsTracingRefused", "ObservabilityBenchmark.registryOff"),
            Map.entry("ObservabilityBenchmark.metricsTracingAll", "ObservabilityBenchmark.registryOff"),
            Map.entry("TcpObservabilityBenchmark.metricsOn", "TcpObservabilityBenchmark.registryOff"),
            Map.entry("TcpObservabilityBenchmark.metricsTracingUnsampled", "TcpObservabilityBenchmark.registryOff"),
            Map.entry("RecordingBenchmark.mcapRecorder", "RecordingBenchmark.rawFileWrite"));

    private RunBenchmarks() {}

    /**
     * Runs the benchmarks.
     *
     * @param args {@code -quick} and/or a regular expression selecting benchmarks; or {@code net} and
     *     the arguments of {@link io.daak.benchmarks.net.NetBenchmarks#main(String[])}; or {@code shm} and the
     *     arguments of {@link io.daak.benchmarks.shm.ShmBenchmarks#main(String[])}; or {@code observability}
     *     and those of {@link io.daak.benchmarks.tracing.ObservabilityPaired#main(String[])}
     * @throws Exception when JMH or a network benchmark fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("observability")) {
            io.daak.benchmarks.tracing.ObservabilityPaired.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("net")) {
            io.daak.benchmarks.net.NetBenchmarks.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("shm")) {
            io.daak.benchmarks.shm.ShmBenchmarks.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        boolean quick = false;
        String include = "io\\.daak\\.benchmarks\\..*";
        for (String arg : args) {
            if (arg.equals("-quick")) {
                quick = true;
            } else {
                include = ".*" + arg + ".*";
            }
        }
        ChainedOptionsBuilder options = new OptionsBuilder().include(include).shouldFailOnError(true);
        if (quick) {
            options.warmupIterations(1)
                    .warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(2)
                    .measurementTime(TimeValue.milliseconds(500));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println();
        System.out.println(report(results));
        System.out.println(CodecBenchmark.sizes() + ViewCodecBenchmark.sizes());
    }

    /** One line per Daak benchmark and parameter set: baseline, Daak, ratio. */
    static String report(Collection<RunResult> results) {
        Map<String, RunResult> byKey = new LinkedHashMap<>();
        for (RunResult r : results) {
            byKey.put(key(r, shortName(r)), r);
        }
        List<String> lines = new ArrayList<>();
        lines.add("Daak vs baseline (same run; ratio = daak / baseline in the benchmark's unit:"
                + " higher is better for ops/us, lower for ns/op)");
        for (RunResult r : results) {
            String name = shortName(r);
            String baselineName = BASELINES.get(name);
            if (baselineName == null) {
                continue;
            }
            RunResult baseline = byKey.get(key(r, baselineName));
            if (baseline == null) {
                lines.add(String.format(
                        "%-36s %s  %10.2f %s   (baseline %s not run)",
                        name, params(r), score(r), unit(r), baselineName));
                continue;
            }
            lines.add(String.format(
                    "%-36s %s  baseline %-28s %10.2f %s   daak %10.2f %s   ratio %.2f",
                    name,
                    params(r),
                    baselineName.substring(baselineName.indexOf('.') + 1),
                    score(baseline),
                    unit(baseline),
                    score(r),
                    unit(r),
                    score(r) / score(baseline)));
        }
        return String.join(System.lineSeparator(), lines);
    }

    private static String shortName(RunResult r) {
        String full = r.getParams().getBenchmark();
        String[] parts = full.split("\\.");
        return parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    private static String key(RunResult r, String name) {
        return name + params(r);
    }

    private static String params(RunResult r) {
        StringBuilder sb = new StringBuilder();
        for (String p : r.getParams().getParamsKeys()) {
            sb.append(p)
                    .append('=')
                    .append(Objects.requireNonNull(r.getParams().getParam(p)))
                    .append(' ');
        }
        return sb.toString().trim();
    }

    private static double score(RunResult r) {
        return r.getPrimaryResult().getScore();
    }

    private static String unit(RunResult r) {
        return r.getPrimaryResult().getScoreUnit();
    }
}
