package io.daak.examples.spring;

import io.daak.core.Daak;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot WebFlux application in front of a Daak node: {@code GET /topics/{topic or selector}}
 * streams the topic's messages as server-sent events and {@code POST /topics/{topic}} publishes the
 * request body (see {@link TopicsController}).
 *
 * <p>It holds one {@link Daak} client, connected to the node at the {@code daak.uri} property
 * (default {@value #DEFAULT_URI}) and closed when the application shuts down. The client connects on
 * first use, so the application starts even when the node is not up yet.
 *
 * <pre>{@code
 * java -cp examples/target/daak.jar io.daak.examples.spring.SseApp --daak.uri=tcp://localhost:7878 --server.port=8080
 * }</pre>
 */
@SpringBootApplication(proxyBeanMethods = false)
public class SseApp {

    /** The node this application connects to when {@code daak.uri} is not set. */
    public static final String DEFAULT_URI = "tcp://localhost:7878";

    /** Made by Spring. */
    public SseApp() {}

    /**
     * Runs the application until it is stopped.
     *
     * @param args Spring Boot arguments, for example {@code --daak.uri=tcp://host:7878 --server.port=8080}
     */
    public static void main(String[] args) {
        SpringApplication.run(SseApp.class, args);
    }

    /**
     * The application's Daak client; Spring closes it on shutdown.
     *
     * @param uri the node's URI, from the {@code daak.uri} property
     * @return a client of that node
     */
    @Bean(destroyMethod = "close")
    public Daak daak(@Value("${daak.uri:" + DEFAULT_URI + "}") String uri) {
        return Daak.connect(uri);
    }
}
