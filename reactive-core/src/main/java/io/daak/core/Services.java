package io.daak.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The request/reply and client/server part of the in-process engine: the servers of each service and
 * the round-robin choice between them.
 *
 * <p>Thread-safe: the server lists are copy-on-write; choosing a server does not lock.
 */
final class Services {

    private final ConcurrentHashMap<String, Servers> services = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();

    /** The servers of one service: a copy-on-write array, so that choosing one allocates nothing. */
    static final class Servers {
        private static final Server[] NONE = new Server[0];
        volatile Server[] array = NONE;
        final AtomicInteger next = new AtomicInteger();

        synchronized void add(Server s) {
            Server[] a = Arrays.copyOf(array, array.length + 1);
            a[a.length - 1] = s;
            array = a;
        }

        synchronized void remove(Server s) {
            List<Server> l = new ArrayList<>(Arrays.asList(array));
            l.remove(s);
            array = l.toArray(NONE);
        }
    }

    /** One registered handler. */
    static final class Server implements Registration {
        final String service;
        final ServiceHandler<Object, Object> handler;
        final Servers servers;
        final AtomicBoolean disposed = new AtomicBoolean();

        Server(String service, ServiceHandler<Object, Object> handler, Servers servers) {
            this.service = service;
            this.handler = handler;
            this.servers = servers;
        }

        @Override
        public String service() {
            return service;
        }

        @Override
        public void dispose() {
            if (disposed.compareAndSet(false, true)) {
                servers.remove(this);
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed.get();
        }
    }

    Registration register(String service, ServiceHandler<Object, Object> handler) {
        Servers servers = services.computeIfAbsent(service, s -> new Servers());
        Server server = new Server(service, handler, servers);
        servers.add(server);
        return server;
    }

    /** The next server of a service, round robin; null when nothing serves it. */
    @Nullable
    Server pick(String service) {
        Servers servers = services.get(service);
        if (servers == null) {
            return null;
        }
        for (; ; ) {
            Server[] snapshot = servers.array;
            if (snapshot.length == 0) {
                return null;
            }
            Server s = snapshot[Math.floorMod(servers.next.getAndIncrement(), snapshot.length)];
            if (!s.isDisposed()) {
                return s;
            }
        }
    }

    long nextRequestId() {
        return requests.incrementAndGet();
    }

    void close() {
        for (Servers servers : services.values()) {
            for (Server s : servers.array) {
                s.dispose();
            }
        }
        services.clear();
    }
}
